using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Milad.Cli;

/// <summary>
/// The output of <c>milad bench</c>: the JSON report <c>{"machine": {...}, "results": [{"name", "items",
/// "seconds", "items_per_second", "threads", ...}]}</c> and the table on the terminal.
/// </summary>
public static class BenchReport
{
    public static void WriteJson(Stream stream, MachineInfo machine, bool quick, IReadOnlyList<BenchResult> results)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        machine.Write(w);
        w.WriteBoolean("quick", quick);
        w.WriteStartArray("results");
        foreach (var r in results)
        {
            var c = r.Case;
            w.WriteStartObject();
            w.WriteString("name", c.Name);
            w.WriteString("description", c.Description);
            w.WriteString("unit", c.Unit);
            w.WriteNumber("items", c.Items);
            w.WriteNumber("seconds", r.Seconds);
            w.WriteNumber("items_per_second", r.ItemsPerSecond);
            w.WriteNumber("threads", c.Threads);
            w.WriteNumber("repeats", r.Repeats);
            w.WriteNumber("total_seconds", r.TotalSeconds);
            w.WriteNumber("cpu_seconds", r.CpuSeconds);
            if (r.ItemsPerCpuSecond is { } perCpu) w.WriteNumber("items_per_cpu_second", perCpu); else w.WriteNull("items_per_cpu_second");
            if (r.Speedup is { } speedup) w.WriteNumber("speedup_vs_1thread", speedup);
            if (c.Flops is { } flops)
            {
                w.WriteNumber("flops", flops);
                w.WriteNumber("flops_per_second", r.FlopsPerSecond!.Value);
                w.WriteNumber("fraction_of_peak", r.FractionOfPeak(machine)!.Value);
            }
            foreach (var (key, value) in c.Extra)
            {
                switch (value)
                {
                    case string s: w.WriteString(key, s); break;
                    case int i: w.WriteNumber(key, i); break;
                    case long l: w.WriteNumber(key, l); break;
                    case double d: w.WriteNumber(key, d); break;
                    default: throw new InvalidOperationException($"benchmark field {key} has an unsupported type {value.GetType().Name}");
                }
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The machine in two lines, then one row per benchmark.</summary>
    public static void WriteTable(TextWriter output, MachineInfo machine, IReadOnlyList<BenchResult> results)
    {
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(text),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        // Wide enough that no row wraps: the table is meant to be pasted (Markdown borders).
        console.Profile.Width = 200;
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{machine.CpuModel}, {machine.LogicalCores} logical cores ({machine.ProcessorCount} usable), {machine.Mhz ?? double.NaN:F0} MHz, Vector<double> {machine.VectorDoubleCount} lanes, AVX-512 {(machine.Vector512Accelerated ? "yes" : "no")}, FMA {(machine.FmaSupported ? "yes" : "no")}, {machine.Runtime}"));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"assumed peak {machine.PeakFlopsPerCore / 1e9:F1} GFLOP/s per core = {machine.FlopsPerCycle} DP FLOP/cycle x {machine.PeakFlopsPerCore / machine.FlopsPerCycle / 1e9:F2} GHz (reason in the JSON report)"));
        var table = new Table().Border(TableBorder.Markdown);
        table.AddColumn(new TableColumn("benchmark").NoWrap());
        table.AddColumn(new TableColumn("threads").RightAligned());
        table.AddColumn(new TableColumn("items").RightAligned());
        table.AddColumn("unit");
        table.AddColumn(new TableColumn("seconds").RightAligned());
        table.AddColumn(new TableColumn("items/s").RightAligned());
        table.AddColumn(new TableColumn("items/cpu-s").RightAligned());
        table.AddColumn(new TableColumn("GFLOP/s").RightAligned());
        table.AddColumn(new TableColumn("% peak").RightAligned());
        table.AddColumn(new TableColumn("repeats").RightAligned());
        foreach (var r in results)
        {
            var c = r.Case;
            table.AddRow(
                c.Name,
                c.Threads.ToString(CultureInfo.InvariantCulture),
                c.Items.ToString(CultureInfo.InvariantCulture),
                c.Unit,
                r.Seconds.ToString("F4", CultureInfo.InvariantCulture),
                Rate(r.ItemsPerSecond),
                r.ItemsPerCpuSecond is { } perCpu ? Rate(perCpu) : "-",
                r.FlopsPerSecond is { } f ? (f / 1e9).ToString("F2", CultureInfo.InvariantCulture) : "-",
                r.FractionOfPeak(machine) is { } p ? (100 * p).ToString("F1", CultureInfo.InvariantCulture) : "-",
                r.Repeats.ToString(CultureInfo.InvariantCulture));
        }
        console.Write(table);
        // Spectre pads lines to the console width and frames a Markdown table with blank lines: drop both.
        foreach (var line in text.ToString().Split('\n'))
            if (line.TrimEnd() is { Length: > 0 } trimmed) output.WriteLine(trimmed);
    }

    private static string Rate(double perSecond) => perSecond.ToString(perSecond < 100 ? "F2" : "F0", CultureInfo.InvariantCulture);
}
