using System.Globalization;
using System.Text;
using Milad.Structures;

namespace Milad.IO;

/// <summary>
/// Extended xyz with ASE's conventions: per frame an atom count line, a comment line of key=value
/// pairs (<c>Lattice="ax ay az bx by bz cx cy cz"</c> with the lattice vectors as rows, <c>pbc="T T T"</c>,
/// <c>Properties=species:S:1:pos:R:3:...</c>, <c>energy=</c> and anything else), then one line per atom.
/// Plain xyz (a free-text comment line) reads too.
/// </summary>
/// <remarks>
/// Reading maps <c>energy</c> to <see cref="Structure.Energy"/>, the per-atom <c>forces</c> (or
/// <c>force</c>) column to <see cref="Structure.Forces"/>, other per-frame values to
/// <see cref="Structure.Info"/> (long, double, bool, string or arrays of those; the free text of a
/// plain xyz comment under "comment") and other per-atom columns to <see cref="Structure.Arrays"/>.
/// Without Properties the columns are <c>species:S:1:pos:R:3</c>; a Lattice without pbc is periodic
/// in all three directions. Any malformed input throws one <see cref="InputException"/> "FILE:LINE: what".
/// </remarks>
public static class ExtendedXyz
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// Reads the frames of a file lazily, one per enumeration step; the file stays open while enumerating
    /// and is read only as far as the frames taken (so <c>First()</c> on a huge file is cheap).
    /// A missing file throws at once; a malformed frame throws when it is reached.
    /// </summary>
    public static IEnumerable<Structure> Read(string path)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: no such file");
        return ReadFile(path);
    }

    private static IEnumerable<Structure> ReadFile(string path)
    {
        using (var reader = Open(path))
            foreach (var s in Read(reader, path)) yield return s;
    }

    /// <summary>
    /// Like <see cref="Read(string)"/>, but steps over the first <paramref name="skip"/> frames without
    /// parsing their atoms (for a block of a large file: a malformed frame before it is not noticed).
    /// </summary>
    public static IEnumerable<Structure> Read(string path, long skip)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        if (!File.Exists(path)) throw new InputException($"{path}: no such file");
        return skip == 0 ? ReadFile(path) : ReadFileAfter(path, skip);
    }

    private static IEnumerable<Structure> ReadFileAfter(string path, long skip)
    {
        using var reader = Open(path);
        var parser = new ExtendedXyzParser(reader, path);
        for (long k = 0; k < skip; k++)
            if (parser.Skip(periodicity: false) == null) yield break;
        while (parser.Next() is { } s) yield return s;
    }

    /// <summary>
    /// A cheap pass over a file: per frame its atom count and, with <paramref name="periodicity"/>, whether it
    /// is periodic, without parsing atom lines (several times faster than <see cref="Read(string)"/>). Only
    /// what is read is checked: atom counts, truncation, and the comment line when it is parsed.
    /// </summary>
    public static IEnumerable<FrameSummary> Scan(string path, bool periodicity = true)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: no such file");
        return ScanFile(path, periodicity);
    }

    private static IEnumerable<FrameSummary> ScanFile(string path, bool periodicity)
    {
        using var reader = Open(path);
        var parser = new ExtendedXyzParser(reader, path);
        while (parser.Skip(periodicity) is { } frame) yield return frame;
        if (parser.Frames == 0) throw new InputException($"{path}: no frames");
    }

    internal static StreamReader Open(string path)
    {
        try { return new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, new FileStreamOptions { BufferSize = 1 << 16 }); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InputException($"{path}: cannot open: {e.Message}"); }
    }

    /// <summary>
    /// Reads frames lazily from a reader (which the caller disposes); <paramref name="name"/> names
    /// the source in error messages. Input without any frame throws "NAME: no frames".
    /// </summary>
    public static IEnumerable<Structure> Read(TextReader reader, string name)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return Iterate(new ExtendedXyzParser(reader, name), name);
    }

    internal static IEnumerable<Structure> Iterate(ExtendedXyzParser parser, string name)
    {
        while (parser.Next() is { } s) yield return s;
        if (parser.Frames == 0) throw new InputException($"{name}: no frames");
    }

    /// <summary>
    /// Writes frames to <paramref name="path"/> through a temporary file in the same folder that
    /// replaces the target only when every frame is written, so a failure leaves no half-written file.
    /// </summary>
    public static void Write(string path, IEnumerable<Structure> structures)
    {
        ArgumentNullException.ThrowIfNull(structures);
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var w = new StreamWriter(temp, new UTF8Encoding(false), new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 1 << 16 }))
                foreach (var s in structures) Write(w, s);
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } // the original error matters, not this one
            throw;
        }
    }

    /// <summary>
    /// Writes one frame in extended xyz that ASE reads back: Lattice (when there is a cell),
    /// Properties, pbc, energy, the <see cref="Structure.Info"/> entries, then per atom the species,
    /// position, forces (when present) and the <see cref="Structure.Arrays"/> columns. Doubles are
    /// written in shortest round-trip form, so reading the frame back gives the same bits.
    /// </summary>
    /// <remarks>
    /// Per-frame strings are always quoted; a string that looks like a number or T/F reads back as
    /// that number or logical (as in ASE). Lines end with "\n" whatever the writer's NewLine.
    /// Throws <see cref="ArgumentException"/> for values extended xyz cannot hold (e.g. a per-atom
    /// string with spaces, an Info value of another type, a name clashing with a reserved key).
    /// </remarks>
    public static void Write(TextWriter w, Structure s)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(s);
        var columns = CheckArrays(s);

        w.Write(s.Count.ToString(Invariant));
        w.Write('\n');
        if (s.Cell is { } cell)
        {
            w.Write("Lattice=\"");
            for (var i = 0; i < 3; i++)
                for (var k = 0; k < 3; k++)
                {
                    if (i + k > 0) w.Write(' ');
                    WriteReal(w, cell[i][k]);
                }
            w.Write("\" ");
        }
        w.Write("Properties=species:S:1:pos:R:3");
        if (s.Forces != null) w.Write(":forces:R:3");
        foreach (var (name, type, width) in columns)
        {
            w.Write(':'); w.Write(name); w.Write(':'); w.Write(type); w.Write(':'); w.Write(width.ToString(Invariant));
        }
        w.Write(" pbc=\"");
        for (var i = 0; i < 3; i++)
        {
            if (i > 0) w.Write(' ');
            w.Write(s.Cell is { } c && c.Pbc[i] ? 'T' : 'F');
        }
        w.Write('"');
        if (s.Energy is { } energy)
        {
            w.Write(" energy=");
            WriteReal(w, energy, markReal: true);
        }
        foreach (var (key, value) in s.Info)
        {
            if (key is "Lattice" or "Properties" or "pbc" || (key == "energy" && s.Energy != null))
                throw new ArgumentException($"Info key '{key}' clashes with the one the writer sets");
            w.Write(' ');
            WriteKey(w, key);
            w.Write('=');
            WriteInfoValue(w, key, value);
        }
        w.Write('\n');

        for (var a = 0; a < s.Count; a++)
        {
            w.Write(Elements.Symbol(s.AtomicNumbers[a]));
            WriteVec(w, s.Positions[a]);
            if (s.Forces != null) WriteVec(w, s.Forces[a]);
            foreach (var (name, _, _) in columns)
                foreach (var item in s.Arrays[name][a])
                {
                    w.Write(' ');
                    switch (item)
                    {
                        case double d: WriteReal(w, d); break;
                        case bool b: w.Write(b ? 'T' : 'F'); break;
                        case string str: w.Write(str); break;
                        default: w.Write(Convert.ToInt64(item, Invariant).ToString(Invariant)); break;
                    }
                }
            w.Write('\n');
        }
    }

    /// <summary>Checks the extra columns and returns their Properties entries.</summary>
    private static List<(string Name, char Type, int Width)> CheckArrays(Structure s)
    {
        if (s.Forces != null && s.Forces.Length != s.Count)
            throw new ArgumentException($"{s.Forces.Length} forces for {s.Count} atoms");
        var columns = new List<(string, char, int)>();
        foreach (var (name, values) in s.Arrays)
        {
            if (name.Length == 0 || name.AsSpan().IndexOfAny(" \t\"':=") >= 0)
                throw new ArgumentException($"per-atom column name '{name}' cannot be written in extended xyz");
            if (name is "species" or "pos" || (s.Forces != null && name is "forces"))
                throw new ArgumentException($"per-atom column '{name}' clashes with the one the writer sets");
            if (values.Length != s.Count)
                throw new ArgumentException($"per-atom column '{name}' has {values.Length} rows for {s.Count} atoms");
            if (s.Count == 0) continue;
            var first = values[0] ?? throw new ArgumentException($"per-atom column '{name}' has a null row");
            var type = first switch
            {
                double[] => 'R',
                long[] or int[] => 'I',
                bool[] => 'L',
                string[] => 'S',
                _ => throw new ArgumentException($"per-atom column '{name}' holds {first.GetType().Name}, not double[], long[], int[], bool[] or string[]"),
            };
            for (var a = 0; a < values.Length; a++)
            {
                if (values[a] is not { } row || row.GetType() != first.GetType() || row.Length != first.Length)
                    throw new ArgumentException($"per-atom column '{name}': row {a} differs in type or width from row 0");
                if (row is string[] strings)
                    foreach (var str in strings)
                        if (string.IsNullOrEmpty(str) || str.AsSpan().IndexOfAny(" \t\r\n") >= 0)
                            throw new ArgumentException($"per-atom column '{name}': row {a} has an empty string or one with whitespace");
            }
            if (first.Length == 0) throw new ArgumentException($"per-atom column '{name}' has width 0");
            columns.Add((name, type, first.Length));
        }
        return columns;
    }

    private static void WriteVec(TextWriter w, Vec3 v)
    {
        w.Write(' '); WriteReal(w, v.X);
        w.Write(' '); WriteReal(w, v.Y);
        w.Write(' '); WriteReal(w, v.Z);
    }

    /// <summary>Shortest round-trip text of a double; with <paramref name="markReal"/> an integral value gets ".0" so it reads back as a double, not a long.</summary>
    private static void WriteReal(TextWriter w, double d, bool markReal = false)
    {
        Span<char> buffer = stackalloc char[32];
        d.TryFormat(buffer, out var n, "R", Invariant);
        w.Write(buffer[..n]);
        if (markReal && buffer[..n].IndexOfAnyExcept("-0123456789") < 0) w.Write(".0");
    }

    private static void WriteKey(TextWriter w, string key)
    {
        if (key.Length > 0 && key.AsSpan().IndexOfAny(" \t\r\n\"'=[{\\") < 0) w.Write(key);
        else WriteQuoted(w, key);
    }

    private static void WriteQuoted(TextWriter w, string text)
    {
        w.Write('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': w.Write("\\\""); break;
                case '\\': w.Write("\\\\"); break;
                case '\n': w.Write("\\n"); break;
                case '\r': break;
                default: w.Write(c); break;
            }
        }
        w.Write('"');
    }

    private static void WriteInfoValue(TextWriter w, string key, object value)
    {
        switch (value)
        {
            case string s: WriteQuoted(w, s); break;
            case bool b: w.Write(b ? 'T' : 'F'); break;
            case double d: WriteReal(w, d, markReal: true); break;
            case float f: WriteReal(w, f, markReal: true); break;
            case long or int or short or sbyte or byte or ushort or uint:
                w.Write(Convert.ToInt64(value, Invariant).ToString(Invariant)); break;
            case string[] strings:
                // Brackets keep a list of strings a list (ASE reads it as JSON).
                w.Write('[');
                for (var i = 0; i < strings.Length; i++)
                {
                    if (i > 0) w.Write(", ");
                    WriteQuoted(w, strings[i]);
                }
                w.Write(']');
                break;
            case Array { Length: >= 2 } array when array is double[] or float[] or long[] or int[] or bool[]:
                // ASE's own form for numeric arrays: quoted, space-separated.
                w.Write('"');
                WriteItems(w, array, ' ', jsonBools: false);
                w.Write('"');
                break;
            case Array array when array is double[] or float[] or long[] or int[] or bool[]:
                // A single item in quotes would read back as a scalar; brackets keep it an array.
                w.Write('[');
                WriteItems(w, array, ',', jsonBools: true);
                w.Write(']');
                break;
            default:
                throw new ArgumentException($"Info['{key}'] holds {value?.GetType().Name ?? "null"}, which extended xyz cannot hold");
        }
    }

    private static void WriteItems(TextWriter w, Array array, char separator, bool jsonBools)
    {
        for (var i = 0; i < array.Length; i++)
        {
            if (i > 0) w.Write(separator);
            switch (array.GetValue(i))
            {
                case double d: WriteReal(w, d, markReal: array is double[]); break;
                case float f: WriteReal(w, f, markReal: true); break;
                case bool b: w.Write(jsonBools ? (b ? "true" : "false") : (b ? "T" : "F")); break;
                case var x: w.Write(Convert.ToInt64(x, Invariant).ToString(Invariant)); break;
            }
        }
    }
}
