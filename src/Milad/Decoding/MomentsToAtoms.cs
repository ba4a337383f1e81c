using System.Diagnostics;
using System.Numerics.Tensors;
using Milad.Moments;
using Milad.Structures;

namespace Milad.Decoding;

/// <summary>
/// Decodes Zernike moments into weighted points without a trained model: <see cref="DensityPeaks"/> gives the
/// first guess (and the number of points), <see cref="MomentFit"/> refines points and weights together, and
/// while the fit is not exact a local search tries variations of the best candidate so far, within a time
/// budget:
/// <list type="number">
/// <item>add a point at the strongest peak of the residual density (moments minus model);</item>
/// <item>drop the weakest point;</item>
/// <item>split the heaviest point into two 0.08 apart, each with half its weight;</item>
/// <item>perturb every point (Gaussian, sigma 0.04) and refit;</item>
/// <item>restart from the peak guess perturbed by sigma 0.08.</item>
/// </list>
/// The search runs on fits with free weights (a variation replaces the search state only when its free fit
/// is better); every such fit is also turned into an answer: drop points below the minimum weight, snap to the
/// allowed weights, refit the points. The best answer is returned.
/// <para>
/// The points come out in the frame of the moments, which for moments rebuilt from rotation invariants is an
/// arbitrary rotation of the original.
/// </para>
/// Thread-safe: one instance can decode on many threads (each call has its own random generator).
/// </summary>
public sealed class MomentsToAtoms
{
    private readonly DensityPeaks _peaks;
    private readonly MomentFit _fit;
    private readonly double _minWeight;

    public MomentsToAtoms(ZernikeBasis basis, MomentsToAtomsOptions? options = null)
    {
        Basis = basis ?? throw new ArgumentNullException(nameof(basis));
        Options = options ?? new MomentsToAtomsOptions();
        _peaks = new DensityPeaks(basis);
        // Default 200 iterations: capping at 60 gave more restarts and 34/40 instead of 32/40 QM9 molecules at
        // n_max 11, but 24/40 instead of 34/40 at n_max 7, where the fits converge slowly.
        _fit = new MomentFit(basis, new MomentFitOptions { ScaleBlocks = Options.ScaleBlocks });
        _minWeight = Options.MinWeight ?? (Options.AllowedWeights is { Count: > 0 } a ? 0.5 * a.Min() : 0.5);
    }

    public ZernikeBasis Basis { get; }

    public MomentsToAtomsOptions Options { get; }

    /// <summary>
    /// Decode <paramref name="moments"/> (real Zernike moments in the basis order) within <paramref name="budget"/>.
    /// The budget (wall time) is checked before every Levenberg-Marquardt step, so it is overrun by at most one step.
    /// Never throws for finite input of the right length; <see cref="ArgumentException"/> otherwise.
    /// </summary>
    public MomentsToAtomsResult Decode(ReadOnlySpan<double> moments, TimeSpan budget)
    {
        MomentFit.CheckTarget(Basis, moments);
        return DecodeWithin(moments, WorkBudget.ForSeconds(budget.TotalSeconds));
    }

    /// <summary>Decode within a work budget (see <see cref="WorkBudget"/>); the moments are checked by the caller.</summary>
    internal MomentsToAtomsResult DecodeWithin(ReadOnlySpan<double> moments, WorkBudget budget)
    {
        var start = Stopwatch.GetTimestamp();
        var target = moments.ToArray();
        var rng = new Random(Options.Seed);

        // Peak picking stops at half the minimum weight: a light atom beside a heavy one leaves a weaker peak
        // than its weight (the heavy point's estimate absorbs part of it).
        var guess = _peaks.Find(target, 0.5 * _minWeight, Options.MaxPoints, budget);
        var search = FreeFit(target, guess.Points, guess.Weights, budget);
        var best = Final(target, search, budget);
        var attempts = 1;
        var variation = 0;
        while (best.RelativeResidual >= Options.SuccessResidual && !budget.Exhausted)
        {
            budget.Spend();
            var (points, weights) = Vary(variation++ % 5, search, guess, target, rng);
            if (points.Length == 0 || points.Length > Options.MaxPoints) continue;
            var candidate = FreeFit(target, points, weights, budget);
            attempts++;
            if (candidate.RelativeResidual < search.RelativeResidual) search = candidate;
            var final = Final(target, candidate, budget);
            if (final.RelativeResidual < best.RelativeResidual) best = final;
        }
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new MomentsToAtomsResult(best.Points, best.Weights, best.RelativeResidual,
            best.RelativeResidual < Options.SuccessResidual, attempts, seconds);
    }

