using System.Globalization;
using ScottPlot;

namespace Milad.Cli;

/// <summary>
/// The picture of a `milad roundtrip` run: success rate (positions; positions and species) against the
/// number of atoms as paired bars on the left axis, and the number of molecules of each size as dots on
/// the right axis, so a rate over two molecules is not mistaken for one over two hundred.
/// </summary>
internal static class RoundtripPlot
{
    private const int Width = 1000, Height = 560;

    /// <summary>The plot as PNG bytes; <paramref name="title"/> names the preset and the overall rates.</summary>
    public static byte[] Render(RoundtripSummary summary, string title)
    {
        var plot = new Plot();
        const double barWidth = 0.38;
        var positions = summary.BySize.Select(s => new Bar
        {
            Position = s.NAtoms - barWidth / 2,
            Value = 100 * s.PositionsSuccessRate,
            Size = barWidth,
            FillColor = Colors.SteelBlue,
        }).ToArray();
        var species = summary.BySize.Select(s => new Bar
        {
            Position = s.NAtoms + barWidth / 2,
            Value = 100 * s.SpeciesSuccessRate,
            Size = barWidth,
            FillColor = Colors.DarkOrange,
        }).ToArray();
        plot.Add.Bars(positions).LegendText = "positions (RMSD < 0.01 Å)";
        plot.Add.Bars(species).LegendText = "positions + species";

        var sizes = summary.BySize.Select(s => (double)s.NAtoms).ToArray();
        var counts = plot.Add.Scatter(sizes, summary.BySize.Select(s => (double)s.Molecules).ToArray());
        counts.Axes.YAxis = plot.Axes.Right;
        counts.Color = Colors.Black;
        counts.LineWidth = 0; // sizes are separate groups, not a curve
        counts.MarkerSize = 8;
        counts.MarkerShape = MarkerShape.FilledCircle;
        counts.LegendText = "molecules of that size (right axis)";

        plot.Title(title, size: 15);
        plot.Axes.Bottom.Label.Text = "atoms in the molecule";
        plot.Axes.Left.Label.Text = "success rate (%)";
        plot.Axes.Right.Label.Text = "molecules";
        var ticks = summary.BySize.Select(s => new Tick(s.NAtoms, s.NAtoms.ToString(CultureInfo.InvariantCulture))).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        // Rates end at 100 %; the axis goes further only to leave room for the legend.
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, 6).Select(k => new Tick(20 * k, (20 * k).ToString(CultureInfo.InvariantCulture))).ToArray());
        plot.Axes.Right.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        var lowest = summary.BySize.Count == 0 ? 0 : summary.BySize[0].NAtoms;
        var highest = summary.BySize.Count == 0 ? 1 : summary.BySize[^1].NAtoms;
        plot.Axes.SetLimitsX(lowest - 0.7, highest + 0.7);
        plot.Axes.SetLimitsY(0, 125, plot.Axes.Left);
        var most = summary.BySize.Count == 0 ? 1 : summary.BySize.Max(s => s.Molecules);
        plot.Axes.SetLimitsY(0, 1.25 * most, plot.Axes.Right);
        plot.ShowLegend(ScottPlot.Alignment.UpperRight, Orientation.Horizontal);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }
}
