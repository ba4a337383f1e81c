using System.Globalization;
using System.Runtime.CompilerServices;
using Milad.Structures;

namespace Milad.IO;

/// <summary>
/// Reads extended xyz frames one at a time from a <see cref="LineReader"/>. Every problem becomes a
/// one-line <see cref="InputException"/> "FILE:LINE: what".
/// </summary>
internal sealed class ExtendedXyzParser
{
    private const int MaxShown = 40; // characters of offending text quoted in a message

    /// <summary>The comment-line keys a geometry-only read keeps (its other values are checked, not typed or kept).</summary>
    private static readonly string[] GeometryKeys = ["Properties", "Lattice", "pbc"];

    private readonly LineReader _lines;
    private readonly string _name;
    private readonly bool _geometryOnly;
    private XyzColumns? _columns;

    // Element symbols seen so far, looked up by span so atom lines allocate no strings.
    private readonly Dictionary<string, int> _symbols = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _symbolLookup;

    // Reused between frames; Structure copies what it keeps.
    private readonly List<int> _numbers = [];
    private readonly List<Vec3> _positions = [];
    private readonly List<Vec3> _forces = [];
    private Range[] _tokens = new Range[16];

    public ExtendedXyzParser(TextReader reader, string name) : this(new LineReader(reader), name)
    {
    }

    /// <summary>Frames from <paramref name="lines"/> (a piece of a file: its line numbers go on from the piece's first).</summary>
    /// <param name="lines">The text.</param>
    /// <param name="name">The source in messages.</param>
    /// <param name="geometryOnly">
    /// Keep only species, positions and the cell (for encoding): <see cref="Structure.Energy"/>, forces, <see cref="Structure.Info"/>
    /// and <see cref="Structure.Arrays"/> stay empty. Everything is still checked as in a full read, with the same messages.
    /// </param>
    public ExtendedXyzParser(LineReader lines, string name, bool geometryOnly = false)
    {
        _lines = lines;
        _name = name;
        _geometryOnly = geometryOnly;
        _symbolLookup = _symbols.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Characters taken from the source so far (to show that reading streams).</summary>
    public long CharactersRead => _lines.CharactersRead;

    /// <summary>Frames returned so far.</summary>
    public int Frames { get; private set; }

    /// <summary>The next frame, or null at the end of the input.</summary>
    public Structure? Next()
    {
        if (!TryReadCount(out var natoms, out var countLine, out var line)) return null;
        var commentLine = _lines.LineNumber;
        var frame = ParseComment(line, commentLine);

        _numbers.Clear();
        _positions.Clear();
        _forces.Clear();
        var columns = frame.Columns;
        List<Array>?[]? extras = null; // null: extra columns are checked, not kept
        if (!_geometryOnly)
        {
            extras = new List<Array>?[columns.Columns.Length];
            for (var c = 0; c < columns.Columns.Length; c++)
                if (columns.Columns[c].Role == XyzColumnRole.Extra) extras[c] = new List<Array>(Math.Min(natoms, 1 << 16));
        }
        var hasForces = !_geometryOnly && Array.Exists(columns.Columns, c => c.Role == XyzColumnRole.Forces);
        var plain = columns.Text == XyzColumns.Default;

        for (var a = 0; a < natoms; a++)
        {
            if (!_lines.TryReadLine(out line))
                throw Error(countLine, $"truncated frame: {natoms} atoms announced but the file ends after {a} atom lines");
            if (!(plain && TryParsePlainAtom(line))) ParseAtom(line, columns, extras);
        }

        var s = new Structure(_numbers, _positions, frame.Cell) { Energy = frame.Energy };
        if (hasForces) s.Forces = _forces.ToArray();
        if (frame.Info != null)
            foreach (var (key, value) in frame.Info) s.Info[key] = value;
        if (extras != null)
            for (var c = 0; c < columns.Columns.Length; c++)
                if (extras[c] is { } list) s.Arrays[columns.Columns[c].Name] = list.ToArray();
        Frames++;
        return s;
    }

    /// <summary>
    /// Steps over the next frame without parsing its atom lines (a malformed one is not noticed): its atom
    /// count and, with <paramref name="periodicity"/>, whether it is periodic (a comment line with a Lattice is
    /// then parsed and checked); null at the end of the input.
    /// </summary>
    public FrameSummary? Skip(bool periodicity)
    {
        if (!TryReadCount(out var natoms, out var countLine, out var line)) return null;
        // Only a frame with a Lattice has a cell: other comment lines need no parsing (the common molecule case).
        var periodic = periodicity && line.Contains("Lattice", StringComparison.Ordinal)
            && ParseComment(line, _lines.LineNumber).Cell is { AnyPeriodic: true };
        for (var a = 0; a < natoms; a++)
            if (!_lines.TryReadLine(out _))
                throw Error(countLine, $"truncated frame: {natoms} atoms announced but the file ends after {a} atom lines");
        Frames++;
        return new FrameSummary(natoms, periodic);
    }

    /// <summary>Reads up to the comment line: the atom count, its line number and the comment; false at the end of the input.</summary>
    private bool TryReadCount(out int natoms, out long countLine, out ReadOnlySpan<char> comment)
    {
        ReadOnlySpan<char> line;
        do
        {
            if (!_lines.TryReadLine(out line))
            {
                natoms = 0;
                countLine = 0;
                comment = default;
                return false;
            }
        } while (line.IsWhiteSpace()); // blank lines between or after frames

        countLine = _lines.LineNumber;
        var trimmed = line.Trim();
        if (!int.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out natoms))
            throw Error(countLine, $"malformed atom count '{Shorten(trimmed)}' (expected the number of atoms)");

        if (!_lines.TryReadLine(out comment))
            throw Error(countLine, $"truncated frame: {natoms} atoms announced but the file ends before the comment line");
        return true;
    }

