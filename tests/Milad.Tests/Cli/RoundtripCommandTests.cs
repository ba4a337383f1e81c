using System.Text.Json;
using Milad.Cli;
using Milad.IO;
using Milad.Structures;
using Xunit.Abstractions;

namespace Milad.Tests.Cli;

public class RoundtripCommandTests(ITestOutputHelper output)
{
    /// <summary>
    /// Small QM9 molecules (water, acetylene, HCN, methanol, acetamide-like CH3NO) that the paper preset decodes
    /// in a fraction of a second; methanol is put in a 14 A box without periodic boundaries, as in
    /// qm9_derived_985, whose cell roundtrip must ignore.
    /// </summary>
    private static string SmallMolecules(string dir)
    {
        var all = StructureFiles.Read(TestData.File("molecules", "qm9_first100.xyz")).Take(12).ToList();
        var chosen = new[] { 2, 3, 4, 7, 11 }.Select(i => all[i]).ToList();
        chosen[3].Cell = new Cell(new Vec3(14, 0, 0), new Vec3(0, 14, 0), new Vec3(0, 0, 14), false, false, false);
        var path = Path.Combine(dir, "small.xyz");
        ExtendedXyz.Write(path, chosen);
        return path;
    }

    [Fact]
    public void SmallMoleculesGiveReportAndPlot()
    {
        var dir = CliRunner.TempDirectory();
        var input = SmallMolecules(dir);
        var report = Path.Combine(dir, "report.json");
        var plot = Path.Combine(dir, "plot.png");
        var (exit, stdout, err) = CliRunner.Run("roundtrip", input, "--report", report, "--plot", plot, "--preset", "paper", "--budget", "5");
        output.WriteLine(stdout);
        Assert.True(exit == 0, err);
        Assert.Contains("all", stdout);

        using var doc = JsonDocument.Parse(File.ReadAllText(report));
        var root = doc.RootElement;
        var descriptor = root.GetProperty("descriptor");
        Assert.Equal(7, descriptor.GetProperty("n_max").GetInt32());
        Assert.Equal("complete", descriptor.GetProperty("invariants").GetString());
        Assert.Equal(7.5, descriptor.GetProperty("molecule_radius").GetDouble());
        Assert.Equal(332, descriptor.GetProperty("length").GetInt32());
        Assert.False(root.GetProperty("scoring").GetProperty("allow_reflection").GetBoolean()); // complete: pseudoscalars

        var results = root.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(5, results.Count);
        var formulas = new[] { "H2O", "C2H2", "CHN", "CH4O", "CH3NO" };
        for (var i = 0; i < results.Count; i++)
        {
            var r = results[i];
            Assert.Equal(i, r.GetProperty("index").GetInt32()); // input order whatever the threads did
            Assert.Equal(formulas[i], r.GetProperty("formula").GetString());
            foreach (var key in new[] { "natoms", "rmsd", "positions_ok", "species_ok", "seconds", "decoded", "residual" })
                Assert.True(r.TryGetProperty(key, out _), $"result {i} has no \"{key}\"");
            var speciesOk = r.GetProperty("species_ok").GetBoolean();
            if (r.GetProperty("positions_ok").GetBoolean()) Assert.True(r.GetProperty("rmsd").GetDouble() < 0.01);
            if (speciesOk) Assert.True(r.GetProperty("positions_ok").GetBoolean());
            if (!speciesOk || !r.GetProperty("decoded").GetBoolean()) Assert.False(string.IsNullOrEmpty(r.GetProperty("reason").GetString()));
        }

        var summary = root.GetProperty("summary");
        Assert.Equal(5, summary.GetProperty("molecules").GetInt32());
        var positionsOk = results.Count(r => r.GetProperty("positions_ok").GetBoolean());
        var speciesOkCount = results.Count(r => r.GetProperty("species_ok").GetBoolean());
        Assert.Equal(positionsOk / 5.0, summary.GetProperty("positions_success_rate").GetDouble(), 12);
        Assert.Equal(speciesOkCount / 5.0, summary.GetProperty("species_success_rate").GetDouble(), 12);
        Assert.True(summary.GetProperty("median_seconds").GetDouble() <= summary.GetProperty("p95_seconds").GetDouble());
        var bySize = summary.GetProperty("by_size").EnumerateArray().ToList();
        Assert.Equal([3, 4, 6], bySize.Select(s => s.GetProperty("natoms").GetInt32()));
        Assert.Equal([2, 1, 2], bySize.Select(s => s.GetProperty("molecules").GetInt32()));
        foreach (var s in bySize)
            foreach (var key in new[] { "positions_success_rate", "species_success_rate", "median_seconds" })
                Assert.True(s.TryGetProperty(key, out _), $"by_size entry has no \"{key}\"");
        // The pipeline connects (encode, decode, align): molecules this small come back.
        Assert.True(speciesOkCount >= 3, $"only {speciesOkCount} of 5 small molecules came back");

        var png = File.ReadAllBytes(plot);
        Assert.True(png.Length > 1000);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
    }

