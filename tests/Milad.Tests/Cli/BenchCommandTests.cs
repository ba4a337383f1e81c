using System.Numerics;
using System.Text.Json;
using Milad.Cli;
using Milad.Fingerprints;

namespace Milad.Tests.Cli;

public class BenchCommandTests
{
    [Fact]
    public void QuickRunWritesTheJsonReportAndTheTable()
    {
        var dir = CliRunner.TempDirectory();
        var json = Path.Combine(dir, "bench.json");
        // No --data: the shared data beside the repository is found from the program's location.
        var (exit, stdout, err) = CliRunner.Run("bench", "--quick", "--only", "molecules-nmax7,environments-mo", "--json", json);
        Assert.True(exit == 0, err);
        Assert.Contains("molecules-nmax7", stdout);
        Assert.Contains("environments-mo", stdout);

        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var machine = doc.RootElement.GetProperty("machine");
        Assert.False(string.IsNullOrWhiteSpace(machine.GetProperty("cpu_model").GetString()));
        Assert.True(machine.GetProperty("logical_cores").GetInt32() >= 1);
        Assert.Equal(Vector<double>.Count, machine.GetProperty("vector_double_count").GetInt32());
        Assert.True(machine.GetProperty("peak_flops_per_core").GetDouble() > 1e9);
        Assert.Contains("FLOP/cycle", machine.GetProperty("peak_reason").GetString());

        var results = doc.RootElement.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(["molecules-nmax7", "environments-mo"], results.Select(r => r.GetProperty("name").GetString()));
        foreach (var r in results)
        {
            var items = r.GetProperty("items").GetInt64();
            var seconds = r.GetProperty("seconds").GetDouble();
            Assert.True(items > 0);
            Assert.True(seconds > 0);
            Assert.Equal(items / seconds, r.GetProperty("items_per_second").GetDouble(), 1e-9 * items / seconds);
            Assert.Equal(1, r.GetProperty("threads").GetInt32());
            Assert.True(r.GetProperty("repeats").GetInt32() >= 1);
            Assert.True(r.GetProperty("cpu_seconds").GetDouble() >= 0);
            var flops = r.GetProperty("flops").GetDouble();
            Assert.Equal(flops / seconds, r.GetProperty("flops_per_second").GetDouble(), 1e-9 * flops / seconds);
            var fraction = r.GetProperty("fraction_of_peak").GetDouble();
            Assert.InRange(fraction, 1e-6, 1);
        }
        Assert.Equal(100, results[0].GetProperty("items").GetInt64());          // qm9_first100
        Assert.Equal(1189, results[1].GetProperty("items").GetInt64());         // atoms of Mo_test
        Assert.Equal(7, results[0].GetProperty("n_max").GetInt32());
    }

    [Fact]
    public void MissingDataFolderIsOneLineAndExitCode2()
    {
        var dir = CliRunner.TempDirectory();
        var json = Path.Combine(dir, "bench.json");
        var (exit, stdout, err) = CliRunner.Run("bench", "--quick", "--data", Path.Combine(dir, "nowhere"), "--json", json);
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("nowhere", err);
        Assert.False(File.Exists(json));
    }

    [Fact]
    public void DataFolderWithoutTheFilesIsOneLineAndExitCode2()
    {
        var dir = CliRunner.TempDirectory();
        var (exit, _, err) = CliRunner.Run("bench", "--quick", "--data", dir, "--only", "environments-ni");
        Assert.Equal(2, exit);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("Ni_test.xyz", err);
        Assert.Contains("--data", err);
    }

    [Theory]
    [InlineData("--only", "molecules-nmax8")]
    [InlineData("--threads", "0")]
    public void BadOptionsAreOneLineAndExitCode2(string option, string value)
    {
        var (exit, _, err) = CliRunner.Run("bench", "--quick", option, value);
        Assert.Equal(2, exit);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Fact]
    public void PeakOfZen4IsSixteenFlopsPerCycleAtTheReportedClock()
    {
        const string zen4 = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\nmodel name\t: AMD EPYC\ncpu MHz\t\t: 2600.000\n\n" +
                            "processor\t: 1\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\nmodel name\t: AMD EPYC\ncpu MHz\t\t: 2600.000\n";
        var m = MachineInfo.Detect(zen4);
        Assert.Equal("AMD EPYC", m.CpuModel);
        Assert.Equal(2, m.LogicalCores);
        Assert.Equal(2600, m.Mhz);
        Assert.Equal(16, m.FlopsPerCycle);
        Assert.Equal(41.6e9, m.PeakFlopsPerCore, 1e3);
        Assert.Contains("Zen 4", m.PeakReason);

        var unknown = MachineInfo.Detect("processor\t: 0\nmodel name\t: Some CPU\ncpu MHz\t\t: 1000\n");
        Assert.Equal(4 * Vector<double>.Count, unknown.FlopsPerCycle);
        Assert.Equal(4e9 * Vector<double>.Count, unknown.PeakFlopsPerCore, 1e3);
        Assert.Contains("unknown CPU", unknown.PeakReason);
    }

    [Fact]
    public void FlopFormulasFollowTheKernels()
    {
        // n_max 1, counted by hand from ZernikeBasis.Batch: r^2 5; solid harmonics (1,0) 10 + (1,1) 8;
        // block (0,0): Jacobi 5 + norm 1 + m=0 4 = 10; block (1,1): 10 + one (+m,-m) pair 7 = 17.
        var d1 = new Descriptor(Presets.Get("paper") with { NMax = 1 });
        Assert.Equal(5 + 18 + 10 + 17, KernelFlops.MomentsPerPoint(d1));
        // Derivatives: 1 (scale x w) + gradients 6 x (16 + 9) + blocks (6 + 2 + 21 x 1) + (6 + 2 + 21 x 3).
        Assert.Equal(1 + 6 * 25 + 29 + 71, KernelFlops.DerivativesPerPoint(d1));

        var d = new Descriptor(Presets.Get("paper"));
        Assert.Equal(4.0 * d.Invariants.TermCount, KernelFlops.Invariants(d));
        Assert.Equal(10 * KernelFlops.MomentsPerPoint(d) + 2 * KernelFlops.Invariants(d), KernelFlops.Encode(d, 2, 10));
        Assert.Equal(10 * (KernelFlops.MomentsPerPoint(d) + KernelFlops.DerivativesPerPoint(d)) + 2 * (KernelFlops.Invariants(d) + KernelFlops.SparseGradient(d))
            + 2.0 * d.Invariants.SupportTotal * 3 * 10, KernelFlops.EncodeWithJacobian(d, 2, 10));
        // Every degree-3 term has three factors to differentiate: at least 3 gradient terms each.
        Assert.InRange(d.Invariants.GradientTermCount, 2.5 * d.Invariants.TermCount, 3.0 * d.Invariants.TermCount);
    }
}
