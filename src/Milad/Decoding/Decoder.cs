using System.Diagnostics;
using Milad.Fingerprints;
using Milad.Moments;
using Milad.Structures;

namespace Milad.Decoding;

/// <summary>What <see cref="Decoder.Decode"/> found.</summary>
/// <param name="Structure">The decoded molecule (Angstrom, centroid at the origin, in the frame the decoder chose), or the best candidate when not decoded; null when there was none.</param>
/// <param name="Decoded">Whether the structure re-encodes to the fingerprint: <see cref="Residual"/> within the decoding's tolerance (<see cref="Decoder.SuccessResidual"/> unless given).</param>
/// <param name="Reason">Why not, or which route succeeded.</param>
/// <param name="Residual">|I(decoded) - I| / |I| (Euclidean norms over the whole fingerprint): 1 when no atoms came back; infinity only for a fingerprint that is not finite or all zero.</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="Work">Work units spent (see <see cref="Decoder.DefaultWork"/>): the same for the same fingerprint on any machine.</param>
public sealed record DecodeResult(Structure? Structure, bool Decoded, string Reason, double Residual, double Seconds, long Work = 0);

/// <summary>
/// Fingerprint -> molecule, with no trained model: <see cref="FrequencyMarching"/> recovers the moments up to
/// a rotation, the Zernike-geometric map and <see cref="MomentPencil"/> turn them into points and weights
/// (the number of atoms is the numerical rank), a Levenberg-Marquardt <see cref="Refinement"/> against the
/// fingerprint itself polishes them, the nearest species weight gives each species, and positions are
/// refined once more with the species' weights. When the pencil's candidate does not reproduce the
/// fingerprint, <see cref="MomentsToAtoms"/> (density peaks and least squares with restarts) is tried on the
/// same moments within a share of what is left of the work budget. Never throws for a fingerprint of the right length.
/// </summary>
public sealed class Decoder
{
    /// <summary>
    /// Largest relative residual |I(decoded) - I| / |I| of a decoded structure. Right structures re-encode to
    /// ~1e-13; a nearly symmetric molecule (real data are symmetric only to their printed digits) can end in a
    /// symmetric image of its small distortion, ~1e-5 A from the truth, at up to ~1e-6; wrong ones stay above 1e-5.
    /// </summary>
    public const double SuccessResidual = 1e-6;

    /// <summary>
    /// Largest weighted RMS residual (each invariant relative to the norms of its blocks, down to 1e-6 of the
    /// largest) of a decoded structure: the relative residual alone is blind to the weak high-order invariants.
    /// </summary>
    public const double SuccessWeightedResidual = 1e-4;

    /// <summary>Largest relative residual a caller may accept as decoded (<see cref="Decode"/>'s tolerance).</summary>
    public const double MaxTolerance = 0.1;

    /// <summary>Whether <paramref name="tolerance"/> is one <see cref="Decode"/> takes: above 0 and at most <see cref="MaxTolerance"/>.</summary>
    public static bool IsTolerance(double tolerance) => tolerance > 0 && tolerance <= MaxTolerance;

    /// <summary>Largest magnitude of an invariant the decoder accepts; larger ones leave the range of doubles in its products.</summary>
    public const double MaxValue = 1e40;

    /// <summary>Atoms closer than this (Angstrom) are one atom: the density cannot tell an O from an N and an H on top of it.</summary>
    public const double MergeDistance = 0.5;

    /// <summary>Work of the density-peak fallback in the first round (doubled each round, up to 16x).</summary>
    private const long FallbackWork = 500;

    private readonly Descriptor _descriptor;
    private readonly FrequencyMarching[] _marchers;
    private readonly (double Weight, int Z)[] _species;
    private readonly double _smallestWeight;
    private double _tolerance = SuccessResidual;   // of the decoding under way

    /// <summary>
    /// Largest n_max the decoder takes. Its tables grow faster than the encoder's, and a march step at high order runs
    /// past the time budget: one water molecule, budget 1 s, whole process (on a busy 2-core machine) took 28 s at
    /// n_max 13, 42 s at 15 and 163 s at 20, of which 8, 10 and 46 s in the molecule itself.
    /// </summary>
    public const int MaxNMax = 16;

    /// <summary>Throws a one-line <see cref="InputException"/> for settings the decoder does not take.</summary>
    public static void Check(DescriptorSettings settings)
    {
        settings.Validate();
        if (settings.NMax > MaxNMax)
            throw new InputException($"the decoder takes n_max up to {MaxNMax}, got {settings.NMax} (its tables alone would take minutes)");
    }

