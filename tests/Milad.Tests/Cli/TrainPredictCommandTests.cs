using System.Text.Json;
using Milad.IO;
using Milad.Potentials;
using Milad.Structures;
using Milad.Tests.Potentials;

namespace Milad.Tests.Cli;

public class TrainPredictCommandTests
{
    /// <summary>Small real frames written to a temporary folder: 5 for training, 2 for testing.</summary>
    internal static (string Dir, string Train, string Test) Files()
    {
        var dir = CliRunner.TempDirectory();
        var frames = PotentialTestData.Mo(7).Frames;
        var train = Path.Combine(dir, "train.xyz");
        var test = Path.Combine(dir, "test.xyz");
        ExtendedXyz.Write(train, frames.Take(5));
        ExtendedXyz.Write(test, frames.Skip(5));
        return (dir, train, test);
    }

    private static readonly string[] Small = ["--nmax", "4", "--cutoff", "4.5", "--folds", "2"];

    [Theory]
    [InlineData("linear")]
    [InlineData("quadratic")]
    [InlineData("neural")]
    [InlineData("quadratic-pair")]
    public void TrainWritesModelReportAndPlotThenPredictReproducesTheReport(string variant)
    {
        // "-pair": with a pair term and a restricted energy-weight grid.
        var kind = variant.Split('-')[0];
        string[] extra = variant.EndsWith("-pair") ? ["--pair-cutoff", "5", "--pair-functions", "4", "--energy-weights", "10,100"] : [];
        var (dir, train, test) = Files();
        var model = Path.Combine(dir, "model.json");
        var report = Path.Combine(dir, "report.json");
        var plot = Path.Combine(dir, "plot.png");
        var (exit, stdout, err) = CliRunner.Run(["train", "--train", train, "--test", test, "--model", model, "--report", report, "--plot", plot,
            "--kind", kind, .. Small, "--quadratic-components", "4", "--components", "6", "--hidden", "6,5", "--epochs", "10", "--batch", "2", "--validation", "0.25", .. extra]);
        Assert.True(exit == 0, err);
        Assert.Contains("test:", stdout);
        Assert.True(new FileInfo(plot).Length > 10_000);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(plot).Take(4).ToArray());
        using var doc = JsonDocument.Parse(File.ReadAllText(report));
        var root = doc.RootElement;
        Assert.True(root.GetProperty("seconds").GetDouble() > 0);
        Assert.Equal(kind, root.GetProperty("kind").GetString());
        if (extra.Length > 0)
        {
            Assert.Contains(root.GetProperty("ridge").GetProperty("energy_weight").GetDouble(), new[] { 10.0, 100.0 });
            Assert.Equal(2 * RidgeFit.DefaultLambdas.Length, root.GetProperty("ridge").GetProperty("grid").GetArrayLength());
        }
        var t = root.GetProperty("test");
        foreach (var key in new[] { "energy_rmse_mev_per_atom", "energy_mae_mev_per_atom", "force_rmse_ev_per_a", "force_mae_ev_per_a" })
            Assert.True(t.GetProperty(key).GetDouble() > 0, key);
        Assert.True(root.GetProperty("train").GetProperty("energy_rmse_mev_per_atom").GetDouble() > 0);

