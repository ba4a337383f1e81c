using MathNet.Numerics.LinearAlgebra;
using Milad.Potentials;

namespace Milad.Decoding;

/// <summary>
/// Dense least squares for the decoder: a truncated-SVD linear solve (minimum-norm, so directions the
/// equations cannot see stay at zero) and a small Levenberg-Marquardt loop within a work budget.
/// </summary>
internal static class LeastSquares
{
    /// <summary>
    /// The minimum-norm x minimising |A x - b| (A rows x cols, row-major), ignoring singular values below
    /// <paramref name="relativeCutoff"/> x the largest. Returns the rank used.
    /// </summary>
    public static int Solve(double[] a, int rows, int cols, ReadOnlySpan<double> b, Span<double> x, double relativeCutoff)
    {
        x[..cols].Clear();
        if (rows == 0 || cols == 0) return 0;
        var m = Matrix<double>.Build.Dense(rows, cols, (i, j) => a[i * cols + j]);
        var svd = m.Svd(computeVectors: true);
        var s = svd.S;
        if (s.Count == 0 || s[0] == 0) return 0;
        var rank = 0;
        var cut = relativeCutoff * s[0];
        for (var k = 0; k < s.Count; k++)
        {
            if (s[k] <= cut) break;
            rank++;
            // x += v_k (u_k . b) / s_k
            double ub = 0;
            for (var i = 0; i < rows; i++) ub += svd.U[i, k] * b[i];
            var f = ub / s[k];
            for (var j = 0; j < cols; j++) x[j] += f * svd.VT[k, j];
        }
        return rank;
    }

    /// <summary>
    /// Residuals r (length rows) at x and, when <paramref name="j"/> is not empty, the Jacobian J (rows x cols,
    /// row-major); returns false when x is unusable.
    /// </summary>
    public delegate bool Model(ReadOnlySpan<double> x, Span<double> r, Span<double> j);

    /// <summary>
    /// Levenberg-Marquardt on |r(x)|^2 from <paramref name="x"/> (updated in place). Trial points are evaluated
    /// without the Jacobian; it is computed only where a step is accepted. Stops when the cost is below
    /// <paramref name="costTarget"/>, when a step no longer reduces it by a relative 1e-12 (at the rounding
    /// level), after <paramref name="maxIterations"/> accepted steps, or when the budget is spent (one unit per
    /// evaluation of the model, more for large problems). Returns the final cost.
    /// </summary>
    public static double LevenbergMarquardt(Model model, int rows, Span<double> x, int maxIterations, double costTarget, WorkBudget budget)
    {
        var cols = x.Length;
        var r = new double[rows];
        var j = new double[rows * cols];
        var rTrial = new double[rows];
        var trial = new double[cols];
        // Charges in proportion to the arithmetic: the normal equations and each factorisation (one unit ~ 1e6 flops).
        var jacobianWork = 1 + (long)((double)rows * cols * cols / 1e6);
        var trialWork = 1 + (long)((double)cols * cols * cols / 3e6);
        if (budget.Exhausted)
        {
            // Spent: the cost where it stands, without a Jacobian, so a spent budget is not overrun by whole steps.
            budget.Spend();
            return model(x, r, default) ? Dot(r, r) : double.PositiveInfinity;
        }
        budget.Spend(jacobianWork);
        if (!model(x, r, j)) return double.PositiveInfinity;
        var cost = Dot(r, r);
        var lambda = 1e-3;
        var jtj = new double[cols * cols];
        var jtr = new double[cols];
        var damped = new double[cols * cols];
        var nonzero = new int[cols];
        for (var it = 0; it < maxIterations && cost > costTarget; it++)
        {
            if (budget.Exhausted) break;
            NormalEquations(j, r, rows, cols, jtj, jtr, nonzero);
            var maxDiag = 0.0;
            for (var k = 0; k < cols; k++) maxDiag = Math.Max(maxDiag, jtj[k * cols + k]);
            if (maxDiag == 0) break;
            var accepted = false;
            var gain = 0.0;
            for (var attempt = 0; attempt < 12; attempt++)
            {
                jtj.CopyTo(damped, 0);
                for (var k = 0; k < cols; k++) damped[k * cols + k] += lambda * (jtj[k * cols + k] + 1e-12 * maxDiag);
                if (CholeskySolver.Solve(damped, cols, jtr) is not { } step) { lambda *= 10; continue; }
                for (var k = 0; k < cols; k++) trial[k] = x[k] - step[k];
                budget.Spend(trialWork);
                if (model(trial, rTrial, default))
                {
                    var trialCost = Dot(rTrial, rTrial);
                    if (trialCost < cost)
                    {
                        gain = (cost - trialCost) / cost;
                        trial.CopyTo(x);
                        cost = trialCost;
                        lambda = Math.Max(lambda / 5, 1e-12);
                        accepted = true;
                        break;
                    }
                }
                lambda *= 8;
            }
            if (!accepted) break;
            budget.Spend(jacobianWork);
            if (!model(x, r, j)) return double.PositiveInfinity;
            if (gain < 1e-12) break;
        }
        return cost;
    }

    /// <summary>
    /// J^T J (full, row-major) and J^T r. The moment equations' rows are sparse (an invariant touches a few of the
    /// moments), so each row adds only the products of its nonzeros; dense rows take contiguous vector updates.
    /// </summary>
    private static void NormalEquations(double[] j, double[] r, int rows, int cols, double[] jtj, double[] jtr, int[] nonzero)
    {
        Array.Clear(jtj);
        Array.Clear(jtr);
        for (var i = 0; i < rows; i++)
        {
            var row = j.AsSpan(i * cols, cols);
            var ri = r[i];
            var count = 0;
            for (var p = 0; p < cols; p++)
                if (row[p] != 0) nonzero[count++] = p;
            if (2 * count > cols)
            {
                for (var a = 0; a < count; a++)
                {
                    var p = nonzero[a];
                    var v = row[p];
                    jtr[p] += v * ri;
                    var tail = jtj.AsSpan(p * cols + p, cols - p);
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(row[p..], v, tail, tail);
                }
                continue;
            }
            for (var a = 0; a < count; a++)
            {
                var p = nonzero[a];
                var v = row[p];
                jtr[p] += v * ri;
                var target = jtj.AsSpan(p * cols, cols);
                for (var b = a; b < count; b++) target[nonzero[b]] += v * row[nonzero[b]];
            }
        }
        for (var p = 0; p < cols; p++)
            for (var q = p + 1; q < cols; q++) jtj[q * cols + p] = jtj[p * cols + q];
    }

    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);
}
