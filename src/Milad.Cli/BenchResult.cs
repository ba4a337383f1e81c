namespace Milad.Cli;

/// <summary>The timing of one <see cref="BenchCase"/>: the median pass time over <see cref="Repeats"/> timed passes.</summary>
public sealed record BenchResult(BenchCase Case, double Seconds, int Repeats, double TotalSeconds)
{
    /// <summary>Throughput over that of the same work on one worker thread, when both were measured.</summary>
    public double? Speedup { get; init; }

    public double ItemsPerSecond => Case.Items / Seconds;

    /// <summary>Mean process CPU time of a timed pass (all threads, the runtime's own included).</summary>
    public double CpuSeconds { get; init; }

    /// <summary>Items per second of CPU time (for one thread, near the throughput on an otherwise idle core); null when the clock saw none.</summary>
    public double? ItemsPerCpuSecond => CpuSeconds > 0 ? Case.Items / CpuSeconds : null;

    public double? FlopsPerSecond => Case.Flops / Seconds;

    /// <summary>FLOP/s over the peak of the cores the pass ran on (threads x peak per core).</summary>
    public double? FractionOfPeak(MachineInfo machine) =>
        FlopsPerSecond / (Math.Min(Case.Threads, machine.ProcessorCount) * machine.PeakFlopsPerCore);
}