    // Info: the values for Structure.Info; null in a geometry-only read.
    private readonly record struct Header(XyzColumns Columns, Cell? Cell, double? Energy, List<KeyValuePair<string, object>>? Info);

    private Header ParseComment(ReadOnlySpan<char> line, long lineNumber)
    {
        var info = _geometryOnly ? null : new List<KeyValuePair<string, object>>();
        if (!KeyValueLine.LooksLikeKeyValues(line))
        {
            // Plain xyz: the comment is free text.
            var text = line.Trim();
            if (!text.IsEmpty) info?.Add(new("comment", text.ToString()));
            return new Header(_columns is { Text: XyzColumns.Default } ? _columns : _columns = XyzColumns.Parse(XyzColumns.Default), null, null, info);
        }

        List<KeyValuePair<string, object>> pairs;
        try { pairs = KeyValueLine.Parse(line, _geometryOnly ? GeometryKeys : null); }
        catch (FormatException e) { throw Error(lineNumber, e.Message); }

        string properties = XyzColumns.Default;
        double[]? lattice = null;
        bool[]? pbc = null;
        double? energy = null;
        foreach (var (key, value) in pairs)
        {
            switch (key)
            {
                case "Properties":
                    properties = value as string ?? throw Error(lineNumber, $"malformed Properties: expected name:type:count triples");
                    break;
                case "Lattice":
                    lattice = Numbers(value);
                    if (lattice is not { Length: 9 })
                        throw Error(lineNumber, "Lattice must have 9 numbers (three lattice vectors)");
                    if (!Array.TrueForAll(lattice, double.IsFinite)) throw Error(lineNumber, "Lattice has a non-finite number");
                    break;
                case "pbc":
                    pbc = value switch
                    {
                        bool[] { Length: 3 } b => b,
                        long[] { Length: 3 } l when Array.TrueForAll(l, x => x is 0 or 1) => Array.ConvertAll(l, x => x == 1),
                        _ => throw Error(lineNumber, "pbc must be three logical values such as \"T T F\""),
                    };
                    break;
                case "energy" when value is double or long:
                    energy = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                    break;
                default:
                    info?.Add(new(key, value));
                    break;
            }
        }

        if (_columns?.Text != properties)
        {
            try { _columns = XyzColumns.Parse(properties); }
            catch (FormatException e) { throw Error(lineNumber, e.Message); }
        }

        Cell? cell = null;
        if (lattice != null)
        {
            pbc ??= [true, true, true]; // ASE: a lattice without pbc is periodic
            var a = new Vec3(lattice[0], lattice[1], lattice[2]);
            var b = new Vec3(lattice[3], lattice[4], lattice[5]);
            var c = new Vec3(lattice[6], lattice[7], lattice[8]);
            var allZero = a == Vec3.Zero && b == Vec3.Zero && c == Vec3.Zero;
            if (allZero && !pbc[0] && !pbc[1] && !pbc[2])
            {
                // Some writers put an all-zero lattice on isolated molecules: that is no cell at all.
            }
            else if (Math.Abs(new Cell(a, b, c).Volume) <= 1e-10 * a.Norm * b.Norm * c.Norm || allZero)
                throw Error(lineNumber, "degenerate Lattice: its vectors span zero volume");
            else
                cell = new Cell(a, b, c, pbc[0], pbc[1], pbc[2]);
        }
        else if (pbc != null && (pbc[0] || pbc[1] || pbc[2]))
            throw Error(lineNumber, "pbc is T in some direction but the frame has no Lattice");

        return new Header(_columns, cell, energy, info);
    }

