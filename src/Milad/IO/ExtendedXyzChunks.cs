using System.Buffers;
using System.Globalization;
using Milad.Structures;

namespace Milad.IO;

/// <summary>Whole frames of an extended xyz file as text: cut by one reading thread, parsed on others.</summary>
/// <param name="Text">The frames' lines (and blank lines between them), each ending in "\n", in the first <paramref name="Length"/>
/// characters of an array from <see cref="ArrayPool{T}.Shared"/> that <see cref="ExtendedXyzChunks.Parse"/> returns to it.</param>
/// <param name="Length">Characters of <paramref name="Text"/> in use.</param>
/// <param name="LinesBefore">Lines of the file before the chunk: line numbers in messages go on from there.</param>
/// <param name="FramesBefore">Frames of the file before the chunk.</param>
/// <param name="Frames">Whole frames counted in the chunk (the last chunk of a broken file holds the broken part too).</param>
internal sealed record XyzChunk(char[] Text, int Length, long LinesBefore, int FramesBefore, int Frames);

/// <summary>
/// Reads an extended xyz file as chunks of whole frames, looking only at atom counts (a line count per frame),
/// so that the frames can be parsed in parallel; <see cref="Parse"/> gives a chunk's frames as
/// <see cref="ExtendedXyz.Read(string)"/> would, with the same messages and line numbers.
/// </summary>
/// <remarks>
/// Where the counts do not hold (a line that is not an atom count, a file that ends inside a frame) the
/// chunk ends with the rest of the file read so far and no more chunks follow: parsing it raises the error
/// at that point, after the frames before it. A frame is held in memory whole, as text.
/// </remarks>
internal static class ExtendedXyzChunks
{
    public static IEnumerable<XyzChunk> Read(string path, int maxFrames, long maxAtoms)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: no such file");
        return ReadFile(path, maxFrames, maxAtoms);
    }

    private static IEnumerable<XyzChunk> ReadFile(string path, int maxFrames, long maxAtoms)
    {
        using var reader = ExtendedXyz.Open(path);
        var lines = new LineReader(reader);
        var text = ArrayPool<char>.Shared.Rent(1 << 15);
        var length = 0;
        long linesBefore = 0, atoms = 0;
        int framesBefore = 0, frames = 0;
        var broken = false;
        try
        {
            while (lines.TryReadLine(out var line))
            {
                Append(ref text, ref length, line);
                if (line.IsWhiteSpace()) continue; // blank lines between frames: the parser steps over them
                if (!int.TryParse(line.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var natoms))
                {
                    broken = true;
                    break;
                }
                for (long k = 0; k <= natoms && !broken; k++) // the comment line, then the atoms
                {
                    if (lines.TryReadLine(out line)) Append(ref text, ref length, line);
                    else broken = true;
                }
                if (broken) break;
                frames++;
                atoms += natoms;
                if (frames < maxFrames && atoms < maxAtoms) continue;
                var chunk = new XyzChunk(text, length, linesBefore, framesBefore, frames);
                (text, length) = (ArrayPool<char>.Shared.Rent(text.Length), 0); // the chunk's array is its parser's now
                yield return chunk;
                (linesBefore, framesBefore, frames, atoms) = (lines.LineNumber, framesBefore + frames, 0, 0);
            }
            if (length > 0)
            {
                var chunk = new XyzChunk(text, length, linesBefore, framesBefore, frames);
                (text, length) = ([], 0);
                yield return chunk;
            }
            if (!broken && framesBefore + frames == 0) throw new InputException($"{path}: no frames");
        }
        finally
        {
            if (text.Length > 0) ArrayPool<char>.Shared.Return(text);
        }
    }

    private static void Append(ref char[] text, ref int length, ReadOnlySpan<char> line)
    {
        if (length + line.Length + 1 > text.Length)
        {
            var bigger = ArrayPool<char>.Shared.Rent(Math.Max(2 * text.Length, length + line.Length + 1));
            text.AsSpan(0, length).CopyTo(bigger);
            ArrayPool<char>.Shared.Return(text);
            text = bigger;
        }
        line.CopyTo(text.AsSpan(length));
        length += line.Length;
        text[length++] = '\n';
    }

    /// <summary>
    /// The frames of a chunk of <paramref name="path"/>, parsed lazily; the chunk's array goes back to the pool at the end.
    /// With <paramref name="geometryOnly"/> only species, positions and cells are kept (checked as fully as ever).
    /// </summary>
    public static IEnumerable<Structure> Parse(XyzChunk chunk, string path, bool geometryOnly = false)
    {
        try
        {
            var parser = new ExtendedXyzParser(new LineReader(chunk.Text, chunk.Length, chunk.LinesBefore), path, geometryOnly);
            while (parser.Next() is { } s) yield return s;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chunk.Text);
        }
    }
}
