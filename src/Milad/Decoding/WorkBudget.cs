using System.Diagnostics;

namespace Milad.Decoding;

/// <summary>
/// What one decoding may spend. The limit that decides is a count of work units (one per evaluation in a
/// Levenberg-Marquardt loop, linear solve of a level, pencil solve or density peak), so that a fingerprint decodes
/// to the same structure, bit for bit, on any machine load and any number of threads. A wall-time deadline is
/// kept only as a safety stop; when it ends a decoding, <see cref="TimedOut"/> says so (that result may depend
/// on the load). A <see cref="Share"/> is a smaller budget whose spending also counts in its parent.
/// Not thread-safe (one decoding, one thread).
/// </summary>
internal sealed class WorkBudget
{
    private readonly WorkBudget? _parent;
    private readonly long _deadline;

    public WorkBudget(long limit, long deadline, WorkBudget? parent = null)
    {
        Limit = Math.Max(0, limit);
        _deadline = deadline;
        _parent = parent;
    }

    /// <summary>No work limit; a wall-time deadline (a <see cref="Stopwatch"/> timestamp) only.</summary>
    public static WorkBudget Until(long deadline) => new(long.MaxValue, deadline);

    /// <summary>No limit at all.</summary>
    public static WorkBudget Unlimited => new(long.MaxValue, long.MaxValue);

    /// <summary>A budget of <paramref name="seconds"/> of wall time from now, no work limit.</summary>
    public static WorkBudget ForSeconds(double seconds)
    {
        var start = Stopwatch.GetTimestamp();
        var ticks = seconds <= 0 ? 0 : seconds * Stopwatch.Frequency;
        return Until(ticks >= long.MaxValue - start ? long.MaxValue : start + (long)ticks);
    }

    public long Limit { get; }

    /// <summary>Units spent here (and in the shares taken from this budget).</summary>
    public long Used { get; private set; }

    /// <summary>Units left before this budget or one of its parents is spent.</summary>
    public long Remaining => Math.Max(0, Math.Min(Limit - Used, _parent?.Remaining ?? long.MaxValue));

    /// <summary>Whether the wall-time safety stop has passed (of this budget or a parent).</summary>
    public bool TimedOut => Stopwatch.GetTimestamp() > _deadline || (_parent?.TimedOut ?? false);

    /// <summary>No more work: the units are spent or the safety deadline has passed.</summary>
    public bool Exhausted => Remaining <= 0 || TimedOut;

    public void Spend(long units = 1)
    {
        Used += units;
        _parent?.Spend(units);
    }

    /// <summary>A budget of at most <paramref name="units"/> of what is left here.</summary>
    public WorkBudget Share(long units) => new(Math.Min(units, Remaining), _deadline, this);
}