    public Decoder(DescriptorSettings settings)
    {
        Check(settings);
        _descriptor = new Descriptor(settings);
        // Four ways to march, tried in turn until the atoms re-encode to the fingerprint: every moment free
        // (weak but real directions of a generic molecule are fitted); each level kept at the rank of its Gram
        // matrix (a rotor's tiny asymmetry cannot spoil the frame); the symmetrised march, where content below
        // 1e-3 of each level's largest counts as absent, so a nearly symmetric molecule is decoded as its
        // symmetric approximation and the refinement against the fingerprint restores the rest; and every moment
        // free again, polishing every level to 1e-15 (the pencil of a molecule with nearly dependent atoms needs
        // moments to better than the 1e-8 the first march stops at).
        _marchers =
        [
            new FrequencyMarching(_descriptor.Invariants),
            new FrequencyMarching(_descriptor.Invariants) { KeepRank = true },
            new FrequencyMarching(_descriptor.Invariants) { RankTolerance = 1e-10, LevelRankTolerance = 1e-6, Tolerance = 1e-5, LinearTolerance = 1e-3, KeepRank = true },
            new FrequencyMarching(_descriptor.Invariants) { PolishThreshold = 1e-13, PolishTarget = 1e-15 },
        ];
        _species = settings.Weights == null
            ? Enumerable.Range(1, 118).Select(z => ((double)z, z)).ToArray()
            : settings.Weights.Select(kv => (kv.Value, Elements.AtomicNumber(kv.Key))).ToArray();
        _smallestWeight = _species.Min(s => s.Weight);
    }

    public DescriptorSettings Settings => _descriptor.Settings;

    /// <summary>Fingerprint length this decoder takes.</summary>
    public int Length => _descriptor.Length;

    /// <summary>
    /// Work units a decoding may spend by default: one unit is one evaluation in a Levenberg-Marquardt loop (of the
    /// march, the refinement or the fallback), one linear solve of a level, one pencil solve or one density peak;
    /// large least-squares problems count more (about one unit per million floating-point operations). Generic
    /// molecules take a few hundred units; symmetric ones need searches (allene and propene at n_max 11: ~70,000).
    /// One unit is 0.07-0.2 ms of one core (n_max 7-11).
    /// </summary>
    public const long DefaultWork = 80000;

    /// <summary>
    /// Decodes within <paramref name="work"/> units (default <see cref="DefaultWork"/>), which decide the result, and
    /// a wall-time safety limit <paramref name="budget"/> (default 600 s), which ends a decoding only on a machine far
    /// slower or busier than expected (the reason then says so). A structure is accepted (and the search ends) when it
    /// re-encodes within the relative residual <paramref name="tolerance"/> (default <see cref="SuccessResidual"/>); a
    /// fingerprint known to carry noise or rounding of relative size s needs about 2 s, or no structure is accepted
    /// and the whole work budget is spent looking for a better one. A wrong length throws <see cref="ArgumentException"/>.
    /// Not thread-safe: use one decoder per thread.
    /// </summary>
    public DecodeResult Decode(ReadOnlySpan<double> fingerprint, TimeSpan? budget = null, int seed = 1, long? work = null, double? tolerance = null)
    {
        if (fingerprint.Length != Length)
            throw new ArgumentException($"fingerprint of {fingerprint.Length} values, but the descriptor (n_max {Settings.NMax}, {Settings.InvariantSet}) has {Length}");
        if (tolerance is { } t && !IsTolerance(t))
            throw new ArgumentOutOfRangeException(nameof(tolerance), $"the tolerance must be a relative residual above 0 and at most {MaxTolerance}, got {t}");
        _tolerance = tolerance ?? SuccessResidual;
        var clock = Stopwatch.StartNew();
        var seconds = (budget ?? TimeSpan.FromSeconds(600)).TotalSeconds;
        var safety = WorkBudget.ForSeconds(seconds);
        var total = new WorkBudget(work ?? DefaultWork, long.MaxValue, safety);
        var result = DecodeWithin(fingerprint, seed, total);
        var reason = safety.TimedOut && !result.Decoded
            ? $"{result.Reason} (ended by the wall-time safety limit of {seconds:G} s after {total.Used} of {total.Limit} work units: this result may depend on the machine's load)"
            : result.Reason;
        return result with { Reason = reason, Seconds = clock.Elapsed.TotalSeconds, Work = total.Used };
    }

