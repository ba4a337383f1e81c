using System.Globalization;

namespace Milad.Cli;

/// <summary>The short plain-text summary `milad roundtrip` prints: one row per molecule size, then the totals.</summary>
internal static class RoundtripTable
{
    public static void Write(TextWriter w, RoundtripSummary summary)
    {
        w.WriteLine(" atoms  molecules  positions  +species  median s");
        foreach (var s in summary.BySize)
            w.WriteLine(Row(s.NAtoms.ToString(CultureInfo.InvariantCulture), s.Molecules, s.PositionsSuccessRate, s.SpeciesSuccessRate, s.MedianSeconds));
        w.WriteLine(Row("all", summary.Molecules, summary.PositionsSuccessRate, summary.SpeciesSuccessRate, summary.MedianSeconds));
    }

    private static string Row(string atoms, int molecules, double positions, double species, double seconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{atoms,6}  {molecules,9}  {100 * positions,8:F1}%  {100 * species,7:F1}%  {seconds,8:F2}");
}
