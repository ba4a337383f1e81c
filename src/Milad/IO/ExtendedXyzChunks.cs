using System.Globalization;
using System.Text;
using Milad.Structures;

namespace Milad.IO;

/// <summary>Whole frames of an extended xyz file as text: cut by one reading thread, parsed on others.</summary>
/// <param name="Text">The frames' lines (and blank lines between them), each ending in "\n".</param>
/// <param name="LinesBefore">Lines of the file before the chunk: line numbers in messages go on from there.</param>
/// <param name="FramesBefore">Frames of the file before the chunk.</param>
/// <param name="Frames">Whole frames counted in the chunk (the last chunk of a broken file holds the broken part too).</param>
internal sealed record XyzChunk(string Text, long LinesBefore, int FramesBefore, int Frames);

/// <summary>
/// Reads an extended xyz file as chunks of whole frames, looking only at atom counts (a line count per frame),
/// so that the frames can be parsed in parallel; <see cref="Parse"/> gives a chunk's frames as
/// <see cref="ExtendedXyz.Read(string)"/> would, with the same messages and line numbers.
/// </summary>
/// <remarks>
/// Where the counts do not hold (a line that is not an atom count, a file that ends inside a frame) the
/// chunk ends with the rest of the file read so far and no more chunks follow: parsing it raises the error
/// at that point, after the frames before it.
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
        var text = new StringBuilder();
        long linesBefore = 0, atoms = 0;
        int framesBefore = 0, frames = 0;
        var broken = false;
        while (lines.TryReadLine(out var line))
        {
            text.Append(line).Append('\n');
            if (line.IsWhiteSpace()) continue; // blank lines between frames: the parser steps over them
            if (!int.TryParse(line.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var natoms))
            {
                broken = true;
                break;
            }
            for (long k = 0; k <= natoms && !broken; k++) // the comment line, then the atoms
            {
                if (lines.TryReadLine(out line)) text.Append(line).Append('\n');
                else broken = true;
            }
            if (broken) break;
            frames++;
            atoms += natoms;
            if (frames < maxFrames && atoms < maxAtoms) continue;
            yield return new XyzChunk(text.ToString(), linesBefore, framesBefore, frames);
            (linesBefore, framesBefore, frames, atoms) = (lines.LineNumber, framesBefore + frames, 0, 0);
            text.Clear();
        }
        if (text.Length > 0) yield return new XyzChunk(text.ToString(), linesBefore, framesBefore, frames);
        if (!broken && framesBefore + frames == 0) throw new InputException($"{path}: no frames");
    }

    /// <summary>The frames of a chunk of <paramref name="path"/>, parsed lazily.</summary>
    public static IEnumerable<Structure> Parse(XyzChunk chunk, string path)
    {
        var parser = new ExtendedXyzParser(new StringReader(chunk.Text), path, chunk.LinesBefore);
        while (parser.Next() is { } s) yield return s;
    }
}
