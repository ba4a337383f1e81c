using System.Diagnostics;
using Milad.Fingerprints;
using Milad.Moments;
using Milad.Structures;

namespace Milad.Decoding;

/// <summary>What <see cref="Decoder.Decode"/> found.</summary>
/// <param name="Structure">The decoded molecule (Angstrom, centroid at the origin, in the frame the decoder chose), or the best candidate when not decoded; null when there was none.</param>
/// <param name="Decoded">Whether the structure re-encodes to the fingerprint (<see cref="Residual"/> at most <see cref="Decoder.SuccessResidual"/>).</param>
/// <param name="Reason">Why not, or which route succeeded.</param>
/// <param name="Residual">|I(decoded) - I| / |I| (Euclidean norms over the whole fingerprint).</param>
/// <param name="Seconds">Wall time.</param>
public sealed record DecodeResult(Structure? Structure, bool Decoded, string Reason, double Residual, double Seconds);

/// <summary>
/// Fingerprint -> molecule, with no trained model: <see cref="FrequencyMarching"/> recovers the moments up to
/// a rotation, the Zernike-geometric map and <see cref="MomentPencil"/> turn them into points and weights
/// (the number of atoms is the numerical rank), a Levenberg-Marquardt <see cref="Refinement"/> against the
/// fingerprint itself polishes them, the nearest species weight gives each species, and positions are
/// refined once more with the species' weights. When the pencil's candidate does not reproduce the
/// fingerprint, <see cref="MomentsToAtoms"/> (density peaks and least squares with restarts) is tried on the
/// same moments within what is left of the time budget. Never throws for a fingerprint of the right length.
/// </summary>
public sealed class Decoder
{
    /// <summary>
    /// Largest residual (see <see cref="DecodeResult.Residual"/>) of a decoded structure. Right structures
    /// re-encode to ~1e-12 (1e-8 at symmetric ones, where the fit converges slowly), wrong ones to 1e-4 and more.
    /// </summary>
    public const double SuccessResidual = 1e-6;

    private readonly Descriptor _descriptor;
    private readonly FrequencyMarching _marching;
    private readonly (double Weight, int Z)[] _species;

    public Decoder(DescriptorSettings settings)
    {
        settings.Validate();
        _descriptor = new Descriptor(settings);
        _marching = new FrequencyMarching(_descriptor.Invariants);
        _species = settings.Weights == null
            ? Enumerable.Range(1, 118).Select(z => ((double)z, z)).ToArray()
            : settings.Weights.Select(kv => (kv.Value, Elements.AtomicNumber(kv.Key))).ToArray();
    }

    public DescriptorSettings Settings => _descriptor.Settings;

    /// <summary>Fingerprint length this decoder takes.</summary>
    public int Length => _descriptor.Length;