        // predict writes energies and forces whose errors are the report's test errors.
        var predicted = Path.Combine(dir, "pred.xyz");
        (exit, _, err) = CliRunner.Run("predict", "--model", model, test, "--output", predicted);
        Assert.True(exit == 0, err);
        var reference = StructureFiles.Read(test).ToList();
        var frames = StructureFiles.Read(predicted).ToList();
        Assert.Equal(reference.Count, frames.Count);
        double eSq = 0, fAbs = 0;
        long n = 0;
        for (var f = 0; f < frames.Count; f++)
        {
            Assert.Equal(reference[f].Positions, frames[f].Positions);
            Assert.True(frames[f].Info.ContainsKey("stress"));
            var de = (frames[f].Energy!.Value - reference[f].Energy!.Value) / frames[f].Count;
            eSq += de * de;
            for (var i = 0; i < frames[f].Count; i++)
                for (var a = 0; a < 3; a++) { fAbs += Math.Abs(frames[f].Forces![i][a] - reference[f].Forces![i][a]); n++; }
        }
        Assert.Equal(t.GetProperty("energy_rmse_mev_per_atom").GetDouble(), 1000 * Math.Sqrt(eSq / frames.Count), 6);
        Assert.Equal(t.GetProperty("force_mae_ev_per_a").GetDouble(), fAbs / n, 6);
    }

    [Fact]
    public void TrainingFrameWithoutEnergyIsOneLineNamingTheFrame()
    {
        var (dir, train, test) = Files();
        var frames = StructureFiles.Read(train).ToList();
        frames[3].Energy = null;
        frames[3].Info.Remove("energy");
        ExtendedXyz.Write(train, frames);
        var model = Path.Combine(dir, "model.json");
        var (exit, _, err) = CliRunner.Run(["train", "--train", train, "--test", test, "--model", model, .. Small]);
        Assert.Equal(2, exit);
        Assert.Contains("frame 3", err);
        Assert.Contains("no energy", err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void TrainingFrameWithoutForcesIsOneLineNamingTheFrame()
    {
        var (dir, train, test) = Files();
        var frames = StructureFiles.Read(test).ToList();
        frames[1].Forces = null;
        ExtendedXyz.Write(test, frames);
        var model = Path.Combine(dir, "model.json");
        var (exit, _, err) = CliRunner.Run(["train", "--train", train, "--test", test, "--model", model, .. Small]);
        Assert.Equal(2, exit);
        Assert.Contains($"{test}: frame 1: no forces", err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Empty(Directory.GetFiles(dir, "model*"));
    }

    [Fact]
    public void PredictRefusesASpeciesTheModelDoesNotKnow()
    {
        var (dir, train, test) = Files();
        var model = Path.Combine(dir, "model.json");
        Assert.Equal(0, CliRunner.Run(["train", "--train", train, "--test", test, "--model", model, .. Small]).Exit);
        var frames = StructureFiles.Read(test).ToList();
        var odd = new Structure(frames[1].AtomicNumbers.Select((z, i) => i == 4 ? 29 : z).ToArray(), frames[1].Positions, frames[1].Cell);
        var input = Path.Combine(dir, "cu.xyz");
        ExtendedXyz.Write(input, [frames[0], odd]);
        var output = Path.Combine(dir, "pred.xyz");
        var (exit, _, err) = CliRunner.Run("predict", "--model", model, input, "--output", output);
        Assert.Equal(2, exit);
        Assert.Contains("frame 1", err);
        Assert.Contains("Cu", err);
        Assert.Contains("does not know", err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(dir, ".pred*"));
    }

    [Theory]
    [InlineData("\"version\": 1", "\"version\": 7", "version 7")]
    [InlineData("\"format\": \"milad-potential\"", "\"format\": \"other\"", "not a milad potential")]
    [InlineData("\"kind\": \"linear\"", "\"kind\": \"quadratic\"", "quadratic")]
    public void PredictRefusesAnIncompatibleModelFile(string from, string to, string expected)
    {
        var (dir, train, test) = Files();
        var model = Path.Combine(dir, "model.json");
        Assert.Equal(0, CliRunner.Run(["train", "--train", train, "--test", test, "--model", model, .. Small]).Exit);
        var text = File.ReadAllText(model);
        Assert.Contains(from, text);
        File.WriteAllText(model, text.Replace(from, to));
        var output = Path.Combine(dir, "pred.xyz");
        var (exit, _, err) = CliRunner.Run("predict", "--model", model, test, "--output", output);
        Assert.True(exit == 2 || expected == "quadratic", err);
        if (expected == "quadratic")
        {
            // A linear model relabelled quadratic is still a consistent model (no quadratic terms): it predicts.
            Assert.Equal(0, exit);
            return;
        }
        Assert.Contains(expected, err);
        Assert.Contains(model, err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.False(File.Exists(output));
    }

    /// <summary>
    /// A model with a magnetic term, trained with stresses: the report has the stress error; prediction needs the
    /// moments, and a frame without them (in training or prediction) is one line naming the frame, nothing written.
    /// </summary>
    [Fact]
    public void MagneticModelWithStressesTrainsAndNeedsTheMoments()
    {
        var dir = CliRunner.TempDirectory();
        var random = new Random(4);
        var frames = PotentialTestData.Mo(7).Frames.Select(f =>
        {
            var s = PotentialTestData.Copy(f);
            s.Arrays["magmom"] = Enumerable.Range(0, s.Count).Select(_ => (Array)new[] { 2 * random.NextDouble() }).ToArray();
            s.Info["stress"] = new[] { 0.01, 0, 0, 0, 0.012, 0, 0, 0, 0.008 };
            return s;
        }).ToList();
        string train = Path.Combine(dir, "train.xyz"), test = Path.Combine(dir, "test.xyz"), model = Path.Combine(dir, "model.json"), report = Path.Combine(dir, "report.json");
        ExtendedXyz.Write(train, frames.Take(5));
        ExtendedXyz.Write(test, frames.Skip(5));
        var (exit, _, err) = CliRunner.Run(["train", "--train", train, "--test", test, "--model", model, "--report", report,
            "--magnetic-powers", "2,4", "--stress-weight", "0.1", .. Small]);
        Assert.True(exit == 0, err);
        using (var doc = JsonDocument.Parse(File.ReadAllText(report)))
            Assert.True(doc.RootElement.GetProperty("test").GetProperty("stress_rmse_gpa").GetDouble() > 0);

        var bare = Path.Combine(dir, "bare.xyz");
        ExtendedXyz.Write(bare, [frames[5], PotentialTestData.Copy(frames[6])]);
        var output = Path.Combine(dir, "pred.xyz");
        (exit, _, err) = CliRunner.Run("predict", "--model", model, bare, "--output", output);
        Assert.Equal(2, exit);
        Assert.Contains("frame 1", err);
        Assert.Contains("magmom", err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.False(File.Exists(output));

        var model2 = Path.Combine(dir, "model2.json");
        (exit, _, err) = CliRunner.Run(["train", "--train", bare, "--test", test, "--model", model2, "--magnetic-powers", "2", .. Small]);
        Assert.Equal(2, exit);
        Assert.Contains("magmom", err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.False(File.Exists(model2));
    }

    [Fact]
    public void BadOptionsAreOneLine()
    {
        var (dir, train, test) = Files();
        var model = Path.Combine(dir, "model.json");
        foreach (var args in new[]
        {
            new[] { "--kind", "cubic" }, ["--hidden", "64,x"], ["--nmax", "-1"], ["--optimizer", "sgd"], ["--validation", "0.9"],
            ["--energy-weights", "10,-1"], ["--pair-cutoff", "-2"], ["--pair-cutoff", "5", "--pair-inner", "6"],
            ["--stress-weight", "-1"], ["--magnetic-powers", "2.5"], ["--weight-decay", "-0.1"],
        })
        {
            var (exit, _, err) = CliRunner.Run(["train", "--train", train, "--test", test, "--model", model, .. args]);
            Assert.Equal(2, exit);
            Assert.Single(err.Trim().Split('\n'));
            Assert.DoesNotContain("   at ", err);
        }
        Assert.False(File.Exists(model));
    }
}
