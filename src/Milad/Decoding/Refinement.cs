using System.Numerics.Tensors;
using Milad.Invariants;
using Milad.Structures;

namespace Milad.Decoding;

/// <summary>
/// Levenberg-Marquardt of points (and optionally weights) against the fingerprint itself, with the
/// analytic Jacobian dI/dtheta = (dI/dOmega)(dOmega/dtheta): dOmega/dx_p = w_p grad Zr(x_p),
/// dOmega/dw_p = Zr(x_p). Points are in unit-ball coordinates. Each invariant's residual is multiplied by
/// its equation weight (see <see cref="FrequencyMarching.EquationWeights"/>), so the fit is relative per
/// invariant down to the weights' floor.
/// </summary>
internal sealed class Refinement
{
    private readonly InvariantSet _set;
    private readonly double[] _f;
    private readonly double[] _scale;

    public Refinement(InvariantSet set, double[] fingerprint, double[] equationWeights)
    {
        _set = set;
        _f = fingerprint;
        _scale = equationWeights;
    }

    /// <summary>RMS of the weighted invariant residuals of points and weights.</summary>
    public double WeightedResidual(Vec3[] points, double[] weights)
    {
        var values = Invariants(points, weights);
        double sum = 0;
        for (var q = 0; q < values.Length; q++)
        {
            var r = _scale[q] * (values[q] - _f[q]);
            sum += r * r;
        }
        return Math.Sqrt(sum / values.Length);
    }

    /// <summary>|I(points, weights) - I| / |I| (Euclidean norms over the whole fingerprint).</summary>
    public double RelativeResidual(Vec3[] points, double[] weights)
    {
        var values = Invariants(points, weights);
        double d = 0, f = 0;
        for (var q = 0; q < values.Length; q++) { d += (values[q] - _f[q]) * (values[q] - _f[q]); f += _f[q] * _f[q]; }
        return Math.Sqrt(d / f);
    }

    private double[] Invariants(Vec3[] points, double[] weights)
    {
        var basis = _set.Basis;
        var moments = new double[basis.Count];
        var z = new double[basis.Count];
        for (var p = 0; p < points.Length; p++)
        {
            basis.Evaluate(points[p], z);
            TensorPrimitives.MultiplyAdd(z, weights[p], moments, moments);
        }
        var values = new double[_set.Count];
        _set.Evaluate(moments, values);
        return values;
    }

    /// <summary>
    /// Refines in place (positions unless <paramref name="fitPositions"/> is false, weights when
    /// <paramref name="fitWeights"/>); returns the RMS of the weighted residuals.
    /// </summary>
    public double Run(Vec3[] points, double[] weights, bool fitWeights, int maxIterations, WorkBudget budget, double targetRms = 1e-13, bool fitPositions = true)
    {
        var n = points.Length;
        var w0 = fitPositions ? 3 * n : 0; // unknowns: positions (3n), then weights (n)
        var unknowns = w0 + (fitWeights ? n : 0);
        var x = new double[unknowns];
        for (var p = 0; p < n; p++)
        {
            if (fitPositions) { x[3 * p] = points[p].X; x[3 * p + 1] = points[p].Y; x[3 * p + 2] = points[p].Z; }
            if (fitWeights) x[w0 + p] = weights[p];
        }
        var basis = _set.Basis;
        int m = basis.Count, q = _set.Count;
        var z = new double[m]; var gx = new double[m]; var gy = new double[m]; var gz = new double[m];
        // dOmega[i * unknowns + u] = d Omega_i / d theta_u: one row per moment, so that a row of the Jacobian is a
        // short sum over the moments its invariant depends on (its support), not a product with all of them.
        var dOmega = new double[m * unknowns];
        var moments = new double[m];
        var values = new double[q];
        var grad = new double[m];
        bool Model(ReadOnlySpan<double> t, Span<double> r, Span<double> j)
        {
            Array.Clear(moments);
            var jacobian = !j.IsEmpty;
            for (var p = 0; p < n; p++)
            {
                var pt = fitPositions ? new Vec3(t[3 * p], t[3 * p + 1], t[3 * p + 2]) : points[p];
                if (!(pt.Norm2 < 1)) return false;
                var w = fitWeights ? t[w0 + p] : weights[p];
                if (!jacobian)
                {
                    basis.Evaluate(pt, z);
                    TensorPrimitives.MultiplyAdd(z, w, moments, moments);
                    continue;
                }
                basis.Evaluate(pt, z, gx, gy, gz);
                TensorPrimitives.MultiplyAdd(z, w, moments, moments);
                for (var i = 0; i < m; i++)
                {
                    var row = i * unknowns;
                    if (fitPositions)
                    {
                        dOmega[row + 3 * p] = w * gx[i];
                        dOmega[row + 3 * p + 1] = w * gy[i];
                        dOmega[row + 3 * p + 2] = w * gz[i];
                    }
                    if (fitWeights) dOmega[row + w0 + p] = z[i];
                }
            }
            _set.Evaluate(moments, values);
            for (var i = 0; i < q; i++) r[i] = _scale[i] * (values[i] - _f[i]);
            if (!jacobian) return true;
            j[..(q * unknowns)].Clear();
            for (var i = 0; i < q; i++)
            {
                var support = _set.Support(i);
                _set.AddGradient(i, moments, _scale[i], grad);
                var row = j.Slice(i * unknowns, unknowns);
                foreach (var k in support)
                {
                    if (grad[k] != 0) TensorPrimitives.MultiplyAdd(dOmega.AsSpan(k * unknowns, unknowns), grad[k], row, row);
                    grad[k] = 0;
                }
            }
            return true;
        }
        var cost = LeastSquares.LevenbergMarquardt(Model, q, x, maxIterations, targetRms * targetRms * q, budget);
        for (var p = 0; p < n; p++)
        {
            if (fitPositions) points[p] = new Vec3(x[3 * p], x[3 * p + 1], x[3 * p + 2]);
            if (fitWeights) weights[p] = x[w0 + p];
        }
        return Math.Sqrt(cost / q);
    }
}
