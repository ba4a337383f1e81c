using Milad.Moments;
using Milad.Structures;

namespace Milad.Tests.Moments;

/// <summary>Closed forms for the real Zernike moments r_nl mu = w Zr_nl mu(x) of a single atom.</summary>
public class SingleAtomMomentTests
{
    private const int NMax = 12;
    private const double W = 1.7;

    private static double[] Moments(Vec3 x, double w)
    {
        var basis = new ZernikeBasis(NMax);
        var r = new double[basis.Count];
        basis.Evaluate(x, r);
        for (var i = 0; i < r.Length; i++) r[i] *= w;
        return r;
    }

    /// <summary>
    /// Atom at the origin: only l = 0, where r_n00 = w sqrt(2n+3) P_(n/2)^(0,1/2)(-1) / sqrt(4 pi) and
    /// P_k^(0,1/2)(-1) = (-1)^k (2k+1)!! / (2^k k!) = 1, -3/2, 15/8, -35/16, 315/128, -693/256, 3003/1024.
    /// </summary>
    [Fact]
    public void AtomAtTheOriginHasOnlyRadialMoments()
    {
        var expected = new Dictionary<int, double>
        {
            [0] = 0.48860251190291992159,   // sqrt(3/(4 pi))
            [2] = -1.1195289977703461742,   // -3/2 sqrt(7/(4 pi))
            [4] = 1.7542548368013539466,    // 15/8 sqrt(11/(4 pi))
            [6] = -2.3899496919201729668,   // -35/16 sqrt(15/(4 pi))
            [8] = 3.0260245882817763612,    // 315/128 sqrt(19/(4 pi))
            [10] = -3.662285987505434346,   // -693/256 sqrt(23/(4 pi))
            [12] = 4.2986523727865288804,   // 3003/1024 sqrt(27/(4 pi))
        };
        var basis = new ZernikeBasis(NMax);
        var r = Moments(Vec3.Zero, W);
        // The same through the geometric moments: M_000 = w, every other M_pqs = 0.
        var viaMap = new double[basis.Count];
        ZernikeGeometricMap.For(NMax).ToZernike(GeometricMoments.Compute(NMax, [Vec3.Zero], [W]), viaMap);
        foreach (var (n, l) in basis.Blocks)
            for (var m = -l; m <= l; m++)
            {
                var i = basis.Index(n, l, m);
                var want = l == 0 ? W * expected[n] : 0;
                Assert.Equal(want, r[i], 1e-14 * Math.Max(1, Math.Abs(want)));
                Assert.Equal(want, viaMap[i], 1e-14 * Math.Max(1, Math.Abs(want)));
            }
    }

    [Theory]
    [InlineData(0.6)]
    [InlineData(-0.6)]
    [InlineData(0.05)]
    [InlineData(1.0)]
    public void AtomOnTheZAxisHasOnlyMZeroMoments(double d)
    {
        var basis = new ZernikeBasis(NMax);
        var r = Moments(new Vec3(0, 0, d), W);
        foreach (var (n, l) in basis.Blocks)
            for (var m = -l; m <= l; m++)
            {
                var i = basis.Index(n, l, m);
                if (m != 0)
                {
                    Assert.Equal(0.0, r[i], 1e-14);
                    continue;
                }
                // Z_nl0(0, 0, d) = sqrt(2n+3) |d|^l P_k^(0,l+1/2)(2d^2-1) sqrt((2l+1)/(4 pi)) sign(d)^l, with P from its
                // binomial sum in ((t-1)/2, (t+1)/2), a third form next to the recurrence and the monomial expansion.
                var k = (n - l) / 2;
                var want = W * Math.Sqrt(2 * n + 3) * Math.Pow(d, l) * Jacobi(k, l + 0.5, 2 * d * d - 1) * Math.Sqrt((2 * l + 1) / (4 * Math.PI));
                Assert.Equal(want, r[i], 1e-13 * Math.Max(1, Math.Abs(want)));
            }
    }

    [Fact]
    public void LowOrderZAxisValuesAreTheTextbookOnes()
    {
        var basis = new ZernikeBasis(3);
        var z = new double[basis.Count];
        basis.Evaluate(new Vec3(0, 0, 0.6), z);
        Assert.Equal(0.65552905835524744233, z[basis.Index(1, 1, 0)], 1e-15);  // sqrt(15/(4 pi)) d
        Assert.Equal(-0.4478115991081384697, z[basis.Index(2, 0, 0)], 1e-15);  // sqrt(7/(4 pi)) (5d^2 - 3)/2
        Assert.Equal(0.6008023060312090892, z[basis.Index(2, 2, 0)], 1e-15);   // sqrt(35/(4 pi)) d^2
        Assert.Equal(-1.090560806567317265, z[basis.Index(3, 1, 0)], 1e-15);   // 3 sqrt(3/(4 pi)) d (7d^2 - 5)/2
    }

    /// <summary>P_k^(0,b)(t) = sum_s C(k, s) C(k+b, s) ((t-1)/2)^s ((t+1)/2)^(k-s).</summary>
    private static double Jacobi(int k, double b, double t)
    {
        var sum = 0.0;
        for (var s = 0; s <= k; s++)
        {
            double c1 = 1, c2 = 1;
            for (var i = 1; i <= s; i++)
            {
                c1 *= (double)(k - s + i) / i;
                c2 *= (k + b - s + i) / i;
            }
            sum += c1 * c2 * Math.Pow((t - 1) / 2, s) * Math.Pow((t + 1) / 2, k - s);
        }
        return sum;
    }
}
