using System.Numerics;
using Milad.Structures;

namespace Milad.Moments;

/// <summary>
/// One Zernike function written exactly as a polynomial in Cartesian coordinates:
/// <c>f(x) = sqrt(Scale / pi) * sum_t (Real_t + i Imaginary_t) x^p y^q z^s</c>, where Scale =
/// <see cref="ScaleNumerator"/> / <see cref="ScaleDenominator"/> is a positive rational and the coefficients
/// are integers without a common factor (the sign lives in the coefficients). The monomial of term t is
/// <c>Monomials[t]</c> in the order of <see cref="GeometricMoments"/>. Built by <see cref="ZernikePolynomials"/>.
/// </summary>
public sealed class ZernikePolynomial
{
    // 1/sqrt(pi) rounded once, so coefficients carry ~1.5 ulp instead of the error of Math.Sqrt(Math.PI).
    internal const double InverseSqrtPi = 0.56418958354775628694807945156077258584405062932899;

    private readonly int[] _monomials;
    private readonly BigInteger[] _re, _im;

    internal ZernikePolynomial(int n, int l, int m, bool isRealBasis, BigInteger scaleNumerator, BigInteger scaleDenominator,
        int[] monomials, BigInteger[] re, BigInteger[] im)
    {
        N = n;
        L = l;
        M = m;
        IsRealBasis = isRealBasis;
        ScaleNumerator = scaleNumerator;
        ScaleDenominator = scaleDenominator;
        _monomials = monomials;
        _re = re;
        _im = im;
    }

    public int N { get; }
    public int L { get; }

    /// <summary>m for a complex function, mu (the real-basis label, -l..l) for a real one.</summary>
    public int M { get; }

    /// <summary>True for the real basis Zr (all imaginary coefficients zero).</summary>
    public bool IsRealBasis { get; }

    public BigInteger ScaleNumerator { get; }
    public BigInteger ScaleDenominator { get; }

    /// <summary>Number of terms with a non-zero coefficient.</summary>
    public int Terms => _monomials.Length;

    /// <summary>Monomial index (order of <see cref="GeometricMoments"/>) of each term, ascending.</summary>
    public ReadOnlySpan<int> Monomials => _monomials;

    /// <summary>Integer real parts of the coefficients (before the factor sqrt(Scale/pi)).</summary>
    public ReadOnlySpan<BigInteger> Real => _re;

    /// <summary>Integer imaginary parts of the coefficients (before the factor sqrt(Scale/pi)).</summary>
    public ReadOnlySpan<BigInteger> Imaginary => _im;

    /// <summary>Coefficient of term t as a complex double, each part rounded from its exact value.</summary>
    public Complex Coefficient(int term) => new(Scaled(_re[term]), Scaled(_im[term]));

    /// <summary>Plain double evaluation, term by term; for checks, not for hot loops.</summary>
    public Complex Evaluate(Vec3 x)
    {
        double re = 0, im = 0;
        for (var t = 0; t < _monomials.Length; t++)
        {
            var (p, q, s) = GeometricMoments.ExponentsOf(_monomials[t]);
            var mono = Math.Pow(x.X, p) * Math.Pow(x.Y, q) * Math.Pow(x.Z, s);
            var c = Coefficient(t);
            re += c.Real * mono;
            im += c.Imaginary * mono;
        }
        return new Complex(re, im);
    }

    /// <summary>sqrt(Scale/pi) * c rounded once from the exact square Scale * c^2 (then one sqrt and 1/sqrt(pi)).</summary>
    private double Scaled(BigInteger c) =>
        ExactArithmetic.SignedSqrt(c.Sign, ScaleNumerator * c * c, ScaleDenominator) * InverseSqrtPi;
}
