using Milad.Potentials;
using Milad.Structures;
using ScottPlot;

namespace Milad.Cli;

/// <summary>
/// The figure of `milad train --plot`: predicted against DFT energies (per atom) and force components on
/// the test frames, and the loss curves (network: training and validation loss per epoch; closed-form
/// fits: cross-validated errors against the ridge strength).
/// </summary>
internal static class PotentialPlot
{
    /// <summary>The figure; <paramref name="set"/> ("test", or "train" without a test set) names the frames in the titles.</summary>
    public static void Write(string path, IReadOnlyList<Structure> frames, IReadOnlyList<Prediction> predictions, TrainingResult result, string kind, string set = "test")
    {
        var energy = new Plot();
        var de = frames.Select(s => s.Energy!.Value / s.Count).ToArray();
        var pe = frames.Select((s, i) => predictions[i].Energy / s.Count).ToArray();
        Parity(energy, de, pe, $"{kind}: energy ({set})", "DFT energy (eV/atom)", "predicted (eV/atom)");

        var forces = new Plot();
        var df = new List<double>();
        var pf = new List<double>();
        for (var f = 0; f < frames.Count; f++)
            for (var i = 0; i < frames[f].Count; i++)
                for (var a = 0; a < 3; a++) { df.Add(frames[f].Forces![i][a]); pf.Add(predictions[f].Forces[i][a]); }
        Parity(forces, df.ToArray(), pf.ToArray(), $"{kind}: force components ({set})", "DFT force (eV/A)", "predicted (eV/A)");

        var curves = new Plot();
        if (result.Curve.Count > 0)
        {
            var epochs = result.Curve.Select(c => (double)c.Epoch).ToArray();
            var t = curves.Add.ScatterLine(epochs, result.Curve.Select(c => Math.Log10(Math.Max(1e-12, c.TrainLoss))).ToArray());
            t.LegendText = "train";
            var v = curves.Add.ScatterLine(epochs, result.Curve.Select(c => Math.Log10(Math.Max(1e-12, c.ValidationLoss))).ToArray());
            v.LegendText = "validation";
            curves.Title("network loss (2 = the linear baseline alone)");
            curves.XLabel("epoch");
            curves.YLabel("log10 loss");
        }
        else
        {
            foreach (var group in result.RidgeGrid.GroupBy(g => g.EnergyWeight))
            {
                var xs = group.Select(g => Math.Log10(g.Lambda)).ToArray();
                var ys = group.Select(g => Math.Log10(g.ForceRmse)).ToArray();
                var line = curves.Add.ScatterLine(xs, ys);
                line.LegendText = $"energy weight {group.Key:G2}";
            }
            curves.Title("ridge: cross-validated force RMSE");
            curves.XLabel("log10 lambda");
            curves.YLabel("log10 force RMSE (eV/A)");
        }
        curves.ShowLegend();

        var figure = new Multiplot();
        figure.Reset(energy);   // a new multiplot starts with an empty plot of its own
        figure.AddPlot(forces);
        figure.AddPlot(curves);
        figure.Layout = new ScottPlot.MultiplotLayouts.Columns();
        var temporary = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp.png");
        try
        {
            figure.SavePng(temporary, 1800, 600);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    private static void Parity(Plot plot, double[] reference, double[] predicted, string title, string xLabel, string yLabel)
    {
        var points = plot.Add.ScatterPoints(reference, predicted);
        points.MarkerSize = 3;
        var lo = Math.Min(reference.Min(), predicted.Min());
        var hi = Math.Max(reference.Max(), predicted.Max());
        var diagonal = plot.Add.Line(lo, lo, hi, hi);
        diagonal.LineColor = Colors.Gray;
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
    }
}
