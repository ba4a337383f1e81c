using System.Numerics.Tensors;
using Milad.Moments;
using Milad.Structures;

namespace Milad.Decoding;

/// <summary>
/// Fitting points and weights to geometric moments: per-degree scales, the residual, linear least squares for the
/// weights and a few Levenberg-Marquardt steps on everything. Every comparison of moments is made per degree,
/// relative to the size the degree would have without cancellation (<see cref="DegreeScales"/>), so high degrees
/// (small, since |x| &lt; 1) weigh as much as low ones.
/// </summary>
internal static class MomentPencilFit
{
    /// <summary>
    /// s_n = ||(sum_i |w_i| |x_i^a|)_{|a| = n}||_2 for n = 0..n_max: the norm degree n would have if nothing cancelled.
    /// </summary>
    public static double[] DegreeScales(int nMax, ReadOnlySpan<Vec3> points, ReadOnlySpan<double> weights, double floor)
    {
        var abs = new Vec3[points.Length];
        var wAbs = new double[points.Length];
        for (var i = 0; i < abs.Length; i++)
        {
            abs[i] = new Vec3(Math.Abs(points[i].X), Math.Abs(points[i].Y), Math.Abs(points[i].Z));
            wAbs[i] = Math.Abs(weights[i]);
        }
        var m = GeometricMoments.Compute(nMax, abs, wAbs);
        var s = new double[nMax + 1];
        for (var n = 0; n <= nMax; n++)
        {
            var sum = 0.0;
            for (var k = GeometricMoments.Count(n - 1); k < GeometricMoments.Count(n); k++) sum += m[k] * m[k];
            // The floor: the absolute error level of the input moments (and > 0 for a point set at the origin).
            s[n] = Math.Max(Math.Sqrt(sum), Math.Max(floor, 1e-300));
        }
        return s;
    }

    /// <summary>max_n ||M_n(points, weights) - M_n(input)|| / s_n with s_n from the recovered points (see <see cref="MomentPencilResult.Residual"/>).</summary>
    public static double Residual(int nMax, ReadOnlySpan<double> input, ReadOnlySpan<Vec3> points, ReadOnlySpan<double> weights, double floor)
    {
        var m = GeometricMoments.Compute(nMax, points, weights);
        var s = DegreeScales(nMax, points, weights, floor);
        var worst = 0.0;
        for (var n = 0; n <= nMax; n++)
        {
            var sum = 0.0;
            for (var k = GeometricMoments.Count(n - 1); k < GeometricMoments.Count(n); k++)
            {
                var d = m[k] - input[k];
                sum += d * d;
            }
            worst = Math.Max(worst, Math.Sqrt(sum) / s[n]);
        }
        return double.IsFinite(worst) ? worst : double.PositiveInfinity;
    }

    /// <summary>
    /// Weights minimising sum_n ||M_n(points, w) - M_n(input)||^2 / s_n^2 (linear least squares by QR), s_n from the
    /// points with equal weights.
    /// </summary>
    public static double[] FitWeights(int nMax, ReadOnlySpan<double> input, ReadOnlySpan<Vec3> points, double floor)
    {
        var count = GeometricMoments.Count(nMax);
        var n = points.Length;
        var unit = new double[n];
        Array.Fill(unit, input[0] / Math.Max(n, 1));
        var s = DegreeScales(nMax, points, unit, floor);
        var columns = new double[n][];
        for (var i = 0; i < n; i++)
        {
            columns[i] = GeometricMoments.Compute(nMax, points.Slice(i, 1), ReadOnlySpan<double>.Empty);
            for (var deg = 0; deg <= nMax; deg++)
                for (var k = GeometricMoments.Count(deg - 1); k < GeometricMoments.Count(deg); k++) columns[i][k] /= s[deg];
        }
        var b = new double[count];
        for (var deg = 0; deg <= nMax; deg++)
            for (var k = GeometricMoments.Count(deg - 1); k < GeometricMoments.Count(deg); k++) b[k] = input[k] / s[deg];
        return MomentLinearAlgebra.LeastSquares(columns, b);
    }

