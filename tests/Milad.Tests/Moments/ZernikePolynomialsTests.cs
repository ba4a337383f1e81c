using System.Numerics;
using Milad.Moments;
using Milad.Structures;
using Xunit.Abstractions;

namespace Milad.Tests.Moments;

/// <summary>
/// The exact monomial expansions against the recurrences of <see cref="ZernikeBasis"/>. Points are dyadic
/// rationals (a, b, c) / 2^e, so the double point handed to ZernikeBasis is exactly the rational point; the
/// polynomials are evaluated in integer arithmetic and rounded once at the end.
/// </summary>
public class ZernikePolynomialsTests(ITestOutputHelper output)
{
    private const int NMax = 20;
    private static readonly Lazy<ZernikePolynomials> Polys20 = new(() => new ZernikePolynomials(NMax));

    [Fact]
    public void CountsMatchTheBasisAndTheMonomials()
    {
        var polys = Polys20.Value;
        var basis = new ZernikeBasis(NMax);
        Assert.Equal(1771, polys.Count);
        Assert.Equal(basis.Count, polys.Count);
        Assert.Equal(polys.Count, polys.MonomialCount);
        foreach (var (n, l) in basis.Blocks)
            for (var m = -l; m <= l; m++)
            {
                var i = basis.Index(n, l, m);
                Assert.Equal(i, polys.Index(n, l, m));
                Assert.Equal((n, l, m), (polys.Complex(i).N, polys.Complex(i).L, polys.Complex(i).M));
                Assert.Equal((n, l, m), (polys.Real(i).N, polys.Real(i).L, polys.Real(i).M));
            }
    }

    [Fact]
    public void LowOrderPolynomialsAreTheTextbookOnes()
    {
        var polys = new ZernikePolynomials(2);
        // Z_000 = sqrt(3/(4 pi)): the polynomial 1 with scale 3/4.
        var z000 = polys.Complex(polys.Index(0, 0, 0));
        Assert.Equal(1, z000.Terms);
        Assert.Equal((BigInteger)1, z000.Real[0]);
        Assert.Equal(((BigInteger)3, (BigInteger)4), (z000.ScaleNumerator, z000.ScaleDenominator));

        // Z_200 = sqrt(7) P_1^(0,1/2)(2r^2-1) Y_00 = sqrt(7/(16 pi)) (5x^2 + 5y^2 + 5z^2 - 3).
        var z200 = polys.Complex(polys.Index(2, 0, 0));
        var expected = new Dictionary<int, int>
        {
            [GeometricMoments.Index(0, 0, 0)] = -3,
            [GeometricMoments.Index(2, 0, 0)] = 5,
            [GeometricMoments.Index(0, 2, 0)] = 5,
            [GeometricMoments.Index(0, 0, 2)] = 5,
        };
        Assert.Equal(expected.Count, z200.Terms);
        for (var t = 0; t < z200.Terms; t++)
        {
            Assert.Equal((BigInteger)expected[z200.Monomials[t]], z200.Real[t]);
            Assert.True(z200.Imaginary[t].IsZero);
        }
        Assert.Equal(((BigInteger)7, (BigInteger)16), (z200.ScaleNumerator, z200.ScaleDenominator));

        // Z_111 = sqrt5 r Y_11 = -sqrt(15/(8 pi)) (x + iy): scale 15/8, coefficients -1 and -i.
        var z111 = polys.Complex(polys.Index(1, 1, 1));
        Assert.Equal(2, z111.Terms);
        Assert.Equal((BigInteger)(-1), z111.Real[0]);
        Assert.Equal((BigInteger)(-1), z111.Imaginary[1]);
        Assert.Equal(GeometricMoments.Index(0, 1, 0), z111.Monomials[1]);
        Assert.Equal(((BigInteger)15, (BigInteger)8), (z111.ScaleNumerator, z111.ScaleDenominator));
        // Real basis: Zr_11(+1) = sqrt2 (-1) Re Z_111 = sqrt(15/(4 pi)) x, Zr_11(-1) = sqrt(15/(4 pi)) y.
        var xr = polys.Real(polys.Index(1, 1, 1));
        var yr = polys.Real(polys.Index(1, 1, -1));
        Assert.Equal(0.5 * Math.Sqrt(15 / Math.PI), xr.Coefficient(0).Real, 1e-15);
        Assert.Equal(GeometricMoments.Index(1, 0, 0), xr.Monomials[0]);
        Assert.Equal(0.5 * Math.Sqrt(15 / Math.PI), yr.Coefficient(0).Real, 1e-15);
        Assert.Equal(GeometricMoments.Index(0, 1, 0), yr.Monomials[0]);
    }

    [Fact]
    public void DoubleEvaluationAndDenseMatricesAgreeWithTheBasis()
    {
        const int nMax = 8;
        var polys = new ZernikePolynomials(nMax);
        var basis = new ZernikeBasis(nMax);
        var x = new Vec3(0.31, -0.52, 0.44);
        var real = new double[basis.Count];
        var complex = new Complex[basis.Count];
        basis.Evaluate(x, real);
        basis.EvaluateComplex(x, complex);
        var realMatrix = polys.RealCoefficientMatrix();
        var complexMatrix = polys.ComplexCoefficientMatrix();
        var exps = GeometricMoments.Exponents(nMax);
        var mono = exps.Select(e => Math.Pow(x.X, e.P) * Math.Pow(x.Y, e.Q) * Math.Pow(x.Z, e.S)).ToArray();
        for (var f = 0; f < basis.Count; f++)
        {
            Assert.Equal(real[f], polys.Real(f).Evaluate(x).Real, 1e-12);
            Assert.Equal(0.0, polys.Real(f).Evaluate(x).Imaginary);
            Assert.True(Complex.Abs(complex[f] - polys.Complex(f).Evaluate(x)) < 1e-12);
            Assert.Equal(real[f], Enumerable.Range(0, mono.Length).Sum(k => realMatrix[f, k] * mono[k]), 1e-12);
            var c = Complex.Zero;
            for (var k = 0; k < mono.Length; k++) c += complexMatrix[f, k] * mono[k];
            Assert.True(Complex.Abs(complex[f] - c) < 1e-12);
        }
    }

