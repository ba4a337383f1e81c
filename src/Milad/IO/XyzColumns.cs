using System.Globalization;

namespace Milad.IO;

/// <summary>What the reader does with one Properties entry.</summary>
internal enum XyzColumnRole
{
    /// <summary>Element symbols (or atomic numbers written as text).</summary>
    Species,
    /// <summary>Atomic numbers (an I:1 "species" column, or "Z" when there is no species column).</summary>
    AtomicNumber,
    Position,
    Forces,
    /// <summary>Any other column, kept in Structure.Arrays.</summary>
    Extra,
}

/// <summary>One Properties entry: name, type letter (S, R, I, L), width and where its values start on an atom line.</summary>
internal sealed record XyzColumn(string Name, char Type, int Count, int Start, XyzColumnRole Role);

/// <summary>
/// The per-atom column layout of a frame, parsed from ASE's <c>Properties=name:type:count:...</c>.
/// Frames of one file nearly always share it, so the reader keeps the last one and reuses it.
/// </summary>
internal sealed class XyzColumns
{
    public const string Default = "species:S:1:pos:R:3";

    private XyzColumns(string text, XyzColumn[] columns)
    {
        Text = text;
        Columns = columns;
        Width = columns.Sum(c => c.Count);
    }

    /// <summary>The Properties value as written.</summary>
    public string Text { get; }

    public XyzColumn[] Columns { get; }

    /// <summary>Number of whitespace-separated values on each atom line.</summary>
    public int Width { get; }

    /// <summary>Parses a Properties value; throws <see cref="FormatException"/> saying what is malformed.</summary>
    public static XyzColumns Parse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length % 3 != 0)
            throw new FormatException($"malformed Properties '{text}': expected name:type:count triples");
        var columns = new List<XyzColumn>();
        var start = 0;
        for (var k = 0; k < parts.Length; k += 3)
        {
            var name = parts[k];
            if (name.Length == 0) throw new FormatException($"malformed Properties '{text}': empty column name");
            if (parts[k + 1] is not ("S" or "R" or "I" or "L"))
                throw new FormatException($"malformed Properties '{text}': type of '{name}' is '{parts[k + 1]}', not S, R, I or L");
            if (!int.TryParse(parts[k + 2], NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
                throw new FormatException($"malformed Properties '{text}': width of '{name}' is '{parts[k + 2]}', not a positive integer");
            if (columns.Any(c => c.Name == name))
                throw new FormatException($"malformed Properties '{text}': column '{name}' appears twice");
            columns.Add(new XyzColumn(name, parts[k + 1][0], count, start, XyzColumnRole.Extra));
            start += count;
        }

        var pos = columns.FindIndex(c => c.Name == "pos");
        if (pos < 0) throw new FormatException($"malformed Properties '{text}': no pos column");
        if (columns[pos] is not { Type: 'R', Count: 3 }) throw new FormatException($"malformed Properties '{text}': pos must be R:3");
        columns[pos] = columns[pos] with { Role = XyzColumnRole.Position };

        var species = columns.FindIndex(c => c.Name == "species");
        if (species >= 0)
        {
            columns[species] = columns[species] switch
            {
                { Type: 'S', Count: 1 } c => c with { Role = XyzColumnRole.Species },
                { Type: 'I', Count: 1 } c => c with { Role = XyzColumnRole.AtomicNumber },
                _ => throw new FormatException($"malformed Properties '{text}': species must be S:1 or I:1"),
            };
        }
        else
        {
            // ASE names atomic numbers "Z"; without a species column they give the elements.
            var z = columns.FindIndex(c => c is { Name: "Z", Type: 'I', Count: 1 });
            if (z < 0) throw new FormatException($"malformed Properties '{text}': no species (or Z) column");
            columns[z] = columns[z] with { Role = XyzColumnRole.AtomicNumber };
        }

        // ASE reads both "forces" and "force" as the calculator's forces; the first one wins.
        var forces = columns.FindIndex(c => c.Name is "forces" or "force");
        if (forces >= 0 && columns[forces] is { Type: 'R', Count: 3 })
            columns[forces] = columns[forces] with { Role = XyzColumnRole.Forces };

        return new XyzColumns(text, columns.ToArray());
    }
}
