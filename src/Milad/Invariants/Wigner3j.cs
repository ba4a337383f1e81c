using System.Collections.Concurrent;
using System.Numerics;

namespace Milad.Invariants;

/// <summary>
/// Wigner 3j symbols (j1 j2 j3; m1 m2 m3) for integer angular momenta, computed exactly by Racah's
/// formula in big-integer rational arithmetic (value = sign * sqrt(p/q)) and rounded once to double,
/// so every entry is correct to the last bit or so at any order. Values are cached.
/// </summary>
public static class Wigner3j
{
    private static readonly ConcurrentDictionary<(int, int, int, int, int), double> Cache = new();
    private static readonly List<BigInteger> Factorials = [BigInteger.One];

    /// <summary>The 3j symbol; zero when the selection rules (m sum, triangle, |m| &lt;= j) fail.</summary>
    public static double Value(int j1, int j2, int j3, int m1, int m2, int m3)
    {
        if (m1 + m2 + m3 != 0) return 0;
        if (j1 < 0 || j2 < 0 || j3 < 0) return 0;
        if (Math.Abs(m1) > j1 || Math.Abs(m2) > j2 || Math.Abs(m3) > j3) return 0;
        if (j3 < Math.Abs(j1 - j2) || j3 > j1 + j2) return 0;
        return Cache.GetOrAdd((j1, j2, j3, m1, m2), _ => Exact(j1, j2, j3, m1, m2, m3));
    }

    /// <summary>Exact square of the symbol as a signed rational: value = sign * sqrt(numerator / denominator).</summary>
    public static (int Sign, BigInteger Numerator, BigInteger Denominator) ExactSquare(int j1, int j2, int j3, int m1, int m2, int m3)
    {
        // Racah: (-1)^(j1-j2-m3) sqrt(Delta * prod (j +- m)!) * sum_k (-1)^k / (k! (j3-j2+k+m1)! (j3-j1+k-m2)! (j1+j2-j3-k)! (j1-k-m1)! (j2-k+m2)!)
        var kMin = Math.Max(0, Math.Max(j2 - j3 - m1, j1 - j3 + m2));
        var kMax = Math.Min(j1 + j2 - j3, Math.Min(j1 - m1, j2 + m2));
        BigInteger sumNum = 0, sumDen = 1;
        for (var k = kMin; k <= kMax; k++)
        {
            var kDen = F(k) * F(j3 - j2 + k + m1) * F(j3 - j1 + k - m2) * F(j1 + j2 - j3 - k) * F(j1 - k - m1) * F(j2 - k + m2);
            // sumNum/sumDen += (+-1)/den
            var term = (k & 1) == 0 ? BigInteger.One : BigInteger.MinusOne;
            sumNum = sumNum * kDen + term * sumDen;
            sumDen *= kDen;
            var g = BigInteger.GreatestCommonDivisor(sumNum, sumDen);
            if (!g.IsOne && !g.IsZero) { sumNum /= g; sumDen /= g; }
        }
        if (sumNum.IsZero) return (0, 0, 1);
        var preNum = F(j1 + j2 - j3) * F(j1 - j2 + j3) * F(-j1 + j2 + j3)
                     * F(j1 + m1) * F(j1 - m1) * F(j2 + m2) * F(j2 - m2) * F(j3 + m3) * F(j3 - m3);
        var preDen = F(j1 + j2 + j3 + 1);
        var phase = ((j1 - j2 - m3) & 1) == 0 ? 1 : -1;
        var sign = phase * sumNum.Sign;
        var num = sumNum * sumNum * preNum;
        var den = sumDen * sumDen * preDen;
        var gg = BigInteger.GreatestCommonDivisor(num, den);
        return (sign, num / gg, den / gg);
    }

    private static double Exact(int j1, int j2, int j3, int m1, int m2, int m3)
    {
        var (sign, num, den) = ExactSquare(j1, j2, j3, m1, m2, m3);
        return sign == 0 ? 0 : sign * Math.Sqrt(RationalToDouble(num, den));
    }

    /// <summary>num/den rounded to double with about 2^-100 relative error before the final rounding.</summary>
    internal static double RationalToDouble(BigInteger num, BigInteger den)
    {
        var shift = (int)Math.Max(0, 110 - (num.GetBitLength() - den.GetBitLength()));
        var q = (num << shift) / den;
        // Keep 64 significant bits of q, then scale: (double) of a 64-bit integer rounds correctly.
        var excess = (int)Math.Max(0, q.GetBitLength() - 64);
        var top = (ulong)(q >> excess);
        return Math.ScaleB(top, excess - shift);
    }

    private static BigInteger F(int n)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n));
        lock (Factorials)
        {
            while (Factorials.Count <= n) Factorials.Add(Factorials[^1] * Factorials.Count);
            return Factorials[n];
        }
    }
}