    public static TheoryData<string, long, long, long, int> Points => new()
    {
        { "origin", 0, 0, 0, 20 },
        { "near centre", 123, -456, 789, 20 },
        { "random", 339_281_545, -102_442_397, 497_105_116, 30 },
        { "random", -612_033_781, 418_976_203, -288_190_664, 30 },
        { "random", 55_702_113, 9_611_404, -71_002_519, 30 },
        { "near surface", -729_588_418_200, -710_599_818_901, 414_336_161_551, 40 },
        { "near surface", -783_132_389_113, -48_950_710_017, -770_216_402_366, 40 },
        { "z axis", 0, 0, 771_011, 20 },
        { "z axis", 0, 0, -1_023_999, 20 },
        { "pole", 0, 0, 1, 0 },
        { "x axis surface", 1, 0, 0, 0 },
        { "y axis", 0, -1, 0, 1 },
    };

    [Theory]
    [MemberData(nameof(Points))]
    public void ExactPolynomialsMatchTheRecurrences(string label, long a, long b, long c, int exponent)
    {
        var polys = Polys20.Value;
        var basis = new ZernikeBasis(NMax);
        var d = BigInteger.One << exponent;
        var x = new Vec3(Math.ScaleB(a, -exponent), Math.ScaleB(b, -exponent), Math.ScaleB(c, -exponent));
        Assert.True((BigInteger)a * a + (BigInteger)b * b + (BigInteger)c * c <= d * d, "point outside the ball");

        var exactReal = new double[polys.Count];
        var exactComplex = new Complex[polys.Count];
        var monomials = IntegerMonomials(a, b, c, d);
        var denominator = BigInteger.Pow(d, 2 * NMax);
        for (var f = 0; f < polys.Count; f++)
        {
            exactReal[f] = ExactValue(polys.Real(f), monomials, denominator).Real;
            exactComplex[f] = ExactValue(polys.Complex(f), monomials, denominator);
        }

        var real = new double[basis.Count];
        var complex = new Complex[basis.Count];
        basis.Evaluate(x, real);
        basis.EvaluateComplex(x, complex);

        var worstReal = WorstError(basis, f => Math.Abs(real[f] - exactReal[f]), f => Math.Abs(exactReal[f]));
        var worstComplex = WorstError(basis, f => Complex.Abs(complex[f] - exactComplex[f]), f => Complex.Abs(exactComplex[f]));
        output.WriteLine($"{label} ({x}): worst relative error real {worstReal:E2}, complex {worstComplex:E2}");
        Assert.True(worstReal <= 1e-10, $"real basis at {x}: {worstReal:E3}");
        Assert.True(worstComplex <= 1e-10, $"complex basis at {x}: {worstComplex:E3}");
    }

    /// <summary>max over functions of |error| / max(max |Z| over its (n, l) block, 1e-12 max |Z| over all).</summary>
    private static double WorstError(ZernikeBasis basis, Func<int, double> error, Func<int, double> magnitude)
    {
        var floor = 1e-12 * Enumerable.Range(0, basis.Count).Max(magnitude);
        var worst = 0.0;
        foreach (var (n, l) in basis.Blocks)
        {
            var off = basis.Offset(n, l);
            var scale = Math.Max(floor, Enumerable.Range(off, 2 * l + 1).Max(magnitude));
            for (var f = off; f <= off + 2 * l; f++) worst = Math.Max(worst, error(f) / scale);
        }
        return worst;
    }

    /// <summary>a^p b^q c^s d^(n_max - p - q - s): the monomials at (a, b, c)/d times d^n_max, as integers.</summary>
    private static BigInteger[] IntegerMonomials(long a, long b, long c, BigInteger d)
    {
        var exps = GeometricMoments.Exponents(NMax);
        return exps.Select(e => BigInteger.Pow(a, e.P) * BigInteger.Pow(b, e.Q) * BigInteger.Pow(c, e.S)
                                * BigInteger.Pow(d, NMax - e.P - e.Q - e.S)).ToArray();
    }

    /// <summary>sqrt(Scale/pi) * sum / d^n_max, with the sum exact and one rounding at the end.</summary>
    private static Complex ExactValue(ZernikePolynomial poly, BigInteger[] monomials, BigInteger denominator)
    {
        BigInteger re = 0, im = 0;
        for (var t = 0; t < poly.Terms; t++)
        {
            var v = monomials[poly.Monomials[t]];
            re += poly.Real[t] * v;
            im += poly.Imaginary[t] * v;
        }
        double Part(BigInteger s) => s.Sign * Math.Sqrt(ToDouble(poly.ScaleNumerator * s * s, poly.ScaleDenominator * denominator))
                                     * 0.56418958354775628694807945156077258584405062932899;
        return new Complex(Part(re), Part(im));
    }

    /// <summary>Rounds a non-negative rational to double (independent of the library's helper).</summary>
    private static double ToDouble(BigInteger num, BigInteger den)
    {
        if (num.IsZero) return 0;
        var shift = 80 - (int)(num.GetBitLength() - den.GetBitLength());
        var q = shift >= 0 ? (num << shift) / den : num / (den << -shift);
        return Math.ScaleB((double)q, -shift);
    }
}
