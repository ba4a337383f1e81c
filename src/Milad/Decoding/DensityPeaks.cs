using System.Diagnostics;
using System.Numerics.Tensors;
using Milad.Moments;
using Milad.Structures;

namespace Milad.Decoding;

/// <summary>
/// A first guess of weighted points from Zernike moments alone, in the spirit of M. Uhrin, Phys. Rev. B 104,
/// 144110 (2021): reconstruct the density <c>rho(x) = sum_mu moments_mu Zr_mu(x)</c> (the orthonormal-basis
/// expansion truncated at n_max: each point becomes a smeared kernel <c>K(x, y) = sum_mu Zr_mu(x) Zr_mu(y)</c>),
/// take its strongest peak, estimate the weight there, subtract that point's moments, repeat.
/// <para>
/// "Strongest" is the largest <c>rho(y) / sqrt(K(y, y))</c> and the weight is <c>rho(y) / K(y, y)</c>: the point
/// whose moments best explain what remains (matching pursuit). The raw peak height would favour points near the
/// sphere, where the kernel is tallest (K(y, y) grows ~ 10x from the centre to |y| = 0.9 at n_max 11). Each
/// subtraction is an orthogonal projection, so the remaining moments shrink at every step. The search stops when
/// the next weight falls below a threshold: the number of points comes out of the data.
/// </para>
/// <para>
/// Peaks are located on a cubic grid over the ball (spacing min(0.1, 1/n_max), a fraction of the kernel width)
/// and then refined by gradient ascent with the exact gradients of the basis. The basis values on the grid are
/// kept (single precision, when they fit in 64 MB) so each step is one matrix-vector product.
/// </para>
/// Thread-safe after construction.
/// </summary>
public sealed class DensityPeaks
{
    private const long MaxCachedValues = 16L << 20; // floats: 64 MB
    private readonly Vec3[] _grid;
    private readonly float[]? _values;   // grid point g, function mu at [g * Count + mu]
    private readonly double[] _kernelDiagonal; // K(x_g, x_g)

    /// <param name="basis">The Zernike basis of the moments.</param>
    /// <param name="gridSpacing">Grid spacing in unit-ball units; 0 or less: min(0.1, 1/n_max).</param>
    public DensityPeaks(ZernikeBasis basis, double gridSpacing = 0)
    {
        Basis = basis ?? throw new ArgumentNullException(nameof(basis));
        GridSpacing = gridSpacing > 0 ? gridSpacing : Math.Min(0.1, 1.0 / Math.Max(1, basis.NMax));
        var grid = new List<Vec3>();
        var half = (int)Math.Floor(1 / GridSpacing);
        for (var i = -half; i <= half; i++)
            for (var j = -half; j <= half; j++)
                for (var k = -half; k <= half; k++)
                {
                    var p = GridSpacing * new Vec3(i, j, k);
                    if (p.Norm2 <= 1) grid.Add(p);
                }
        _grid = grid.ToArray();
        var m = basis.Count;
        _kernelDiagonal = new double[_grid.Length];
        if ((long)_grid.Length * m <= MaxCachedValues) _values = new float[_grid.Length * m];
        var z = new double[m];
        for (var g = 0; g < _grid.Length; g++)
        {
            basis.Evaluate(_grid[g], z);
            _kernelDiagonal[g] = TensorPrimitives.Dot(z, z);
            if (_values != null)
                for (var mu = 0; mu < m; mu++) _values[g * m + mu] = (float)z[mu];
        }
    }

    public ZernikeBasis Basis { get; }

    /// <summary>Spacing of the search grid in unit-ball units.</summary>
    public double GridSpacing { get; }

    /// <summary>Reconstructed density <c>sum_mu moments_mu Zr_mu(x)</c>.</summary>
    public double Density(ReadOnlySpan<double> moments, Vec3 x)
    {
        MomentFit.CheckTarget(Basis, moments);
        var z = new double[Basis.Count];
        Basis.Evaluate(x, z);
        return TensorPrimitives.Dot(z, moments);
    }

    /// <summary>
    /// Greedy peak picking: up to <paramref name="maxPoints"/> points, stopping when the next estimated weight is
    /// below <paramref name="minWeight"/> or the remaining moments are below 1e-9 of the target.
    /// Throws <see cref="ArgumentException"/> for moments of the wrong length or non-finite moments.
    /// </summary>
    public DensityPeaksResult Find(ReadOnlySpan<double> target, double minWeight = 0.5, int maxPoints = 64)
    {
        MomentFit.CheckTarget(Basis, target);
        return Find(target, minWeight, maxPoints, WorkBudget.Unlimited);
    }

