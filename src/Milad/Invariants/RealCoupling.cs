using System.Collections.Concurrent;
using System.Numerics;

namespace Milad.Invariants;

/// <summary>
/// The 3j coupling of three moment blocks rewritten in the real Zernike basis (see
/// <see cref="Moments.ZernikeBasis"/>): <c>sum_m (l1 l2 l3; m1 m2 m3) Omega1_m1 Omega2_m2 Omega3_m3
/// = sum_mu T[mu1, mu2, mu3] r1_mu1 r2_mu2 r3_mu3</c>. T is real when l1 + l2 + l3 is even and purely
/// imaginary when it is odd; the entries kept are Re T or Im T respectively, so the invariant is real.
/// </summary>
internal static class RealCoupling
{
    /// <summary>One nonzero entry: offsets mu + l in each block and the real coefficient.</summary>
    internal readonly record struct Entry(int A, int B, int C, double Value);

    private static readonly ConcurrentDictionary<(int, int, int), Entry[]> Cache = new();

    public static Entry[] Get(int l1, int l2, int l3) => Cache.GetOrAdd((l1, l2, l3), _ => Build(l1, l2, l3));

    /// <summary>Complex moment Omega_m as a combination of real moments r_mu: at most two (mu, coefficient) pairs.</summary>
    internal static IEnumerable<(int Mu, Complex C)> ComplexFromReal(int m)
    {
        var s = 1 / Math.Sqrt(2);
        if (m == 0) { yield return (0, Complex.One); yield break; }
        if (m > 0)
        {
            var sign = (m & 1) == 0 ? 1.0 : -1.0;
            yield return (m, sign * s);                       // Omega_m = (-1)^m (r_m - i r_-m) / sqrt2
            yield return (-m, new Complex(0, -sign * s));
        }
        else
        {
            yield return (-m, s);                             // Omega_-k = (r_k + i r_-k) / sqrt2
            yield return (m, new Complex(0, s));
        }
    }

    private static Entry[] Build(int l1, int l2, int l3)
    {
        int d2 = 2 * l2 + 1, d3 = 2 * l3 + 1;
        var t = new Complex[(2 * l1 + 1) * d2 * d3];
        for (var m1 = -l1; m1 <= l1; m1++)
            for (var m2 = -l2; m2 <= l2; m2++)
            {
                var m3 = -m1 - m2;
                if (Math.Abs(m3) > l3) continue;
                var w = Wigner3j.Value(l1, l2, l3, m1, m2, m3);
                if (w == 0) continue;
                foreach (var (u1, c1) in ComplexFromReal(m1))
                    foreach (var (u2, c2) in ComplexFromReal(m2))
                        foreach (var (u3, c3) in ComplexFromReal(m3))
                            t[((u1 + l1) * d2 + u2 + l2) * d3 + u3 + l3] += w * c1 * c2 * c3;
            }
        var odd = ((l1 + l2 + l3) & 1) == 1;
        var entries = new List<Entry>();
        for (var a = 0; a <= 2 * l1; a++)
            for (var b = 0; b < d2; b++)
                for (var c = 0; c < d3; c++)
                {
                    var z = t[(a * d2 + b) * d3 + c];
                    var v = odd ? z.Imaginary : z.Real;
                    if (Math.Abs(v) > 1e-14) entries.Add(new Entry(a, b, c, v));
                }
        return entries.ToArray();
    }
}