    [Fact]
    public void LimitTakesTheFirstMoleculesAndReportNeedsNoPlot()
    {
        var dir = CliRunner.TempDirectory();
        var report = Path.Combine(dir, "report.json");
        // --limit counts molecules over all inputs, in order: the first two of the first file.
        var input = SmallMolecules(dir);
        var (exit, stdout, err) = CliRunner.Run("roundtrip", input, input, "--report", report, "--preset", "paper", "--limit", "2", "--threads", "1");
        Assert.True(exit == 0, err);
        using var doc = JsonDocument.Parse(File.ReadAllText(report));
        var results = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["H2O", "C2H2"], results.Select(r => r.GetProperty("formula").GetString()));
        Assert.Equal([0, 1], results.Select(r => r.GetProperty("frame").GetInt32()));
        Assert.Single(Directory.GetFiles(dir, "*.json"));
        Assert.Empty(Directory.GetFiles(dir, "*.png"));
        Assert.Contains("wrote", stdout);
    }

    [Fact]
    public void FramesAfterTheLimitAreNotRead()
    {
        var dir = CliRunner.TempDirectory();
        var water = StructureFiles.Read(TestData.File("molecules", "qm9_first100.xyz")).ElementAt(2);
        var input = Path.Combine(dir, "in.xyz");
        ExtendedXyz.Write(input, [water]);
        File.AppendAllText(input, "3\nbroken frame\nH 0 0\n");
        var report = Path.Combine(dir, "report.json");
        var (exit, _, err) = CliRunner.Run("roundtrip", input, "--report", report, "--preset", "paper", "--limit", "1", "--budget", "2");
        Assert.True(exit == 0, err);
        (exit, _, err) = CliRunner.Run("roundtrip", input, "--report", report, "--preset", "paper", "--budget", "2");
        Assert.Equal(2, exit);
        Assert.Contains("in.xyz:", err);
    }

    public static TheoryData<string, string> BadRuns => new()
    {
        { "missing-input", "absent.xyz: no such file" },
        { "periodic", "frame 0: periodic boundaries" },
        { "outside-radius", "frame 0" },
        { "report-folder", "output directory does not exist" },
        { "plot-folder", "output directory does not exist" },
        { "plot-extension", "give it a .png name" },
        { "limit", "--limit" },
        { "budget", "--budget" },
        { "preset", "unknown preset" },
    };

    [Theory]
    [MemberData(nameof(BadRuns))]
    public void BadRunIsOneLineExitTwoAndNoOutput(string kind, string expected)
    {
        var dir = CliRunner.TempDirectory();
        var input = Path.Combine(dir, "in.xyz");
        File.WriteAllText(input, kind switch
        {
            "periodic" => "2\nLattice=\"5 0 0 0 5 0 0 0 5\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\nH 0 0 0\nH 0.74 0 0\n",
            "outside-radius" => "2\nProperties=species:S:1:pos:R:3\nH 0 0 0\nH 30 0 0\n",
            _ => "2\nProperties=species:S:1:pos:R:3\nH 0 0 0\nH 0.74 0 0\n",
        });
        var report = Path.Combine(dir, "report.json");
        var plot = Path.Combine(dir, "plot.png");
        string[] args = kind switch
        {
            "missing-input" => ["roundtrip", Path.Combine(dir, "absent.xyz"), "--report", report],
            "report-folder" => ["roundtrip", input, "--report", Path.Combine(dir, "no", "report.json")],
            "plot-folder" => ["roundtrip", input, "--report", report, "--plot", Path.Combine(dir, "no", "plot.png")],
            "plot-extension" => ["roundtrip", input, "--report", report, "--plot", Path.Combine(dir, "plot.svg")],
            "limit" => ["roundtrip", input, "--report", report, "--limit", "0"],
            "budget" => ["roundtrip", input, "--report", report, "--budget", "-1"],
            "preset" => ["roundtrip", input, "--report", report, "--preset", "huge"],
            _ => ["roundtrip", input, "--report", report, "--plot", plot],
        };
        var (exit, _, err) = CliRunner.Run(args);
        Assert.Equal(2, exit);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
        Assert.Contains(expected, err);
        Assert.Equal(["in.xyz"], Directory.GetFiles(dir).Select(Path.GetFileName));
    }

    [Fact]
    public void NoisyAndRoundedFingerprintsDecodeToTheNearestStructure()
    {
        var dir = CliRunner.TempDirectory();
        var input = SmallMolecules(dir);
        var report = Path.Combine(dir, "report.json");
        // Noise of 1e-9 and float32 rounding move the atoms by far less than the 0.01 A of a success.
        var (exit, stdout, err) = CliRunner.Run("roundtrip", input, "--report", report, "--preset", "paper", "--limit", "3",
            "--noise", "1e-9", "--round", "float32", "--threads", "1", "--work", "3000");
        output.WriteLine(stdout);
        Assert.True(exit == 0, err);
        Assert.Contains("with relative noise 1E-09 and rounded to float32", stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(report));
        var results = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(3, results.Count);
        Assert.All(results, r => Assert.True(r.GetProperty("positions_ok").GetBoolean(), r.ToString()));

        (exit, _, err) = CliRunner.Run("roundtrip", input, "--report", report, "--noise", "-1");
        Assert.Equal(2, exit);
        Assert.Contains("--noise", err);
        (exit, _, err) = CliRunner.Run("roundtrip", input, "--report", report, "--round", "bfloat16");
        Assert.Equal(2, exit);
        Assert.Contains("--round", err);
    }
}