    /// <summary>
    /// Up to <paramref name="iterations"/> Levenberg-Marquardt steps on (x_i, y_i, z_i, w_i) against all moments of
    /// degree &lt;= n_max (residuals divided by the per-degree scales of the starting point). A step is kept only
    /// when it lowers the sum of squares, so the result is never worse than the start.
    /// </summary>
    public static void Polish(int nMax, ReadOnlySpan<double> input, Vec3[] points, double[] weights, int iterations, double floor)
    {
        var n = points.Length;
        if (n == 0 || iterations <= 0) return;
        var count = GeometricMoments.Count(nMax);
        var exps = GeometricMoments.Exponents(nMax);
        var degreeOf = new int[count];
        for (var k = 0; k < count; k++) degreeOf[k] = exps[k].P + exps[k].Q + exps[k].S;
        var scale = DegreeScales(nMax, points, weights, floor);
        var invScale = new double[count];
        for (var k = 0; k < count; k++) invScale[k] = 1 / scale[degreeOf[k]];
        var target = input[..count].ToArray();

        var p = n * 4;
        var jac = new double[p][];
        for (var j = 0; j < p; j++) jac[j] = new double[count];
        var r = new double[count];
        var cost = Evaluate(points, weights, null);
        // Already at round-off (exact moments, a good pencil): nothing to gain.
        if (cost <= 1e-30 * count) return;
        var lambda = 1e-6;
        var jtj = new double[p * p];
        var damped = new double[p * p];
        var g = new double[p];
        var step = new double[p];
        var trialPoints = new Vec3[n];
        var trialWeights = new double[n];
        for (var it = 0; it < iterations; it++)
        {
            Evaluate(points, weights, jac);
            for (var a = 0; a < p; a++)
            {
                g[a] = TensorPrimitives.Dot<double>(jac[a], r);
                for (var b = 0; b <= a; b++) jtj[a * p + b] = jtj[b * p + a] = TensorPrimitives.Dot<double>(jac[a], jac[b]);
            }
            var improved = false;
            for (var attempt = 0; attempt < 4 && !improved; attempt++)
            {
                jtj.CopyTo(damped, 0);
                for (var a = 0; a < p; a++) damped[a * p + a] += lambda * Math.Max(jtj[a * p + a], 1e-300);
                g.CopyTo(step, 0);
                if (!MomentLinearAlgebra.CholeskySolve(damped, p, step)) { lambda *= 100; continue; }
                for (var i = 0; i < n; i++)
                {
                    trialPoints[i] = points[i] - new Vec3(step[4 * i], step[4 * i + 1], step[4 * i + 2]);
                    trialWeights[i] = weights[i] - step[4 * i + 3];
                }
                var trialCost = Evaluate(trialPoints, trialWeights, null);
                if (trialCost < cost)
                {
                    var gain = (cost - trialCost) / cost;
                    trialPoints.CopyTo(points, 0);
                    trialWeights.CopyTo(weights, 0);
                    cost = trialCost;
                    lambda = Math.Max(lambda / 10, 1e-12);
                    improved = true;
                    if (gain < 1e-2 || cost <= 1e-30 * count) return; // converged to the noise floor
                }
                else lambda *= 10;
            }
            if (!improved) return;
        }

        // Residuals r (scaled) into the shared buffer and, when asked, the Jacobian columns; returns the sum of squares.
        double Evaluate(Vec3[] pts, double[] w, double[][]? jacobian)
        {
            Array.Clear(r);
            Span<double> xp = stackalloc double[nMax + 2], yp = stackalloc double[nMax + 2], zp = stackalloc double[nMax + 2];
            for (var i = 0; i < pts.Length; i++)
            {
                var v = pts[i];
                xp[0] = yp[0] = zp[0] = 1;
                for (var k = 1; k <= nMax; k++)
                {
                    xp[k] = xp[k - 1] * v.X;
                    yp[k] = yp[k - 1] * v.Y;
                    zp[k] = zp[k - 1] * v.Z;
                }
                var wi = w[i];
                for (var k = 0; k < count; k++)
                {
                    var (a, b, c) = exps[k];
                    var mono = xp[a] * yp[b] * zp[c];
                    r[k] += wi * mono;
                    if (jacobian == null) continue;
                    var f = wi * invScale[k];
                    jacobian[4 * i][k] = a == 0 ? 0 : f * a * xp[a - 1] * yp[b] * zp[c];
                    jacobian[4 * i + 1][k] = b == 0 ? 0 : f * b * xp[a] * yp[b - 1] * zp[c];
                    jacobian[4 * i + 2][k] = c == 0 ? 0 : f * c * xp[a] * yp[b] * zp[c - 1];
                    jacobian[4 * i + 3][k] = mono * invScale[k];
                }
            }
            for (var k = 0; k < count; k++) r[k] = (r[k] - target[k]) * invScale[k];
            var sum = TensorPrimitives.Dot<double>(r, r);
            return double.IsFinite(sum) ? sum : double.PositiveInfinity;
        }
    }
}