    /// <summary>Decodes within <paramref name="budget"/> (default 10 s); a wrong length throws <see cref="ArgumentException"/>.</summary>
    public DecodeResult Decode(ReadOnlySpan<double> fingerprint, TimeSpan? budget = null, int seed = 1)
    {
        if (fingerprint.Length != Length)
            throw new ArgumentException($"fingerprint of {fingerprint.Length} values, but the descriptor (n_max {Settings.NMax}, {Settings.InvariantSet}) has {Length}");
        var clock = Stopwatch.StartNew();
        var start = Stopwatch.GetTimestamp();
        var ticks = (long)((budget ?? TimeSpan.FromSeconds(10)).TotalSeconds * Stopwatch.Frequency);
        var deadline = start + ticks;
        var f = fingerprint.ToArray();
        foreach (var v in f)
            if (!double.IsFinite(v))
                return new DecodeResult(null, false, "the fingerprint holds a value that is not a finite number", double.PositiveInfinity, clock.Elapsed.TotalSeconds);

        var rng = new Random(seed);
        var weights = _marching.EquationWeights(f);
        var refinement = new Refinement(_descriptor.Invariants, f, weights);
        var march = _marching.Solve(f, rng, start + ticks * 4 / 10);

        Candidate? best = null;
        if (FrequencyMarching.Debug) Console.WriteLine($"    march residual {march.Residual:E1} polished {march.Polished} at {(Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency:F2}s");
        // The march's errors grow with the order, so the pencil first uses only low orders (enough for
        // small molecules); a candidate is judged by the fingerprint after refinement, not by the moments.
        var seen = new HashSet<int>();
        foreach (var candidate in PencilCandidates(march.Moments))
        {
            if (Stopwatch.GetTimestamp() > deadline) break;
            if (!seen.Add(candidate.Points.Length * 1000 + candidate.Degree)) continue;
            var c = Finish(candidate.Points, candidate.Weights, refinement, deadline, $"pencil (degree {candidate.Degree})");
            if (FrequencyMarching.Debug) Console.WriteLine($"    pencil d={candidate.Degree}: {candidate.Points.Length} points -> residual {c.Residual:E1}");
            if (best == null || c.Residual < best.Residual) best = c;
            if (best.Residual <= SuccessResidual) break;
        }
        if (best is not { Residual: <= SuccessResidual } && Stopwatch.GetTimestamp() < deadline)
        {
            var remaining = TimeSpan.FromSeconds((deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency * 0.6);
            var fallback = new MomentsToAtoms(_descriptor.Basis, new MomentsToAtomsOptions { Seed = seed }).Decode(march.Moments, remaining);
            if (fallback.Points.Length > 0)
            {
                var c = Finish(fallback.Points, fallback.Weights, refinement, deadline, "density peaks");
                if (best == null || c.Residual < best.Residual) best = c;
            }
        }
        var seconds = clock.Elapsed.TotalSeconds;
        if (best == null)
            return new DecodeResult(null, false, $"no candidate atoms (moments residual {march.Residual:G3})", double.PositiveInfinity, seconds);
        var structure = new Structure(best.Species, best.Points.Select(p => Settings.Cutoff * p).ToArray());
        return best.Residual <= SuccessResidual
            ? new DecodeResult(structure, true, best.Route, best.Residual, seconds)
            : new DecodeResult(structure, false,
                $"not decodable: the best structure ({best.Route}) re-encodes with residual {best.Residual:G3} (moments residual {march.Residual:G3})",
                best.Residual, seconds);
    }

    private sealed record Candidate(Vec3[] Points, int[] Species, double Residual, string Route);

    private IEnumerable<(Vec3[] Points, double[] Weights, int Degree)> PencilCandidates(double[] moments)
    {
        var geometric = new double[moments.Length];
        ZernikeGeometricMap.For(Settings.NMax).ToGeometric(moments, geometric);
        for (var degree = Math.Min(3, (Settings.NMax - 1) / 2); degree <= (Settings.NMax - 1) / 2; degree++)
            foreach (var tolerance in new[] { 1e-10, 1e-7, 1e-4, 1e-2 })
            {
                MomentPencilResult result;
                try
                {
                    result = MomentPencil.Solve(geometric, 2 * degree + 1, new MomentPencilOptions { RankTolerance = tolerance });
                }
                catch (ArgumentException)
                {
                    continue;
                }
                // Points the pencil gives a negligible or negative weight are noise.
                var keep = Enumerable.Range(0, result.Count).Where(i => result.Weights[i] > 0.3 && result.Points[i].Norm < 1).ToArray();
                if (keep.Length > 0) yield return (keep.Select(i => result.Points[i]).ToArray(), keep.Select(i => result.Weights[i]).ToArray(), degree);
            }
    }

    /// <summary>Refine points and weights against the fingerprint, snap weights to species, refine positions again.</summary>
    private Candidate Finish(Vec3[] points, double[] weights, Refinement refinement, long deadline, string route)
    {
        points = points.Select(p => p.Norm < 0.999 ? p : 0.999 / p.Norm * p).ToArray();
        weights = (double[])weights.Clone();
        refinement.Run(points, weights, fitWeights: true, maxIterations: 60, deadline);
        var species = new int[points.Length];
        for (var i = 0; i < points.Length; i++)
        {
            var nearest = _species.MinBy(s => Math.Abs(s.Weight - weights[i]));
            species[i] = nearest.Z;
            weights[i] = nearest.Weight;
        }
        refinement.Run(points, weights, fitWeights: false, maxIterations: 60, deadline);
        return new Candidate(points, species, refinement.RelativeResidual(points, weights), route);
    }
}