    /// <summary>
    /// The search state: a fit with free weights, dropping only points whose weight fell to nearly nothing
    /// (below a tenth of the minimum). Light points stay while heavier neighbours still hold part of their weight.
    /// </summary>
    private MomentFitResult FreeFit(double[] target, Vec3[] points, double[] weights, WorkBudget budget)
    {
        if (points.Length == 0)
            return new MomentFitResult(points, weights, _fit.RelativeResidual(target, points, weights), 0);
        var result = _fit.Fit(target, (Vec3[])points.Clone(), (double[])weights.Clone(), budget);
        return Prune(target, result, 0.1 * _minWeight, budget);
    }

    /// <summary>A candidate answer from a search state: drop points below the minimum weight, snap the weights, refit the points.</summary>
    private MomentFitResult Final(double[] target, MomentFitResult state, WorkBudget budget)
    {
        var result = Merge(target, Prune(target, state, _minWeight, budget), budget);
        if (Options.AllowedWeights is not { Count: > 0 } allowed || result.Points.Length == 0) return result;
        var snapped = result.Weights.Select(w => MomentFit.Nearest(allowed, w)).ToArray();
        return _fit.FitPositions(target, (Vec3[])result.Points.Clone(), snapped, budget);
    }

    /// <summary>
    /// Points closer than 0.01 (0.075 A at a 7.5 A radius; atoms are never that close) become one point with the
    /// summed weight: free fits sometimes split an atom into two coincident points (a nitrogen as carbon + hydrogen).
    /// </summary>
    private MomentFitResult Merge(double[] target, MomentFitResult result, WorkBudget budget)
    {
        var points = result.Points.ToList();
        var weights = result.Weights.ToList();
        var merged = false;
        for (var i = 0; i < points.Count; i++)
            for (var j = points.Count - 1; j > i; j--)
            {
                if ((points[i] - points[j]).Norm >= 0.01) continue;
                var w = weights[i] + weights[j];
                points[i] = (weights[i] * points[i] + weights[j] * points[j]) / w;
                weights[i] = w;
                points.RemoveAt(j);
                weights.RemoveAt(j);
                merged = true;
            }
        return merged ? _fit.Fit(target, points.ToArray(), weights.ToArray(), budget) : result;
    }

    private MomentFitResult Prune(double[] target, MomentFitResult result, double threshold, WorkBudget budget)
    {
        var keep = Enumerable.Range(0, result.Points.Length).Where(i => result.Weights[i] >= threshold).ToArray();
        if (keep.Length == result.Points.Length || keep.Length == 0) return result;
        return _fit.Fit(target, keep.Select(i => result.Points[i]).ToArray(), keep.Select(i => result.Weights[i]).ToArray(), budget);
    }

    private (Vec3[], double[]) Vary(int kind, MomentFitResult best, DensityPeaksResult guess, double[] target, Random rng)
    {
        var points = best.Points.ToList();
        var weights = best.Weights.ToList();
        switch (kind)
        {
            case 0: // add a point where the residual density is strongest
            {
                var residual = MomentFit.Moments(Basis, best.Points, best.Weights);
                TensorPrimitives.Subtract(target, residual, residual);
                var (x, w) = _peaks.StrongestPeak(residual);
                points.Add(x);
                weights.Add(Math.Max(w, _minWeight));
                break;
            }
            case 1: // drop the weakest point
            {
                if (points.Count <= 1) break;
                var i = weights.IndexOf(weights.Min());
                points.RemoveAt(i);
                weights.RemoveAt(i);
                break;
            }
            case 2: // split the heaviest point
            {
                if (points.Count == 0) break;
                var i = weights.IndexOf(weights.Max());
                var d = 0.04 * Unit(Gaussian(rng, 1));
                var (p, w) = (points[i], weights[i]);
                points[i] = p + d;
                weights[i] = w / 2;
                points.Add(p - d);
                weights.Add(w / 2);
                break;
            }
            case 3: // perturb the best
                for (var i = 0; i < points.Count; i++) points[i] += Gaussian(rng, 0.04);
                break;
            default: // restart from the peak guess, perturbed
                points = guess.Points.Select(p => p + Gaussian(rng, 0.08)).ToList();
                weights = guess.Weights.ToList();
                break;
        }
        for (var i = 0; i < points.Count; i++)
            if (points[i].Norm2 > 1) points[i] /= points[i].Norm;
        return (points.ToArray(), weights.ToArray());
    }

    private static Vec3 Gaussian(Random rng, double sigma) => new(sigma * Normal(rng), sigma * Normal(rng), sigma * Normal(rng));

    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private static Vec3 Unit(Vec3 v) => v.Norm > 0 ? v / v.Norm : new Vec3(1, 0, 0);
}