    private static double[]? Numbers(object value) => value switch
    {
        double[] d => d,
        long[] l => Array.ConvertAll(l, x => (double)x),
        _ => null,
    };

    private void ParseAtom(ReadOnlySpan<char> line, XyzColumns columns, List<Array>?[]? extras)
    {
        if (_tokens.Length < columns.Width + 1) _tokens = new Range[columns.Width + 1];
        var found = Tokenize(line, _tokens);
        if (found != columns.Width)
            throw Error(_lines.LineNumber, $"expected {columns.Width} columns (Properties={columns.Text}), found {found}");

        Vec3 forces = default;
        var hasForces = false;
        for (var c = 0; c < columns.Columns.Length; c++)
        {
            var column = columns.Columns[c];
            var t = column.Start;
            switch (column.Role)
            {
                case XyzColumnRole.Species:
                    _numbers.Add(Element(line[_tokens[t]]));
                    break;
                case XyzColumnRole.AtomicNumber:
                {
                    var token = line[_tokens[t]];
                    if (!int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var z) || z is < 1 or > Elements.MaxAtomicNumber)
                        throw Error(_lines.LineNumber, $"unknown element: atomic number '{Shorten(token)}' in column {t + 1} ({column.Name})");
                    _numbers.Add(z);
                    break;
                }
                case XyzColumnRole.Position:
                {
                    var p = new Vec3(Real(line, t, column), Real(line, t + 1, column), Real(line, t + 2, column));
                    if (!p.IsFinite)
                        throw Error(_lines.LineNumber, $"non-finite position ({Shorten(line[_tokens[t].Start.._tokens[t + 2].End])})");
                    _positions.Add(p);
                    break;
                }
                case XyzColumnRole.Forces:
                    forces = new Vec3(Real(line, t, column), Real(line, t + 1, column), Real(line, t + 2, column));
                    hasForces = true;
                    break;
                default:
                    if (extras != null) extras[c]!.Add(ExtraValues(line, column));
                    else CheckExtraValues(line, column);
                    break;
            }
        }
        if (hasForces) _forces.Add(forces);
    }

    /// <summary>Checks an extra column's values as <see cref="ExtraValues"/> reads them (the same messages), keeping nothing.</summary>
    private void CheckExtraValues(ReadOnlySpan<char> line, XyzColumn column)
    {
        var t = column.Start;
        for (var k = 0; k < column.Count; k++)
        {
            var token = line[_tokens[t + k]];
            switch (column.Type)
            {
                case 'R':
                    Real(line, t + k, column);
                    break;
                case 'I' when !KeyValueLine.TryLong(token, out _):
                    throw Error(_lines.LineNumber, $"column {t + k + 1} ({column.Name}): '{Shorten(token)}' is not an integer");
                case 'L' when !KeyValueLine.TryBool(token, out _):
                    throw Error(_lines.LineNumber, $"column {t + k + 1} ({column.Name}): '{Shorten(token)}' is not a logical (T or F)");
            }
        }
    }

    /// <summary>
    /// "SYMBOL X Y Z" (the default columns) read in one pass: false, with nothing added, for anything else (an unknown
    /// symbol, a number the fast path does not take, another column count), which <see cref="ParseAtom"/> then reads
    /// (or reports) as it always does.
    /// </summary>
    private bool TryParsePlainAtom(ReadOnlySpan<char> line)
    {
        var i = 0;
        var symbol = Token(line, ref i);
        if (symbol.IsEmpty || !_symbolLookup.TryGetValue(symbol, out var z)) return false;
        if (!DecimalNumber.TryParse(Token(line, ref i), out var x) || !DecimalNumber.TryParse(Token(line, ref i), out var y)
            || !DecimalNumber.TryParse(Token(line, ref i), out var w) || !Token(line, ref i).IsEmpty) return false;
        var p = new Vec3(x, y, w);
        if (!p.IsFinite) return false;
        _numbers.Add(z);
        _positions.Add(p);
        return true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static ReadOnlySpan<char> Token(ReadOnlySpan<char> line, ref int i)
        {
            while (i < line.Length && (line[i] == ' ' || line[i] == '\t')) i++;
            var start = i;
            while (i < line.Length && line[i] != ' ' && line[i] != '\t') i++;
            return line[start..i];
        }
    }

    private Array ExtraValues(ReadOnlySpan<char> line, XyzColumn column)
    {
        var t = column.Start;
        switch (column.Type)
        {
            case 'R':
            {
                var v = new double[column.Count];
                for (var k = 0; k < v.Length; k++) v[k] = Real(line, t + k, column);
                return v;
            }
            case 'I':
            {
                var v = new long[column.Count];
                for (var k = 0; k < v.Length; k++)
                    if (!KeyValueLine.TryLong(line[_tokens[t + k]], out v[k]))
                        throw Error(_lines.LineNumber, $"column {t + k + 1} ({column.Name}): '{Shorten(line[_tokens[t + k]])}' is not an integer");
                return v;
            }
            case 'L':
            {
                var v = new bool[column.Count];
                for (var k = 0; k < v.Length; k++)
                    if (!KeyValueLine.TryBool(line[_tokens[t + k]], out v[k]))
                        throw Error(_lines.LineNumber, $"column {t + k + 1} ({column.Name}): '{Shorten(line[_tokens[t + k]])}' is not a logical (T or F)");
                return v;
            }
            default:
            {
                var v = new string[column.Count];
                for (var k = 0; k < v.Length; k++) v[k] = line[_tokens[t + k]].ToString();
                return v;
            }
        }
    }

    private double Real(ReadOnlySpan<char> line, int token, XyzColumn column)
    {
        var text = line[_tokens[token]];
        if (!DecimalNumber.TryParse(text, out var value))
            throw Error(_lines.LineNumber, $"column {token + 1} ({column.Name}): '{Shorten(text)}' is not a number");
        return value;
    }

    private int Element(ReadOnlySpan<char> symbol)
    {
        if (_symbolLookup.TryGetValue(symbol, out var z)) return z;
        var text = symbol.ToString();
        // Some writers put atomic numbers in the species column.
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out z))
        {
            if (z is < 1 or > Elements.MaxAtomicNumber)
                throw Error(_lines.LineNumber, $"unknown element: atomic number '{Shorten(symbol)}'");
        }
        else if (!Elements.TryGetAtomicNumber(text, out z))
            throw Error(_lines.LineNumber, $"unknown element '{Shorten(symbol)}'");
        _symbols[text] = z;
        return z;
    }

    /// <summary>Splits on whitespace into ranges; stops storing at tokens.Length but keeps counting (for the message).</summary>
    private static int Tokenize(ReadOnlySpan<char> line, Range[] tokens)
    {
        var n = 0;
        var i = 0;
        while (true)
        {
            while (i < line.Length && (line[i] == ' ' || line[i] == '\t')) i++;
            if (i == line.Length) return n;
            var start = i;
            while (i < line.Length && line[i] != ' ' && line[i] != '\t') i++;
            if (n < tokens.Length) tokens[n] = new Range(start, i);
            n++;
        }
    }

    private static string Shorten(ReadOnlySpan<char> text) =>
        text.Length <= MaxShown ? text.ToString() : string.Concat(text[..MaxShown], "...");

    private InputException Error(long line, string what) => InputException.AtLine(_name, line, what);
}
