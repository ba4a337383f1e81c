using System.Text.Json;
using System.Text.RegularExpressions;
using Milad.IO;
using Milad.Tests.Potentials;

namespace Milad.Tests.Cli;

/// <summary>`milad train` choosing its own settings: the report shows the search, and the test file cannot change the model.</summary>
public class TrainSearchCommandTests
{
    // n_max fixed small to keep the test at seconds; the cutoff, invariant set and pair term are searched.
    private static readonly string[] Small = ["--nmax", "4", "--folds", "2", "--pair-functions", "4"];

    // The model file without its timings (the only bytes that may differ between two identical fits).
    private static string ModelWithoutTimings(string path) =>
        Regex.Replace(File.ReadAllText(path), "\"(search_)?seconds\":\\s*[-0-9.eE+]+", "\"seconds\":0");

    [Fact]
    public void TestFileCannotInfluenceTheModel()
    {
        var dir = CliRunner.TempDirectory();
        var frames = PotentialTestData.Mo(9).Frames;
        var train = Path.Combine(dir, "train.xyz");
        ExtendedXyz.Write(train, frames.Take(6));
        var test = Path.Combine(dir, "test.xyz");
        ExtendedXyz.Write(test, frames.Skip(6));
        // Another test file: other frames, energies shifted by 1 eV/atom and forces reversed.
        var other = Path.Combine(dir, "other.xyz");
        var corrupted = frames.Take(3).Select(PotentialTestData.Copy).ToList();
        foreach (var s in corrupted)
        {
            s.Energy += s.Count;
            for (var i = 0; i < s.Count; i++) s.Forces![i] = -1.0 * s.Forces[i];
        }
        ExtendedXyz.Write(other, corrupted);

        var models = new List<string>();
        var reports = new List<JsonDocument>();
        foreach (var (t, name) in new[] { (test, "a"), (other, "b") })
        {
            var model = Path.Combine(dir, $"{name}.json");
            var report = Path.Combine(dir, $"{name}.report.json");
            var (exit, stdout, err) = CliRunner.Run(["train", "--train", train, "--test", t, "--model", model, "--report", report, .. Small]);
            Assert.True(exit == 0, err);
            Assert.Contains("settings chosen by 2-fold cross-validation", stdout);
            models.Add(ModelWithoutTimings(model));
            reports.Add(JsonDocument.Parse(File.ReadAllText(report)));
        }
        Assert.Equal(models[0], models[1]);
        // The test errors differ (the files do), the search is in the report and names the model's settings.
        var testA = reports[0].RootElement.GetProperty("test").GetProperty("energy_mae_mev_per_atom").GetDouble();
        var testB = reports[1].RootElement.GetProperty("test").GetProperty("energy_mae_mev_per_atom").GetDouble();
        Assert.True(testB > 100 * testA, $"{testA} {testB}");
        var search = reports[0].RootElement.GetProperty("search");
        Assert.True(search.GetProperty("complete").GetBoolean());
        var candidates = search.GetProperty("candidates").EnumerateArray().ToArray();
        Assert.True(candidates.Length >= 7, $"{candidates.Length}");   // 3 cutoffs x (pair, none), compact
        var chosen = candidates[search.GetProperty("chosen").GetInt32()];
        var descriptor = reports[0].RootElement.GetProperty("descriptor");
        Assert.Equal(chosen.GetProperty("cutoff").GetDouble(), descriptor.GetProperty("cutoff").GetDouble());
        Assert.Equal(chosen.GetProperty("invariants").GetString(), descriptor.GetProperty("invariants").GetString());
        Assert.Equal(4, descriptor.GetProperty("n_max").GetInt32());
        Assert.Equal(chosen.GetProperty("cv_energy_rmse_mev_per_atom").GetDouble(),
            reports[0].RootElement.GetProperty("ridge").GetProperty("cv_energy_rmse_mev_per_atom").GetDouble());
        // The last candidate is the quadratic model; the chosen candidate's kind is the model's.
        Assert.Equal("quadratic", candidates[^1].GetProperty("kind").GetString());
        Assert.Equal(chosen.GetProperty("kind").GetString(), reports[0].RootElement.GetProperty("kind").GetString());
        Assert.All(candidates, c => Assert.True(c.GetProperty("cv_energy_mae_mev_per_atom").GetDouble() > 0));
    }

    [Fact]
    public void GivenSettingsAreNotSearchedAndBudgetZeroTurnsTheSearchOff()
    {
        var (dir, train, test) = TrainPredictCommandTests.Files();
        foreach (var args in new[]
        {
            new[] { "--cutoff", "4.5", "--invariants", "compact", "--pair-cutoff", "0", "--kind", "linear", "--radial-exponent", "1" },
            ["--search-budget", "0"],
        })
        {
            var model = Path.Combine(dir, "m.json");
            var report = Path.Combine(dir, "m.report.json");
            var (exit, stdout, err) = CliRunner.Run(["train", "--train", train, "--test", test, "--model", model, "--report", report, .. Small, .. args]);
            Assert.True(exit == 0, err);
            Assert.DoesNotContain("settings chosen", stdout);
            using var doc = JsonDocument.Parse(File.ReadAllText(report));
            Assert.False(doc.RootElement.TryGetProperty("search", out _));
            Assert.Equal(4.5, doc.RootElement.GetProperty("descriptor").GetProperty("cutoff").GetDouble());
        }
        var (code, _, error) = CliRunner.Run(["train", "--train", train, "--test", test, "--model", Path.Combine(dir, "x.json"), "--search-budget", "-1"]);
        Assert.Equal(2, code);
        Assert.Contains("--search-budget", error);
    }
}
