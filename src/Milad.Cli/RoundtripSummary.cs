namespace Milad.Cli;

/// <summary>Success rates and decoding times of a `milad roundtrip` run, overall and per molecule size.</summary>
/// <param name="PositionsSuccessRate">Fraction (0-1) of molecules with <see cref="RoundtripResult.PositionsOk"/>.</param>
/// <param name="SpeciesSuccessRate">Fraction (0-1) with <see cref="RoundtripResult.SpeciesOk"/> (positions and species).</param>
/// <param name="DecodedRate">Fraction the decoder itself reported as decoded.</param>
/// <param name="MedianSeconds">Median decoding time per molecule.</param>
/// <param name="P95Seconds">95th percentile of the decoding time (linear interpolation).</param>
/// <param name="MaxSeconds">Longest decoding time.</param>
/// <param name="MedianWork">Median work units per molecule (the same on any machine).</param>
/// <param name="P95Work">95th percentile of the work units.</param>
/// <param name="BySize">One entry per number of atoms, ascending.</param>
internal sealed record RoundtripSummary(
    int Molecules, double PositionsSuccessRate, double SpeciesSuccessRate, double DecodedRate,
    double MedianSeconds, double P95Seconds, double MaxSeconds, double MedianWork, double P95Work, IReadOnlyList<RoundtripSummary.Size> BySize)
{
    /// <summary>The molecules with <paramref name="NAtoms"/> atoms.</summary>
    public sealed record Size(int NAtoms, int Molecules, double PositionsSuccessRate, double SpeciesSuccessRate, double MedianSeconds);

    public static RoundtripSummary Of(IReadOnlyList<RoundtripResult> results)
    {
        var seconds = results.Select(r => r.Seconds).ToArray();
        var work = results.Select(r => (double)r.Work).ToArray();
        var bySize = results.GroupBy(r => r.NAtoms).OrderBy(g => g.Key)
            .Select(g => new Size(g.Key, g.Count(), Rate(g, r => r.PositionsOk), Rate(g, r => r.SpeciesOk), Statistics.Median(g.Select(r => r.Seconds).ToArray())))
            .ToList();
        return new RoundtripSummary(results.Count, Rate(results, r => r.PositionsOk), Rate(results, r => r.SpeciesOk), Rate(results, r => r.Decoded),
            Statistics.Median(seconds), Statistics.Quantile(seconds, 0.95), seconds.Length == 0 ? double.NaN : seconds.Max(),
            Statistics.Median(work), Statistics.Quantile(work, 0.95), bySize);
    }

    private static double Rate(IEnumerable<RoundtripResult> results, Func<RoundtripResult, bool> ok)
    {
        int all = 0, good = 0;
        foreach (var r in results)
        {
            all++;
            if (ok(r)) good++;
        }
        return all == 0 ? double.NaN : (double)good / all;
    }
}
