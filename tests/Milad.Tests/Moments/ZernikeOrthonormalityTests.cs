using System.Numerics;
using MathNet.Numerics.Integration;
using Milad.Moments;
using Milad.Structures;
using Xunit.Abstractions;

namespace Milad.Tests.Moments;

/// <summary>
/// Orthonormality of the Zernike functions on the unit ball by a product quadrature that is exact for
/// every product Z_a conj(Z_b) up to n_max = 12 (polynomials of degree 24):
/// Gauss-Legendre in r on [0, 1] with the r^2 Jacobian (r-degree <= 26 -> 14 nodes), Gauss-Legendre in
/// cos(theta) (products of associated Legendre functions with m + m' even are polynomials of degree <= 24
/// -> 13 nodes; m + m' odd only meets m != m', which the phi rule integrates to zero), and the trapezoid
/// rule in phi (exact for e^(ik phi), |k| &lt; nodes; |m - m'| <= 24 -> 25 nodes). One spare node each.
/// </summary>
public class ZernikeOrthonormalityTests(ITestOutputHelper output)
{
    private const int NMax = 12;

    private static (Vec3[] Points, double[] Weights) Quadrature()
    {
        var radial = new GaussLegendreRule(0, 1, 15);
        var polar = new GaussLegendreRule(-1, 1, 14);
        const int nPhi = 26;
        var points = new List<Vec3>();
        var weights = new List<double>();
        for (var i = 0; i < radial.Order; i++)
        {
            var r = radial.Abscissas[i];
            for (var j = 0; j < polar.Order; j++)
            {
                var c = polar.Abscissas[j];
                var s = Math.Sqrt(1 - c * c);
                for (var k = 0; k < nPhi; k++)
                {
                    var phi = 2 * Math.PI * k / nPhi;
                    points.Add(new Vec3(r * s * Math.Cos(phi), r * s * Math.Sin(phi), r * c));
                    weights.Add(radial.Weights[i] * r * r * polar.Weights[j] * (2 * Math.PI / nPhi));
                }
            }
        }
        return (points.ToArray(), weights.ToArray());
    }

    [Fact]
    public void QuadratureIntegratesKnownBallMoments()
    {
        // Guard for the rule itself: integral over the ball of x^a y^b z^c (a, b, c even) = 4 pi (a-1)!! (b-1)!! (c-1)!! / (a+b+c+3)!!.
        var (points, weights) = Quadrature();
        double vol = 0, x2 = 0, x4y2z6 = 0;
        for (var i = 0; i < points.Length; i++)
        {
            var p = points[i];
            vol += weights[i];
            x2 += weights[i] * p.X * p.X;
            x4y2z6 += weights[i] * Math.Pow(p.X, 4) * p.Y * p.Y * Math.Pow(p.Z, 6);
        }
        Assert.Equal(4 * Math.PI / 3, vol, 1e-13);
        Assert.Equal(4 * Math.PI / 15, x2, 1e-13);
        // 4 pi (3!!)(1!!)(5!!) / (12 + 3)!! = 4 pi * 3 * 15 / 2027025
        Assert.Equal(4 * Math.PI * 45 / 2027025.0, x4y2z6, 1e-16);
    }

    [Fact]
    public void RealFunctionsAreOrthonormal()
    {
        var basis = new ZernikeBasis(NMax);
        var (points, weights) = Quadrature();
        var count = basis.Count;
        // Rows scaled by sqrt(weight) so that the Gram matrix is a plain A^T A.
        var a = new double[points.Length * count];
        Span<double> values = stackalloc double[count];
        for (var i = 0; i < points.Length; i++)
        {
            basis.Evaluate(points[i], values);
            var sw = Math.Sqrt(weights[i]);
            for (var j = 0; j < count; j++) a[i * count + j] = sw * values[j];
        }
        var worst = 0.0;
        var gram = new double[count];
        for (var p = 0; p < count; p++)
        {
            Array.Clear(gram);
            for (var i = 0; i < points.Length; i++)
            {
                var row = a.AsSpan(i * count, count);
                var ap = row[p];
                for (var q = p; q < count; q++) gram[q] += ap * row[q];
            }
            for (var q = p; q < count; q++) worst = Math.Max(worst, Math.Abs(gram[q] - (p == q ? 1 : 0)));
        }
        output.WriteLine($"real, n_max = {NMax}: max |<Zr_a, Zr_b> - delta_ab| = {worst:E3}");
        Assert.True(worst <= 1e-10, $"max |<Zr_a, Zr_b> - delta_ab| = {worst:E3}");
    }

    [Fact]
    public void ComplexFunctionsAreOrthonormal()
    {
        var basis = new ZernikeBasis(NMax);
        var (points, weights) = Quadrature();
        var count = basis.Count;
        // Real and imaginary parts in separate arrays: the inner loop stays on plain doubles.
        var re = new double[points.Length * count];
        var im = new double[points.Length * count];
        var values = new Complex[count];
        for (var i = 0; i < points.Length; i++)
        {
            basis.EvaluateComplex(points[i], values);
            var sw = Math.Sqrt(weights[i]);
            for (var j = 0; j < count; j++)
            {
                re[i * count + j] = sw * values[j].Real;
                im[i * count + j] = sw * values[j].Imaginary;
            }
        }
        var worst = 0.0;
        var gre = new double[count];
        var gim = new double[count];
        for (var p = 0; p < count; p++)
        {
            Array.Clear(gre);
            Array.Clear(gim);
            for (var i = 0; i < points.Length; i++)
            {
                var rowRe = re.AsSpan(i * count, count);
                var rowIm = im.AsSpan(i * count, count);
                double pr = rowRe[p], pi = rowIm[p];
                // <Z_p, Z_q> = integral Z_p conj(Z_q); Hermitian, so the upper triangle is enough.
                for (var q = p; q < count; q++)
                {
                    gre[q] += pr * rowRe[q] + pi * rowIm[q];
                    gim[q] += pi * rowRe[q] - pr * rowIm[q];
                }
            }
            for (var q = p; q < count; q++)
                worst = Math.Max(worst, Math.Sqrt(Math.Pow(gre[q] - (p == q ? 1 : 0), 2) + gim[q] * gim[q]));
        }
        output.WriteLine($"complex, n_max = {NMax}: max |<Z_a, Z_b> - delta_ab| = {worst:E3}");
        Assert.True(worst <= 1e-10, $"max |<Z_a, Z_b> - delta_ab| = {worst:E3}");
    }
}
