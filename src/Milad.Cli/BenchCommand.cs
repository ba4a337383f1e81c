using System.CommandLine;
using System.Globalization;

namespace Milad.Cli;

/// <summary>
/// `milad bench [--json OUT.json] [--threads N] [--quick] [--data DIR] [--only NAME,...]`: throughput of
/// encoding, prediction and decoding on the shared real data, with the machine it ran on and, for the
/// encoding kernels, the FLOP rate against the machine's assumed peak (<see cref="KernelFlops"/>).
/// </summary>
public static class BenchCommand
{
    /// <summary>Full run: warm-up, then timed passes until this much measured time (seconds), at least 3 passes.</summary>
    private const double WarmupSeconds = 0.5, TargetSeconds = 1.5;
    private const int MinRepeats = 3;

    /// <summary>--quick: a shorter warm-up and one or more passes up to this much measured time.</summary>
    private const double QuickWarmupSeconds = 0.05, QuickTargetSeconds = 0.2;

    public static Command Create(TextWriter stdout)
    {
        var json = new Option<string?>("--json") { Description = "Write the results as JSON to this file." };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => 1, Description = "Worker threads per benchmark (default 1); predict-energy-forces-2threads always runs on 2." };
        var quick = new Option<bool>("--quick") { Description = "Short warm-up and measurement (about 0.2 s per benchmark): noisier numbers, for a smoke test." };
        var data = new Option<string?>("--data") { Description = "The shared data folder (default: ../shared/data beside the repository, or from the current directory)." };
        var only = new Option<string?>("--only") { Description = $"Comma-separated benchmarks to run (default all): {string.Join(", ", BenchSuite.All.Select(a => a.Name))}." };
        var command = new Command("bench", "Measure throughput (molecules, environments, atoms per second) on the shared real data.") { json, threads, quick, data, only };
        command.SetAction(p => Run(p.GetValue(json), p.GetValue(threads), p.GetValue(quick), p.GetValue(data), p.GetValue(only), stdout));
        return command;
    }

    internal static int Run(string? jsonPath, int threads, bool quick, string? dataOption, string? only, TextWriter stdout)
    {
        if (threads is < 1 or > Potentials.TrainingOptions.MaxThreads)
            throw new InputException($"--threads must be from 1 to {Potentials.TrainingOptions.MaxThreads}, got {threads}");
        OutputPaths.Check([], new OutputPaths.Output(jsonPath, "--json", ".json"));
        var names = Select(only);
        var data = FindData(dataOption);
        foreach (var (name, files) in BenchSuite.All.Where(a => names.Contains(a.Name)))
            foreach (var f in files)
                if (!File.Exists(Path.Combine(data, f)))
                    throw new InputException($"{Path.Combine(data, f)}: benchmark data not found (needed by {name}; point --data at the shared data folder)");
        // Checked before minutes of measuring.
        if (jsonPath != null && !Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(jsonPath))))
            throw new InputException($"{jsonPath}: the output directory does not exist");

        var machine = MachineInfo.Detect();
        var suite = new BenchSuite(data, threads);
        var results = new List<BenchResult>();
        using (var progress = new ProgressLine("bench"))
            foreach (var name in BenchSuite.All.Select(a => a.Name).Where(names.Contains))
            {
                progress.Report(name);
                var c = suite.Create(name);
                results.Add(quick ? c.Measure(QuickWarmupSeconds, QuickTargetSeconds, 1) : c.Measure(WarmupSeconds, TargetSeconds, MinRepeats));
            }

        // The scaling pair: the same frames and model on 2 workers against 1.
        var one = results.FirstOrDefault(r => r.Case.Name == "predict-energy-forces" && r.Case.Threads == 1);
        for (var i = 0; i < results.Count; i++)
            if (one != null && results[i].Case.Name is "predict-energy-forces-2threads" or "predict-energy-forces-2frames")
                results[i] = results[i] with { Speedup = results[i].ItemsPerSecond / one.ItemsPerSecond };

        if (jsonPath != null)
        {
            using var file = new AtomicFile(jsonPath);
            BenchReport.WriteJson(file.Stream, machine, quick, results);
            file.Commit();
        }
        BenchReport.WriteTable(stdout, machine, results);
        foreach (var r in results.Where(r => r.Speedup != null))
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Case.Name}: {r.Speedup:F2} x the throughput on 1 thread"));
        if (jsonPath != null) stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{results.Count} benchmark(s) -> {jsonPath}"));
        return MiladCommand.Ok;
    }

    /// <summary>The benchmark names of --only (all when absent); an unknown name is an input error.</summary>
    internal static HashSet<string> Select(string? only)
    {
        var known = BenchSuite.All.Select(a => a.Name).ToArray();
        if (only == null) return [.. known];
        var names = only.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 0) throw new InputException("--only: no benchmark names");
        foreach (var n in names)
            if (!known.Contains(n)) throw new InputException($"--only: unknown benchmark '{n}' (expected {string.Join(", ", known)})");
        return [.. names];
    }

    /// <summary>
    /// --data, else ../shared/data beside the repository holding this program (a source checkout), else
    /// ../shared/data or shared/data from the current directory.
    /// </summary>
    internal static string FindData(string? option)
    {
        if (option != null)
        {
            if (!Directory.Exists(option)) throw new InputException($"{option}: the data folder does not exist (--data)");
            return option;
        }
        var candidates = new List<string>();
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Milad.sln")))
            {
                candidates.Add(Path.Combine(dir.FullName, "..", "shared", "data"));
                break;
            }
        candidates.Add(Path.Combine("..", "shared", "data"));
        candidates.Add(Path.Combine("shared", "data"));
        foreach (var c in candidates)
            if (File.Exists(Path.Combine(c, BenchSuite.Qm9))) return Path.GetFullPath(c);
        throw new InputException("benchmark data not found (looked for ../shared/data beside the repository and the current directory); use --data DIR");
    }
}