    /// <summary><see cref="Find(ReadOnlySpan{double}, double, int)"/> within a budget (one unit per pick).</summary>
    internal DensityPeaksResult Find(ReadOnlySpan<double> target, double minWeight, int maxPoints, WorkBudget budget)
    {
        var m = Basis.Count;
        var remaining = target.ToArray();
        var targetNorm = TensorPrimitives.Norm(target);
        var points = new List<Vec3>();
        var weights = new List<double>();
        var z = new double[m];
        while (points.Count < maxPoints && !budget.Exhausted
               && TensorPrimitives.Norm(remaining) > 1e-9 * targetNorm)
        {
            budget.Spend();
            var (x, w) = StrongestPeak(remaining);
            if (!(w >= minWeight)) break;
            points.Add(x);
            weights.Add(w);
            Basis.Evaluate(x, z);
            TensorPrimitives.MultiplyAdd(z, -w, remaining, remaining);
        }
        var left = targetNorm > 0 ? TensorPrimitives.Norm(remaining) / targetNorm : 0;
        return new DensityPeaksResult(points.ToArray(), weights.ToArray(), left);
    }

    /// <summary>The point y maximising rho(y)/sqrt(K(y,y)) for these moments, and its weight rho(y)/K(y,y).</summary>
    internal (Vec3 Point, double Weight) StrongestPeak(ReadOnlySpan<double> moments)
    {
        var m = Basis.Count;
        var best = -1;
        var bestScore = double.NegativeInfinity;
        if (_values != null)
        {
            Span<float> mf = m <= 4096 ? stackalloc float[m] : new float[m];
            for (var mu = 0; mu < m; mu++) mf[mu] = (float)moments[mu];
            for (var g = 0; g < _grid.Length; g++)
            {
                var score = TensorPrimitives.Dot(_values.AsSpan(g * m, m), mf) / Math.Sqrt(_kernelDiagonal[g]);
                if (score > bestScore) { bestScore = score; best = g; }
            }
        }
        else
        {
            var z = new double[m];
            for (var g = 0; g < _grid.Length; g++)
            {
                Basis.Evaluate(_grid[g], z);
                var score = TensorPrimitives.Dot(z, moments) / Math.Sqrt(_kernelDiagonal[g]);
                if (score > bestScore) { bestScore = score; best = g; }
            }
        }
        return Refine(moments, _grid[Math.Max(best, 0)]);
    }

    /// <summary>Gradient ascent of f(y) = rho(y)/sqrt(K(y,y)) inside the ball, from a grid point.</summary>
    private (Vec3, double) Refine(ReadOnlySpan<double> momentsSpan, Vec3 x)
    {
        var moments = momentsSpan.ToArray();
        var m = Basis.Count;
        double[] z = new double[m], dx = new double[m], dy = new double[m], dz = new double[m];
        double Score(Vec3 p, out double rho, out double k, out Vec3 grad, bool withGrad)
        {
            Basis.Evaluate(p, z, withGrad ? dx : default, withGrad ? dy : default, withGrad ? dz : default);
            rho = TensorPrimitives.Dot(z, moments);
            k = TensorPrimitives.Dot(z, z);
            var s = Math.Sqrt(k);
            grad = default;
            if (withGrad)
            {
                // d(rho/sqrt K) = drho/sqrt K - rho dK / (2 K^1.5), dK = 2 Z.dZ
                var c = rho / (k * s);
                grad = new Vec3(
                    TensorPrimitives.Dot(dx, moments) / s - c * TensorPrimitives.Dot(z, dx),
                    TensorPrimitives.Dot(dy, moments) / s - c * TensorPrimitives.Dot(z, dy),
                    TensorPrimitives.Dot(dz, moments) / s - c * TensorPrimitives.Dot(z, dz));
            }
            return rho / s;
        }
        var f = Score(x, out var rhoX, out var kX, out var g, true);
        var step = 0.25 * GridSpacing;
        for (var it = 0; it < 40 && step > 1e-6; it++)
        {
            var gn = g.Norm;
            if (gn == 0) break;
            var trial = x + (step / gn) * g;
            if (trial.Norm2 > 1) trial /= trial.Norm;
            var ft = Score(trial, out var rhoT, out var kT, out var gt, true);
            if (ft > f) { x = trial; f = ft; g = gt; rhoX = rhoT; kX = kT; step *= 1.5; }
            else step *= 0.5;
        }
        return (x, rhoX / kX);
    }
}
