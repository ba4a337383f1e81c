using System.Runtime.ExceptionServices;
using Milad.IO;
using Milad.Structures;

namespace Milad.Cli;

/// <summary>One frame of a batch command's inputs.</summary>
/// <param name="Index">Position among the frames of all inputs, from 0 (the same in every shard).</param>
/// <param name="File">Input file.</param>
/// <param name="FrameInFile">Frame in that file, from 0 (for error messages).</param>
internal sealed record InputFrame(long Index, string File, int FrameInFile, Structure Structure);

/// <summary>
/// Consecutive frames of one input: parsed, or a chunk of extended xyz text that <see cref="Parse"/> parses where
/// it is encoded (so parsing runs on the pipeline's workers).
/// </summary>
internal sealed class FrameBlock
{
    private readonly List<InputFrame>? _frames;
    private readonly XyzChunk? _chunk;
    private readonly string _file = "";
    private readonly long _firstIndex;

    public FrameBlock(List<InputFrame> frames) => _frames = frames;

    public FrameBlock(string file, long firstIndex, XyzChunk chunk) => (_file, _firstIndex, _chunk) = (file, firstIndex, chunk);

    /// <summary>The frames; a parse error is returned with the frames before it, to be raised after them.</summary>
    public List<InputFrame> Parse(out ExceptionDispatchInfo? error)
    {
        error = null;
        if (_frames != null) return _frames;
        var frames = new List<InputFrame>(_chunk!.Frames);
        try
        {
            // Blocks are for encoding: comment values and columns other than the geometry are checked, not kept.
            foreach (var s in ExtendedXyzChunks.Parse(_chunk, _file, geometryOnly: true))
                frames.Add(new InputFrame(_firstIndex + frames.Count, _file, _chunk.FramesBefore + frames.Count, s));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            error = ExceptionDispatchInfo.Capture(ex);
        }
        return frames;
    }
}

/// <summary>The frames of several structure files in order, read lazily (constant memory).</summary>
internal static class InputFrames
{
    /// <summary>What <see cref="Count"/> found: frames in all, per input file, and output rows in all.</summary>
    public sealed record Counts(long Frames, long[] PerFile, long Rows);

    /// <summary>
    /// Frames with global index in [<paramref name="start"/>, <paramref name="end"/>); reading stops after the
    /// last one. With <paramref name="counts"/> the frames before the block are stepped over cheaply (files
    /// wholly before it are not opened, extended xyz frames are not parsed), so a shard reads little more than
    /// its block; without, they are parsed and dropped.
    /// </summary>
    public static IEnumerable<InputFrame> Read(IReadOnlyList<string> inputs, long start = 0, long end = long.MaxValue, Counts? counts = null)
    {
        foreach (var input in inputs) _ = StructureFiles.Read(input); // a missing file fails before any work
        return Iterate(inputs, start, end, counts);
    }

    private static IEnumerable<InputFrame> Iterate(IReadOnlyList<string> inputs, long start, long end, Counts? counts)
    {
        long index = 0;
        for (var i = 0; i < inputs.Count && index < end; i++)
        {
            var input = inputs[i];
            long skip = 0;
            if (counts != null)
            {
                if (index + counts.PerFile[i] <= start)
                {
                    index += counts.PerFile[i];
                    continue;
                }
                skip = Math.Max(0, start - index);
                index += skip;
            }
            var frame = (int)skip;
            using var frames = StructureFiles.Read(input, skip).GetEnumerator();
            // The bound is checked before the next frame is parsed: frames after the block are never read.
            while (index < end && frames.MoveNext())
            {
                if (index >= start) yield return new InputFrame(index, input, frame, frames.Current);
                index++;
                frame++;
            }
        }
    }

    /// <summary>
    /// The frames of <see cref="Read"/> in blocks of consecutive frames of one input, up to <paramref name="maxFrames"/>
    /// frames and ending at the first frame that brings the block to <paramref name="maxAtoms"/> atoms. Extended xyz
    /// blocks of an unsharded read are cut from the text by their atom counts and parsed by <see cref="FrameBlock.Parse"/>
    /// (on the thread that encodes them); other blocks come parsed. A read error ends the sequence after the block of
    /// the frames read before it (so those are still encoded, and their errors come first).
    /// </summary>
    public static IEnumerable<FrameBlock> Blocks(IReadOnlyList<string> inputs, int maxFrames, int maxAtoms,
        long start = 0, long end = long.MaxValue, Counts? counts = null)
    {
        foreach (var input in inputs) _ = StructureFiles.Read(input); // a missing file fails before any work
        return start == 0 && end == long.MaxValue && counts == null
            ? Chunked(inputs, maxFrames, maxAtoms)
            : Parsed(Iterate(inputs, start, end, counts), maxFrames, maxAtoms);
    }

    private static IEnumerable<FrameBlock> Chunked(IReadOnlyList<string> inputs, int maxFrames, int maxAtoms)
    {
        long index = 0;
        foreach (var input in inputs)
        {
            if (!StructureFiles.IsXyz(input))
            {
                foreach (var block in Parsed(Iterate([input], 0, long.MaxValue, null), maxFrames, maxAtoms, index)) yield return block;
                continue;
            }
            foreach (var chunk in ExtendedXyzChunks.Read(input, maxFrames, maxAtoms))
            {
                yield return new FrameBlock(input, index, chunk);
                index += chunk.Frames;
            }
        }
    }

    private static IEnumerable<FrameBlock> Parsed(IEnumerable<InputFrame> frames, int maxFrames, int maxAtoms, long firstIndex = 0)
    {
        using var e = frames.GetEnumerator();
        var block = new List<InputFrame>();
        var atoms = 0;
        ExceptionDispatchInfo? error = null;
        while (true)
        {
            try
            {
                if (!e.MoveNext()) break;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                error = ExceptionDispatchInfo.Capture(ex);
                break;
            }
            var f = e.Current;
            block.Add(firstIndex == 0 ? f : f with { Index = f.Index + firstIndex });
            atoms += f.Structure.Count;
            if (block.Count < maxFrames && atoms < maxAtoms) continue;
            yield return new FrameBlock(block);
            (block, atoms) = ([], 0);
        }
        if (block.Count > 0) yield return new FrameBlock(block);
        error?.Throw();
    }

    /// <summary>
    /// A cheap pass for sharding: the number of frames of all inputs (and per input), and the sum of
    /// <paramref name="rows"/> over them (output rows, e.g. one per molecule or one per atom). Extended xyz
    /// atom lines are not parsed (<see cref="StructureFiles.Scan"/>), and comment lines only when
    /// <paramref name="rows"/> needs to know which frames are periodic. With <paramref name="max"/>, frames after
    /// the first <paramref name="max"/> are not read.
    /// </summary>
    public static Counts Count(IReadOnlyList<string> inputs, Func<FrameSummary, long>? rows = null, long max = long.MaxValue)
    {
        foreach (var input in inputs) _ = StructureFiles.Read(input);
        long frames = 0, total = 0;
        var perFile = new long[inputs.Count];
        for (var i = 0; i < inputs.Count && frames < max; i++)
        {
            using var scan = StructureFiles.Scan(inputs[i], periodicity: rows != null).GetEnumerator();
            while (frames < max && scan.MoveNext())
            {
                frames++;
                perFile[i]++;
                if (rows != null) total += rows(scan.Current);
            }
        }
        return new Counts(frames, perFile, total);
    }
}
