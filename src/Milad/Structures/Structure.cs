namespace Milad.Structures;

/// <summary>
/// One frame: atoms (species and Cartesian positions, Angstrom), an optional cell, and whatever else
/// the file carried (per-frame values in <see cref="Info"/>, extra per-atom columns in <see cref="Arrays"/>).
/// </summary>
public sealed class Structure
{
    public Structure(IReadOnlyList<int> atomicNumbers, IReadOnlyList<Vec3> positions, Cell? cell = null)
    {
        if (atomicNumbers.Count != positions.Count)
            throw new ArgumentException($"{atomicNumbers.Count} species but {positions.Count} positions");
        AtomicNumbers = atomicNumbers.ToArray();
        Positions = positions.ToArray();
        Cell = cell;
    }

    /// <summary>Atomic number of each atom.</summary>
    public int[] AtomicNumbers { get; }

    /// <summary>Cartesian position of each atom (Angstrom).</summary>
    public Vec3[] Positions { get; }

    /// <summary>The cell, or null for an isolated structure without one.</summary>
    public Cell? Cell { get; set; }

    public int Count => Positions.Length;

    /// <summary>True when any direction of the cell is periodic.</summary>
    public bool IsPeriodic => Cell is { AnyPeriodic: true };

    /// <summary>Total energy (eV) when the file gives one.</summary>
    public double? Energy { get; set; }

    /// <summary>Per-atom forces (eV/Angstrom) when the file gives them.</summary>
    public Vec3[]? Forces { get; set; }

    /// <summary>Other per-frame key/value pairs (string, double, long, bool, or arrays of those), in file order.</summary>
    public Dictionary<string, object> Info => _info ??= new(StringComparer.Ordinal);

    /// <summary>Other per-atom columns: name -> one array per atom (string[], double[], long[] or bool[] of the column width).</summary>
    public Dictionary<string, Array[]> Arrays => _arrays ??= new(StringComparer.Ordinal);

    // Made on first use: most frames read for encoding carry neither.
    private Dictionary<string, object>? _info;
    private Dictionary<string, Array[]>? _arrays;

    /// <summary>Chemical formula in Hill order (C, H, then alphabetical), e.g. "CH4".</summary>
    public string Formula
    {
        get
        {
            var counts = AtomicNumbers.GroupBy(z => Elements.Symbol(z)).ToDictionary(g => g.Key, g => g.Count());
            IEnumerable<string> order = counts.ContainsKey("C")
                ? new[] { "C", "H" }.Where(counts.ContainsKey).Concat(counts.Keys.Where(s => s is not "C" and not "H").OrderBy(s => s, StringComparer.Ordinal))
                : counts.Keys.OrderBy(s => s, StringComparer.Ordinal);
            return string.Concat(order.Select(s => counts[s] == 1 ? s : s + counts[s]));
        }
    }
}
