using System.Diagnostics;
using System.Numerics.Tensors;
using Milad.Moments;
using Milad.Structures;

namespace Milad.Decoding;

/// <summary>
/// Fits weighted points x_i (inside the unit ball) to target real Zernike moments by Levenberg-Marquardt:
/// minimise <c>sum_mu s_mu^2 (sum_i w_i Zr_mu(x_i) - target_mu)^2</c> over the points and, optionally, the
/// weights (<c>s_mu</c> = 1, or 1/sqrt(2n+3) with <see cref="MomentFitOptions.ScaleBlocks"/>).
/// <para>
/// The Jacobian is analytic (values and gradients of the basis from <see cref="ZernikeBasis.Evaluate(Vec3, Span{double}, Span{double}, Span{double}, Span{double})"/>),
/// the damped normal equations <c>(J^T J + lambda diag(J^T J)) delta = -J^T r</c> are solved by Cholesky.
/// Near an exact solution the step is Gauss-Newton, so the residual falls quadratically to rounding level.
/// A step that would take a point out of the closed unit ball is rejected like a step that raises the cost.
/// </para>
/// Thread-safe: one instance can fit on many threads.
/// </summary>
public sealed class MomentFit
{
    private readonly double[] _scale;

    public MomentFit(ZernikeBasis basis, MomentFitOptions? options = null)
    {
        Basis = basis ?? throw new ArgumentNullException(nameof(basis));
        Options = options ?? new MomentFitOptions();
        _scale = new double[basis.Count];
        foreach (var (n, l) in basis.Blocks)
            _scale.AsSpan(basis.Offset(n, l), 2 * l + 1).Fill(Options.ScaleBlocks ? 1 / Math.Sqrt(2 * n + 3) : 1);
    }

    public ZernikeBasis Basis { get; }

    public MomentFitOptions Options { get; }

    /// <summary>Real Zernike moments <c>sum_i w_i Zr(x_i)</c> of weighted points (unit-ball coordinates).</summary>
    public static double[] Moments(ZernikeBasis basis, ReadOnlySpan<Vec3> points, ReadOnlySpan<double> weights)
    {
        if (points.Length != weights.Length) throw new ArgumentException("one weight per point", nameof(weights));
        var moments = new double[basis.Count];
        var z = new double[basis.Count];
        for (var i = 0; i < points.Length; i++)
        {
            basis.Evaluate(points[i], z);
            TensorPrimitives.MultiplyAdd(z, weights[i], moments, moments);
        }
        return moments;
    }

    /// <summary>
    /// Fit from a starting guess. <paramref name="points"/> must lie in the closed unit ball (points outside are
    /// pulled onto the sphere). Throws <see cref="ArgumentException"/> for a target of the wrong length,
    /// non-finite input or mismatched lengths.
    /// </summary>
    public MomentFitResult Fit(ReadOnlySpan<double> target, ReadOnlySpan<Vec3> points, ReadOnlySpan<double> weights)
    {
        CheckTarget(Basis, target);
        if (points.Length != weights.Length) throw new ArgumentException("one weight per point", nameof(weights));
        foreach (var p in points) if (!p.IsFinite) throw new ArgumentException("non-finite point", nameof(points));
        foreach (var w in weights) if (!double.IsFinite(w)) throw new ArgumentException("non-finite weight", nameof(weights));
        return Fit(target, points.ToArray(), weights.ToArray(), WorkBudget.Unlimited);
    }

