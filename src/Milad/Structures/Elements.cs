namespace Milad.Structures;

/// <summary>The periodic table by symbol and atomic number (1-118).</summary>
public static class Elements
{
    private static readonly string[] Symbols =
    [
        "X",
        "H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne",
        "Na", "Mg", "Al", "Si", "P", "S", "Cl", "Ar", "K", "Ca",
        "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn",
        "Ga", "Ge", "As", "Se", "Br", "Kr", "Rb", "Sr", "Y", "Zr",
        "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag", "Cd", "In", "Sn",
        "Sb", "Te", "I", "Xe", "Cs", "Ba", "La", "Ce", "Pr", "Nd",
        "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb",
        "Lu", "Hf", "Ta", "W", "Re", "Os", "Ir", "Pt", "Au", "Hg",
        "Tl", "Pb", "Bi", "Po", "At", "Rn", "Fr", "Ra", "Ac", "Th",
        "Pa", "U", "Np", "Pu", "Am", "Cm", "Bk", "Cf", "Es", "Fm",
        "Md", "No", "Lr", "Rf", "Db", "Sg", "Bh", "Hs", "Mt", "Ds",
        "Rg", "Cn", "Nh", "Fl", "Mc", "Lv", "Ts", "Og",
    ];

    private static readonly Dictionary<string, int> BySymbol =
        Enumerable.Range(1, Symbols.Length - 1).ToDictionary(z => Symbols[z], z => z, StringComparer.Ordinal);

    /// <summary>Largest atomic number known.</summary>
    public const int MaxAtomicNumber = 118;

    /// <summary>Atomic number of a symbol such as "C" or "Fe" (case as in the periodic table; "fe" and "FE" are accepted).</summary>
    public static bool TryGetAtomicNumber(string symbol, out int z)
    {
        if (BySymbol.TryGetValue(symbol, out z)) return true;
        if (symbol.Length is 1 or 2)
        {
            var normal = char.ToUpperInvariant(symbol[0]) + symbol[1..].ToLowerInvariant();
            if (BySymbol.TryGetValue(normal, out z)) return true;
        }
        z = 0;
        return false;
    }

    /// <summary>Atomic number of a symbol; throws <see cref="FormatException"/> naming the symbol when unknown.</summary>
    public static int AtomicNumber(string symbol) =>
        TryGetAtomicNumber(symbol, out var z) ? z : throw new FormatException($"unknown element '{symbol}'");

    /// <summary>
    /// The position of each atomic number in <paramref name="species"/>, by atomic number (0..MaxAtomicNumber):
    /// -1 for elements not in the list. How models map an atom to its species' parameters.
    /// </summary>
    public static int[] IndexTable(IReadOnlyList<int> species)
    {
        var table = new int[MaxAtomicNumber + 1];
        Array.Fill(table, -1);
        for (var s = 0; s < species.Count; s++) table[species[s]] = s;
        return table;
    }

    /// <summary>Symbol of an atomic number.</summary>
    public static string Symbol(int atomicNumber) =>
        atomicNumber is >= 1 and <= MaxAtomicNumber
            ? Symbols[atomicNumber]
            : throw new ArgumentOutOfRangeException(nameof(atomicNumber), $"no element with atomic number {atomicNumber}");
}
