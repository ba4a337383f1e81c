using Milad.IO;
using Milad.Structures;

namespace Milad.Cli;

/// <summary>One frame of a batch command's inputs.</summary>
/// <param name="Index">Position among the frames of all inputs, from 0 (the same in every shard).</param>
/// <param name="File">Input file.</param>
/// <param name="FrameInFile">Frame in that file, from 0 (for error messages).</param>
internal sealed record InputFrame(long Index, string File, int FrameInFile, Structure Structure);

/// <summary>The frames of several structure files in order, read lazily (constant memory).</summary>
internal static class InputFrames
{
    /// <summary>
    /// Frames with global index in [<paramref name="start"/>, <paramref name="end"/>): earlier frames are
    /// parsed and dropped, reading stops after the last one.
    /// </summary>
    public static IEnumerable<InputFrame> Read(IReadOnlyList<string> inputs, long start = 0, long end = long.MaxValue)
    {
        foreach (var input in inputs) _ = StructureFiles.Read(input); // a missing file fails before any work
        return Iterate(inputs, start, end);
    }

    private static IEnumerable<InputFrame> Iterate(IReadOnlyList<string> inputs, long start, long end)
    {
        long index = 0;
        foreach (var input in inputs)
        {
            var frame = 0;
            using var frames = StructureFiles.Read(input).GetEnumerator();
            // The bound is checked before the next frame is parsed: frames after the block are never read.
            while (index < end && frames.MoveNext())
            {
                if (index >= start) yield return new InputFrame(index, input, frame, frames.Current);
                index++;
                frame++;
            }
            if (index >= end) yield break;
        }
    }

    /// <summary>
    /// A cheap pass (parse, no encoding) for sharding: the number of frames of all inputs, and the sum of
    /// <paramref name="rows"/> over them (output rows, e.g. one per molecule or one per atom); with
    /// <paramref name="max"/>, frames after the first <paramref name="max"/> are not read.
    /// </summary>
    public static (long Frames, long Rows) Count(IReadOnlyList<string> inputs, Func<Structure, long>? rows = null, long max = long.MaxValue)
    {
        long frames = 0, total = 0;
        foreach (var f in Read(inputs, 0, max))
        {
            frames++;
            if (rows != null) total += rows(f.Structure);
        }
        return (frames, total);
    }
}
