using System.Numerics;

namespace Milad.Moments;

/// <summary>Big-integer helpers for the exact Zernike expansions: factorials, binomials, rational -> double.</summary>
internal static class ExactArithmetic
{
    private static readonly List<BigInteger> Factorials = [BigInteger.One];

    public static BigInteger Factorial(int n)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n));
        lock (Factorials)
        {
            while (Factorials.Count <= n) Factorials.Add(Factorials[^1] * Factorials.Count);
            return Factorials[n];
        }
    }

    /// <summary>n!! = n (n-2) (n-4) ...; (-1)!! = 0!! = 1.</summary>
    public static BigInteger DoubleFactorial(int n)
    {
        if (n < -1) throw new ArgumentOutOfRangeException(nameof(n));
        var result = BigInteger.One;
        for (var k = n; k > 1; k -= 2) result *= k;
        return result;
    }

    public static BigInteger Binomial(int n, int k)
    {
        if (k < 0 || k > n) return BigInteger.Zero;
        return Factorial(n) / (Factorial(k) * Factorial(n - k));
    }

    /// <summary>num/den rounded to double; den &gt; 0. About 2^-64 relative error before the final rounding.</summary>
    public static double RationalToDouble(BigInteger num, BigInteger den)
    {
        if (den.Sign <= 0) throw new ArgumentOutOfRangeException(nameof(den));
        if (num.IsZero) return 0;
        var sign = num.Sign;
        num = BigInteger.Abs(num);
        // Scale so that the integer quotient carries ~66 significant bits, then keep the top 64.
        var shift = 66 - (int)(num.GetBitLength() - den.GetBitLength());
        var q = shift >= 0 ? (num << shift) / den : num / (den << -shift);
        var excess = (int)Math.Max(0, q.GetBitLength() - 64);
        var top = (ulong)(q >> excess);
        return sign * Math.ScaleB(top, excess - shift);
    }

    /// <summary>sign * sqrt(num/den) to double (num/den &gt;= 0).</summary>
    public static double SignedSqrt(int sign, BigInteger num, BigInteger den) =>
        sign == 0 ? 0 : sign * Math.Sqrt(RationalToDouble(num, den));

    public static BigInteger Gcd(ReadOnlySpan<BigInteger> values)
    {
        var g = BigInteger.Zero;
        foreach (var v in values)
        {
            if (v.IsZero) continue;
            g = BigInteger.GreatestCommonDivisor(g, v);
            if (g.IsOne) break;
        }
        return g;
    }
}
