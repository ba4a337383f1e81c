using System.Diagnostics;

namespace Milad.Cli;

/// <summary>
/// One benchmark of <c>milad bench</c>: a fixed pass of work over <see cref="Items"/> items (molecules,
/// environments or atoms), timed by <see cref="Measure"/>.
/// </summary>
/// <param name="Name">Stable name, the key in the JSON report.</param>
/// <param name="Description">What one pass does, for the table.</param>
/// <param name="Unit">What an item is ("molecules", "environments", "atoms").</param>
/// <param name="Items">Items per pass.</param>
/// <param name="Threads">Worker threads of a pass.</param>
/// <param name="Pass">Does the work once.</param>
/// <param name="Flops">Estimated floating-point operations per pass (<see cref="KernelFlops"/>), or null when not counted.</param>
/// <param name="Extra">Further facts for the JSON report (numbers or strings).</param>
public sealed record BenchCase(string Name, string Description, string Unit, long Items, int Threads, Action Pass, double? Flops,
    IReadOnlyDictionary<string, object> Extra)
{
    /// <summary>
    /// Warm-up passes (the JIT's tiering and caches settle) for at least <paramref name="warmupSeconds"/>,
    /// then timed passes until <paramref name="targetSeconds"/> of measured time and at least
    /// <paramref name="minRepeats"/> passes; the pass time reported is the median, which a pass disturbed by
    /// other work on the machine does not move. The mean process CPU time of a pass is taken too (over all
    /// timed passes: the clock may tick in milliseconds): on a shared machine it is nearer the uncontended
    /// cost than the wall time, since it leaves out time spent descheduled.
    /// </summary>
    public BenchResult Measure(double warmupSeconds, double targetSeconds, int minRepeats)
    {
        var warm = Stopwatch.StartNew();
        do Pass(); while (warm.Elapsed.TotalSeconds < warmupSeconds);

        var times = new List<double>();
        double total = 0;
        var cpu = Environment.CpuUsage.TotalTime;
        while (total < targetSeconds || times.Count < minRepeats)
        {
            var start = Stopwatch.GetTimestamp();
            Pass();
            var t = Stopwatch.GetElapsedTime(start).TotalSeconds;
            times.Add(t);
            total += t;
        }
        var cpuSeconds = (Environment.CpuUsage.TotalTime - cpu).TotalSeconds / times.Count;
        return new BenchResult(this, Statistics.Median(times), times.Count, total) { CpuSeconds = cpuSeconds };
    }
}