    private DecodeResult DecodeWithin(ReadOnlySpan<double> fingerprint, int seed, WorkBudget budget)
    {
        var clock = Stopwatch.StartNew();
        foreach (var v in fingerprint)
        {
            if (!double.IsFinite(v))
                return new DecodeResult(null, false, "the fingerprint holds a value that is not a finite number", double.PositiveInfinity, clock.Elapsed.TotalSeconds);
            if (Math.Abs(v) > MaxValue)
                return new DecodeResult(null, false, $"not decodable: a value of {v:G3} is larger than any molecule's fingerprint (at most {MaxValue:G0} in magnitude)", 1.0, clock.Elapsed.TotalSeconds);
        }
        // No atoms re-encode to zeros: relative residual 1 (the fingerprint is finite here, and not all zero below).
        var empty = fingerprint.IndexOfAnyExcept(0.0) >= 0 ? 1.0 : double.PositiveInfinity;
        // Positions from the first weighting; a second one (if any) tells the species.
        var count = _descriptor.Invariants.Count;
        var f = fingerprint[..count].ToArray();
        var f2 = _descriptor.Weightings == 2 ? fingerprint[count..].ToArray() : null;
        // Omega_000 is the total weight times Z_000 > 0: a density of atoms has it positive.
        if (!(f[0] > 0))
            return new DecodeResult(null, false, "not decodable: the total weight (first invariant) is not positive", empty, clock.Elapsed.TotalSeconds);
        if (f[0] < 1 / MaxValue)
            return new DecodeResult(null, false, $"not decodable: the total weight (first invariant) {f[0]:G3} is smaller than any molecule's (at least {1 / MaxValue:G0})", empty, clock.Elapsed.TotalSeconds);

        var rng = new Random(seed);
        var set = _descriptor.Invariants;
        // Coarse weights converge from far (they ask little of the weakest blocks); fine ones judge the result.
        var coarse = new Refinement(set, f, _marchers[0].EquationWeights(f, 1e-6));
        var fine = new Refinement(set, f, _marchers[0].EquationWeights(f, 1e-9));
        Candidate? best = null;
        MarchResult? march = null;
        int[] order = [0, 1, 2, 3];
        for (var round = 0; !budget.Exhausted; round++)
        {
            budget.Spend(); // a round always costs something, so the loop ends
            // After the four ways, searches start again from other random points.
            // Each march gets a share of what is left that leaves work for the ways after it.
            var share = Math.Max(2, _marchers.Length - round % _marchers.Length + 1);
            march = _marchers[order[round % order.Length]].Solve(f, rng, budget.Share(budget.Remaining / share));
            // A first march that fits without a search (a generic molecule) and still gives no atoms needs more
            // accurate moments next; one that needed searches (a symmetric molecule) needs the other ways first.
            if (round == 0 && march.Residual <= 1e-6 && !march.Searched) order = [0, 3, 1, 2];
            // The best few candidates: the rest of a round's list is rarely right and each costs a refinement.
            foreach (var candidate in PencilCandidates(march.Moments, coarse, budget).Take(3))
            {
                if (budget.Exhausted) break;
                var c = Finish(candidate.Points, candidate.Weights, coarse, fine, budget, $"pencil (degree {candidate.Degree})");
                if (best == null || c.Residual < best.Residual) best = c;
                if (Accepted(best)) break;
            }
            if (best != null && Accepted(best)) break;
            if (!budget.Exhausted)
            {
                // Peaks fit the marched moments, which a symmetric molecule's march gets only approximately, so the
                // fit rarely "succeeds" against them and would use all it is given: a short budget, longer each round.
                var fallbackBudget = budget.Share(Math.Min(budget.Remaining / 5, FallbackWork << Math.Min(round, 4)));
                var fallback = new MomentsToAtoms(_descriptor.Basis, new MomentsToAtomsOptions { Seed = seed + round }).DecodeWithin(march.Moments, fallbackBudget);
                if (fallback.Points.Length > 0)
                {
                    var c = Finish(fallback.Points, fallback.Weights, coarse, fine, budget, "density peaks");
                    if (best == null || c.Residual < best.Residual) best = c;
                }
            }
            if (best != null && Accepted(best)) break;
        }
        if (best != null && f2 != null) best = WithSecondWeighting(best, f, f2, budget);
        var seconds = clock.Elapsed.TotalSeconds;
        if (best == null)
            return new DecodeResult(null, false, $"not decodable: no candidate atoms (moments residual {march?.Residual:G3})", empty, seconds);
        var structure = new Structure(best.Species, best.Points.Select(p => Settings.Cutoff * p).ToArray());
        return Accepted(best)
            ? new DecodeResult(structure, true, best.Route, best.Relative, seconds)
            : new DecodeResult(structure, false,
                $"not decodable: the best structure ({best.Route}) re-encodes with relative residual {best.Relative:G3}, weighted {best.Residual:G3} (moments residual {march?.Residual:G3})",
                best.Relative, seconds);
    }

