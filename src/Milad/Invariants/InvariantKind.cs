namespace Milad.Invariants;

/// <summary>What kind of polynomial of the moments an invariant is.</summary>
public enum InvariantKind
{
    /// <summary><c>Omega_n00</c>.</summary>
    Degree1,
    /// <summary><c>sum_m Omega_nlm conj(Omega_n'lm)</c> (power spectrum).</summary>
    Degree2,
    /// <summary>Bispectrum with l1 + l2 + l3 even: the real value of the 3j-coupled product.</summary>
    Degree3,
    /// <summary>Bispectrum with l1 + l2 + l3 odd: the 3j-coupled product is imaginary; its imaginary part changes sign under inversion.</summary>
    Pseudoscalar,
}

/// <summary>One invariant: its kind and the (n, l) blocks of the moments it couples (1, 2 or 3 of them).</summary>
public sealed record InvariantInfo(InvariantKind Kind, (int N, int L)[] Blocks)
{
    public int Degree => Blocks.Length;

    /// <summary>A short label such as "d3 (1,1)(3,1)(5,1) pseudo".</summary>
    public string Label =>
        $"d{Degree} " + string.Concat(Blocks.Select(b => $"({b.N},{b.L})")) + (Kind == InvariantKind.Pseudoscalar ? " pseudo" : "");
}