    /// <summary>
    /// Half the scaled sum of squares, <c>0.5 sum_mu s_mu^2 (model_mu - target_mu)^2</c>, and its gradient with
    /// respect to (x_0, y_0, z_0, x_1, ..., w_0, w_1, ...) into <paramref name="gradient"/> (length 4N) when not empty.
    /// </summary>
    public double Objective(ReadOnlySpan<double> target, ReadOnlySpan<Vec3> points, ReadOnlySpan<double> weights, Span<double> gradient)
    {
        CheckTarget(Basis, target);
        var n = points.Length;
        var m = Basis.Count;
        var r = new double[m];
        var jac = gradient.IsEmpty ? null : new double[4 * n * m];
        Residual(target, points, weights, true, r, jac, new Workspace(m));
        if (jac != null)
            for (var p = 0; p < 4 * n; p++) gradient[p] = TensorPrimitives.Dot(jac.AsSpan(p * m, m), r);
        return 0.5 * TensorPrimitives.Dot(r, r);
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless the moments have the basis length and are finite.</summary>
    internal static void CheckTarget(ZernikeBasis basis, ReadOnlySpan<double> target)
    {
        if (target.Length != basis.Count)
            throw new ArgumentException($"expected {basis.Count} moments for n_max {basis.NMax}, got {target.Length}", nameof(target));
        foreach (var t in target) if (!double.IsFinite(t)) throw new ArgumentException("non-finite moment", nameof(target));
    }

    /// <summary>
    /// The fit proper, within a budget (one unit per evaluation), checked before every trial step, so it is
    /// overrun by at most one iteration. Snaps to <see cref="MomentFitOptions.AllowedWeights"/> when set.
    /// </summary>
    internal MomentFitResult Fit(ReadOnlySpan<double> target, Vec3[] points, double[] weights, WorkBudget budget)
    {
        for (var i = 0; i < points.Length; i++)
            if (points[i].Norm2 > 1) points[i] /= points[i].Norm;
        var iterations = Run(target, points, weights, Options.FitWeights, budget);
        if (Options.FitWeights && Options.AllowedWeights is { Count: > 0 } allowed)
        {
            for (var i = 0; i < weights.Length; i++) weights[i] = Nearest(allowed, weights[i]);
            iterations += Run(target, points, weights, false, budget);
        }
        return new MomentFitResult(points, weights, RelativeResidual(target, points, weights), iterations);
    }

    /// <summary>Fit with the weights fixed regardless of <see cref="MomentFitOptions.FitWeights"/> (no snapping).</summary>
    internal MomentFitResult FitPositions(ReadOnlySpan<double> target, Vec3[] points, double[] weights, WorkBudget budget)
    {
        var iterations = Run(target, points, weights, false, budget);
        return new MomentFitResult(points, weights, RelativeResidual(target, points, weights), iterations);
    }

    internal static double Nearest(IReadOnlyList<double> allowed, double w)
    {
        var best = allowed[0];
        foreach (var a in allowed) if (Math.Abs(a - w) < Math.Abs(best - w)) best = a;
        return best;
    }

    /// <summary>||model - target|| / ||target|| (unscaled); the absolute norm when the target is zero.</summary>
    internal double RelativeResidual(ReadOnlySpan<double> target, ReadOnlySpan<Vec3> points, ReadOnlySpan<double> weights)
    {
        var model = Moments(Basis, points, weights);
        TensorPrimitives.Subtract(model, target, model);
        var norm = TensorPrimitives.Norm(target);
        var res = TensorPrimitives.Norm(model);
        return norm > 0 ? res / norm : res;
    }

    private sealed class Workspace(int m)
    {
        public readonly double[] Z = new double[m], Dx = new double[m], Dy = new double[m], Dz = new double[m];
    }

    /// <summary>
    /// Scaled residual r = s (model - target) and, when <paramref name="jac"/> is not null, its Jacobian stored
    /// parameter-major: row p (length M) = dr/dp, positions first (3 per point), then the weights when
    /// <paramref name="withWeights"/>.
    /// </summary>
    private void Residual(ReadOnlySpan<double> target, ReadOnlySpan<Vec3> points, ReadOnlySpan<double> weights,
        bool withWeights, double[] r, double[]? jac, Workspace ws, double[]? scale = null)
    {
        var m = Basis.Count;
        var n = points.Length;
        var _scale = scale ?? this._scale;
        TensorPrimitives.Negate(target, r);
        for (var i = 0; i < n; i++)
        {
            if (jac == null)
            {
                Basis.Evaluate(points[i], ws.Z);
                TensorPrimitives.MultiplyAdd(ws.Z, weights[i], r, r);
                continue;
            }
            Basis.Evaluate(points[i], ws.Z, ws.Dx, ws.Dy, ws.Dz);
            TensorPrimitives.MultiplyAdd(ws.Z, weights[i], r, r);
            // d r / d x_ia = s w_i dZ/dx_a ; d r / d w_i = s Z
            var w = weights[i];
            TensorPrimitives.Multiply(ws.Dx, _scale, jac.AsSpan((3 * i) * m, m));
            TensorPrimitives.Multiply(jac.AsSpan((3 * i) * m, m), w, jac.AsSpan((3 * i) * m, m));
            TensorPrimitives.Multiply(ws.Dy, _scale, jac.AsSpan((3 * i + 1) * m, m));
            TensorPrimitives.Multiply(jac.AsSpan((3 * i + 1) * m, m), w, jac.AsSpan((3 * i + 1) * m, m));
            TensorPrimitives.Multiply(ws.Dz, _scale, jac.AsSpan((3 * i + 2) * m, m));
            TensorPrimitives.Multiply(jac.AsSpan((3 * i + 2) * m, m), w, jac.AsSpan((3 * i + 2) * m, m));
            if (withWeights) TensorPrimitives.Multiply(ws.Z, _scale, jac.AsSpan((3 * n + i) * m, m));
        }
        TensorPrimitives.Multiply(r, _scale, r);
    }

    /// <summary>Levenberg-Marquardt in place on points (and weights). Returns the number of Jacobian evaluations.</summary>
    private int Run(ReadOnlySpan<double> target, Vec3[] points, double[] weights, bool withWeights, WorkBudget budget)
    {
        return RunScaled(target, points, weights, withWeights, budget, _scale);
    }

    private int RunScaled(ReadOnlySpan<double> target, Vec3[] points, double[] weights, bool withWeights, WorkBudget budget, double[] scale)
    {
        var n = points.Length;
        if (n == 0 || budget.Exhausted) return 0;
        var m = Basis.Count;
        var np = withWeights ? 4 * n : 3 * n;
        var ws = new Workspace(m);
        var r = new double[m];
        var rTrial = new double[m];
        var jac = new double[np * m];
        var jtj = new double[np * np];
        var chol = new double[np * np];
        var g = new double[np];
        var step = new double[np];
        var trialPoints = new Vec3[n];
        var trialWeights = new double[n];

        // Stopping on the scaled cost: the relative tolerance is on the unscaled residual, and with scaling the
        // two differ by at most the ratio of the extreme scales, so compare against the scaled target norm.
        var scaledTarget = new double[m];
        TensorPrimitives.Multiply(target, scale, scaledTarget);
        var targetNorm2 = Math.Max(TensorPrimitives.Dot(scaledTarget, scaledTarget), double.Epsilon);
        var tol2 = Options.Tolerance * Options.Tolerance * targetNorm2;

        var lambda = 1e-3;
        var iterations = 0;
        var slow = 0;
        // Charged in proportion to the arithmetic, as in LeastSquares (one unit ~ 1e6 flops).
        var jacobianWork = 1 + (long)((double)m * np * np / 1e6);
        var trialWork = 1 + (long)((double)np * np * np / 3e6);
        budget.Spend(jacobianWork);
        Residual(target, points, weights, withWeights, r, jac, ws, scale);
        var cost = TensorPrimitives.Dot(r, r);
        while (iterations < Options.MaxIterations && cost > tol2)
        {
            iterations++;
            // Normal equations: J^T J (parameter-major rows, so each entry is one contiguous dot product).
            for (var a = 0; a < np; a++)
            {
                var ra = jac.AsSpan(a * m, m);
                g[a] = TensorPrimitives.Dot(ra, r);
                for (var b = 0; b <= a; b++)
                    jtj[a * np + b] = TensorPrimitives.Dot(ra, jac.AsSpan(b * m, m));
            }
            var accepted = false;
            while (!accepted)
            {
                if (budget.Exhausted || lambda > 1e16) return iterations;
                for (var a = 0; a < np; a++)
                {
                    for (var b = 0; b <= a; b++) chol[a * np + b] = jtj[a * np + b];
                    // Marquardt's diagonal scaling, floored so a parameter with no influence (weight 0) stays finite.
                    chol[a * np + a] += lambda * Math.Max(jtj[a * np + a], 1e-12 * targetNorm2);
                }
                if (!Cholesky(chol, np)) { lambda *= 10; continue; }
                for (var a = 0; a < np; a++) step[a] = -g[a];
                Solve(chol, np, step);

                var inside = true;
                for (var i = 0; i < n; i++)
                {
                    trialPoints[i] = points[i] + new Vec3(step[3 * i], step[3 * i + 1], step[3 * i + 2]);
                    if (trialPoints[i].Norm2 > 1) inside = false;
                    trialWeights[i] = withWeights ? weights[i] + step[3 * n + i] : weights[i];
                }
                if (!inside) { lambda *= 10; continue; }
                budget.Spend(trialWork);
                Residual(target, trialPoints, trialWeights, withWeights, rTrial, null, ws, scale);
                var trialCost = TensorPrimitives.Dot(rTrial, rTrial);
                if (!(trialCost < cost))
                {
                    // At rounding level no step can lower the cost: stop rather than raise lambda to the ceiling.
                    if (cost < 1e-28 * targetNorm2) return iterations;
                    lambda *= 10;
                    continue;
                }
                accepted = true;
                Array.Copy(trialPoints, points, n);
                Array.Copy(trialWeights, weights, n);
                lambda = Math.Max(lambda / 10, 1e-12);
                var decrease = (cost - trialCost) / cost;
                cost = trialCost;
                // Stalled far from zero (a local minimum): further iterations only polish a wrong answer.
                slow = decrease < 1e-9 ? slow + 1 : 0;
                if (slow >= 5) return iterations;
            }
            if (cost > tol2 && iterations < Options.MaxIterations)
            {
                budget.Spend(jacobianWork);
                Residual(target, points, weights, withWeights, r, jac, ws, scale);
            }
        }
        return iterations;
    }

    /// <summary>In-place Cholesky of the lower triangle of a row-major n x n matrix; false when not positive definite.</summary>
    private static bool Cholesky(double[] a, int n)
    {
        for (var j = 0; j < n; j++)
        {
            var rowJ = a.AsSpan(j * n, j);
            var d = a[j * n + j] - TensorPrimitives.Dot(rowJ, rowJ);
            if (!(d > 0)) return false;
            d = Math.Sqrt(d);
            a[j * n + j] = d;
            for (var i = j + 1; i < n; i++)
                a[i * n + j] = (a[i * n + j] - TensorPrimitives.Dot(a.AsSpan(i * n, j), rowJ)) / d;
        }
        return true;
    }

    /// <summary>Solves L L^T x = b in place with the factor from <see cref="Cholesky"/>.</summary>
    private static void Solve(double[] l, int n, double[] b)
    {
        for (var i = 0; i < n; i++)
            b[i] = (b[i] - TensorPrimitives.Dot(l.AsSpan(i * n, i), b.AsSpan(0, i))) / l[i * n + i];
        for (var i = n - 1; i >= 0; i--)
        {
            var s = b[i];
            for (var k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
            b[i] = s / l[i * n + i];
        }
    }
}
