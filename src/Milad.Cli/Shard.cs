using System.CommandLine;
using System.Globalization;

namespace Milad.Cli;

/// <summary>
/// `--shard I/N`: this process handles block I (1-based, like SLURM_ARRAY_TASK_ID in an array 1-N) of N
/// contiguous blocks of the input frames, counted over all inputs in order. Concatenating the outputs of
/// shards 1..N gives the output of one unsharded run, byte for byte.
/// </summary>
internal readonly record struct Shard(int Index, int Count)
{
    /// <summary>The whole input: one shard of one.</summary>
    public static Shard All => new(1, 1);

    public bool IsSharded => Count > 1;

    /// <summary>Shard 1 writes what starts a file (header).</summary>
    public bool IsFirst => Index == 1;

    /// <summary>Shard N writes what ends a file (closing brackets).</summary>
    public bool IsLast => Index == Count;

    /// <summary>
    /// Frames [Start, End) of <paramref name="total"/>: block I runs from floor((I-1) total / N) to
    /// floor(I total / N), so blocks differ in size by at most one and, with more shards than frames,
    /// some blocks are empty.
    /// </summary>
    public (long Start, long End) Range(long total) =>
        ((long)((Int128)(Index - 1) * total / Count), (long)((Int128)Index * total / Count));

    /// <summary>"I/N" with 1 &lt;= I &lt;= N; anything else is a one-line <see cref="InputException"/>.</summary>
    public static Shard Parse(string? text)
    {
        if (text == null) return All;
        var parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || count < 1 || index < 1 || index > count)
            throw new InputException($"--shard: '{text}' is not I/N with 1 <= I <= N (shards count from 1, as SLURM_ARRAY_TASK_ID)");
        return new Shard(index, count);
    }

    /// <summary>The option, with the description every batch command shares plus what <paramref name="output"/> says about its format.</summary>
    public static Option<string?> Option(string output) => new("--shard")
    {
        Description = "I/N: process only block I (1..N) of N contiguous blocks of the input frames (counted over all inputs); "
            + output,
    };

    /// <summary>"shard 2/3: frames 3 to 5 of 9" (frames from 0) or "shard 3/5: no frames of 2", for a summary line.</summary>
    public string Describe(long total)
    {
        var (start, end) = Range(total);
        return end > start
            ? string.Create(CultureInfo.InvariantCulture, $"shard {this}: frames {start} to {end - 1} of {total}")
            : string.Create(CultureInfo.InvariantCulture, $"shard {this}: no frames of {total}");
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}