    private sealed record Candidate(Vec3[] Points, double[] Weights, int[] Species, double Residual, double Relative, string Route);

    /// <summary>
    /// Within the tolerance, relative and weighted; the weighted limit grows with a looser tolerance, since noise of
    /// relative size s on every invariant leaves a weighted residual of up to about s.
    /// </summary>
    private bool Accepted(Candidate c) =>
        c.Relative <= _tolerance && c.Residual <= SuccessWeightedResidual * Math.Max(1, _tolerance / SuccessResidual);

    /// <summary>
    /// Pencil solutions for every degree and rank tolerance, best first by the weighted fingerprint residual of
    /// the raw points (no refinement), each point count once.
    /// </summary>
    private List<(Vec3[] Points, double[] Weights, int Degree, double Score)> PencilCandidates(double[] moments, Refinement coarse, WorkBudget budget)
    {
        var geometric = new double[moments.Length];
        ZernikeGeometricMap.For(Settings.NMax).ToGeometric(moments, geometric);
        var result = new List<(Vec3[], double[], int, double Score)>();
        var seen = new HashSet<int>();
        for (var degree = Math.Min(3, (Settings.NMax - 1) / 2); degree <= (Settings.NMax - 1) / 2; degree++)
            foreach (var tolerance in new[] { 1e-10, 1e-7, 1e-4, 1e-2 })
            {
                if (degree < 1) continue;
                budget.Spend();
                var pencil = MomentPencil.Solve(geometric, 2 * degree + 1, new MomentPencilOptions { RankTolerance = tolerance });
                // Points the pencil gives a negligible or negative weight are noise.
                var keep = Enumerable.Range(0, pencil.Count)
                    .Where(i => pencil.Weights[i] > 0.3 * _smallestWeight && pencil.Points[i].Norm < 1).ToArray();
                if (keep.Length == 0 || !seen.Add(keep.Length)) continue;
                var points = keep.Select(i => pencil.Points[i]).ToArray();
                var weights = keep.Select(i => pencil.Weights[i]).ToArray();
                result.Add((points, weights, degree, coarse.WeightedResidual(points, weights)));
            }
        result.Sort((a, b) => a.Score.CompareTo(b.Score));
        return result;
    }

    /// <summary>Refine points and weights against the fingerprint, snap weights to species, refine positions again.</summary>
    private Candidate Finish(Vec3[] points, double[] weights, Refinement coarse, Refinement fine, WorkBudget budget, string route)
    {
        points = points.Select(p => p.Norm < 0.999 ? p : 0.999 / p.Norm * p).ToArray();
        weights = (double[])weights.Clone();
        // A few steps tell a candidate near the answer from a wrong one; only the first gets the full refinement.
        var quick = coarse.Run(points, weights, fitWeights: true, maxIterations: 12, budget);
        if (quick <= 1e-2 && quick > 1e-11) coarse.Run(points, weights, fitWeights: true, maxIterations: 50, budget);
        if (Merge(ref points, ref weights)) coarse.Run(points, weights, fitWeights: true, maxIterations: 50, budget);
        var result = Snapped(points, weights, coarse, fine, budget, route, refine: quick <= 1e-2);
        if (quick > 1e-2) return result;
        // Two atoms refined onto one point (a boron and a hydrogen where a carbon is) re-encode like the one atom
        // whose weight is their sum: the structure with fewer atoms is the answer when it fits as well.
        var (mergedPoints, mergedWeights) = (result.Points, result.Weights);   // Merge leaves these, returns new arrays
        if (!Merge(ref mergedPoints, ref mergedWeights)) return result;
        var merged = Snapped(mergedPoints, mergedWeights, coarse, fine, budget, route, refine: true);
        return Accepted(merged) || merged.Residual <= result.Residual ? merged : result;
    }

    /// <summary>Snap weights to the nearest species' weights, then (with <paramref name="refine"/>) refine the positions.</summary>
    private Candidate Snapped(Vec3[] points, double[] weights, Refinement coarse, Refinement fine, WorkBudget budget, string route, bool refine)
    {
        var species = new int[points.Length];
        var moved = 0.0;
        for (var i = 0; i < points.Length; i++)
        {
            var nearest = _species.MinBy(s => Math.Abs(s.Weight - weights[i]));
            species[i] = nearest.Z;
            moved = Math.Max(moved, Math.Abs(weights[i] - nearest.Weight) / nearest.Weight);
            weights[i] = nearest.Weight;
        }
        if (refine)
        {
            if (moved > 1e-9) coarse.Run(points, weights, fitWeights: false, maxIterations: 50, budget);
            fine.Run(points, weights, fitWeights: false, maxIterations: 30, budget, targetRms: 1e-11);
        }
        return new Candidate(points, weights, species, coarse.WeightedResidual(points, weights), fine.RelativeResidual(points, weights), route);
    }

    /// <summary>
    /// The second weighting: its weight for each decoded atom by least squares against the second half of the
    /// fingerprint (positions fixed), then each atom's species as the element whose pair of weights is nearest
    /// (relative distances). The residual becomes that of the whole fingerprint.
    /// </summary>
    private Candidate WithSecondWeighting(Candidate best, double[] f1, double[] f2, WorkBudget budget)
    {
        var set = _descriptor.Invariants;
        var second = new Refinement(set, f2, _marchers[0].EquationWeights(f2, 1e-6));
        var table = Settings.SecondWeights!.Select(kv => (Z: Elements.AtomicNumber(kv.Key), W2: kv.Value))
            .Where(e => Settings.Weights == null || Settings.Weights.ContainsKey(Elements.Symbol(e.Z)))
            .Select(e => (e.Z, W1: Settings.WeightOf(e.Z, 0), e.W2)).ToArray();
        var w2 = new double[best.Points.Length];
        Array.Fill(w2, table.Average(e => e.W2));
        second.Run(best.Points, w2, fitWeights: true, maxIterations: 50, budget, fitPositions: false);
        var species = new int[w2.Length];
        var snapped = new double[w2.Length];
        for (var i = 0; i < w2.Length; i++)
        {
            var w1 = best.Weights[i];
            var nearest = table.MinBy(e => Math.Pow((w1 - e.W1) / e.W1, 2) + Math.Pow((w2[i] - e.W2) / e.W2, 2));
            species[i] = nearest.Z;
            snapped[i] = nearest.W2;
        }
        var r1 = best.Relative; // of the first weighting, from Finish
        var r2 = second.RelativeResidual(best.Points, snapped);
        double n1 = 0, n2 = 0;
        foreach (var v in f1) n1 += v * v;
        foreach (var v in f2) n2 += v * v;
        var relative = Math.Sqrt((r1 * r1 * n1 + r2 * r2 * n2) / (n1 + n2));
        var weighted = Math.Max(best.Residual, second.WeightedResidual(best.Points, snapped));
        return best with { Species = species, Residual = weighted, Relative = relative };
    }

    /// <summary>
    /// Merges points closer than <see cref="MergeDistance"/> (weights add, positions average by weight) and drops
    /// points whose weight is far below any species'. Returns whether anything changed.
    /// </summary>
    private bool Merge(ref Vec3[] points, ref double[] weights)
    {
        var limit = MergeDistance / Settings.Cutoff;
        var p = points.ToList();
        var w = weights.ToList();
        var changed = false;
        for (var i = 0; i < p.Count; i++)
            for (var j = p.Count - 1; j > i; j--)
                if ((p[i] - p[j]).Norm < limit && w[i] + w[j] > 0)
                {
                    p[i] = (w[i] * p[i] + w[j] * p[j]) / (w[i] + w[j]);
                    w[i] += w[j];
                    p.RemoveAt(j);
                    w.RemoveAt(j);
                    changed = true;
                }
        for (var i = p.Count - 1; i >= 0; i--)
            if (w[i] < 0.3 * _smallestWeight) { p.RemoveAt(i); w.RemoveAt(i); changed = true; }
        if (p.Count == 0) return false;
        points = p.ToArray();
        weights = w.ToArray();
        return changed;
    }
}
