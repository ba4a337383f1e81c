using Milad.Invariants;

namespace Milad.Tests.Invariants;

public class Wigner3jTests
{
    [Theory]
    [InlineData(1, 1, 0, 0, 0, 0, -0.57735026918962576)]          // -1/sqrt(3)
    [InlineData(1, 1, 2, 0, 0, 0, 0.36514837167011074)]           // sqrt(2/15)
    [InlineData(2, 2, 2, 0, 0, 0, -0.23904572186687872)]          // -sqrt(2/35)
    [InlineData(1, 1, 1, 1, -1, 0, 0.40824829046386302)]          // 1/sqrt(6)
    [InlineData(3, 3, 0, 1, -1, 0, 0.37796447300922723)]          // (-1)^(j-m)/sqrt(2j+1) = 1/sqrt(7)
    [InlineData(2, 1, 1, 2, -1, -1, 0.44721359549995794)]         // 1/sqrt(5)
    [InlineData(1, 1, 2, 1, 1, -2, 0.44721359549995794)]          // 1/sqrt(5)
    [InlineData(2, 2, 1, 1, -1, 0, -0.18257418583505536)]         // (-1)^(j-m) m / sqrt(j(j+1)(2j+1)) = -1/sqrt(30)
    public void KnownValues(int j1, int j2, int j3, int m1, int m2, int m3, double expected) =>
        Assert.Equal(expected, Wigner3j.Value(j1, j2, j3, m1, m2, m3), 15);

    [Fact]
    public void SelectionRulesGiveZero()
    {
        Assert.Equal(0, Wigner3j.Value(1, 1, 3, 0, 0, 0));   // triangle
        Assert.Equal(0, Wigner3j.Value(1, 1, 1, 0, 0, 0));   // odd sum with all m = 0
        Assert.Equal(0, Wigner3j.Value(2, 2, 2, 1, 1, 1));   // m sum
        Assert.Equal(0, Wigner3j.Value(1, 2, 2, 2, 0, -2));  // |m| > j
    }

    /// <summary>Closed form of (l1 l2 l3; 0 0 0) for even L = 2g, evaluated independently by log-gamma.</summary>
    [Fact]
    public void ZeroProjectionsMatchClosedFormTo20()
    {
        var worst = 0.0;
        for (var l1 = 0; l1 <= 20; l1++)
            for (var l2 = 0; l2 <= 20; l2++)
                for (var l3 = Math.Abs(l1 - l2); l3 <= Math.Min(20, l1 + l2); l3++)
                {
                    var L = l1 + l2 + l3;
                    var v = Wigner3j.Value(l1, l2, l3, 0, 0, 0);
                    if (L % 2 == 1) { Assert.Equal(0, v); continue; }
                    var g = L / 2;
                    double LF(int n) => MathNet.Numerics.SpecialFunctions.FactorialLn(n);
                    var log = 0.5 * (LF(L - 2 * l1) + LF(L - 2 * l2) + LF(L - 2 * l3) - LF(L + 1)) + LF(g) - LF(g - l1) - LF(g - l2) - LF(g - l3);
                    var expected = (g % 2 == 0 ? 1 : -1) * Math.Exp(log);
                    worst = Math.Max(worst, Math.Abs(v - expected) / Math.Abs(expected));
                }
        Assert.True(worst < 1e-12, $"worst relative error {worst}");
    }

    [Fact]
    public void OrthogonalityRelations()
    {
        var worst = 0.0;
        for (var j1 = 0; j1 <= 6; j1++)
            for (var j2 = 0; j2 <= 6; j2++)
            {
                // sum_{m1 m2} (2j3+1) (j1 j2 j3; m1 m2 m3)(j1 j2 j3'; m1 m2 m3') = delta_j3j3' delta_m3m3'
                for (var j3 = Math.Abs(j1 - j2); j3 <= j1 + j2; j3++)
                    for (var j3p = Math.Abs(j1 - j2); j3p <= j1 + j2; j3p++)
                        for (var m3 = -j3; m3 <= j3; m3++)
                            for (var m3p = -j3p; m3p <= j3p; m3p++)
                            {
                                double s = 0;
                                for (var m1 = -j1; m1 <= j1; m1++)
                                    for (var m2 = -j2; m2 <= j2; m2++)
                                        s += (2 * j3 + 1) * Wigner3j.Value(j1, j2, j3, m1, m2, m3) * Wigner3j.Value(j1, j2, j3p, m1, m2, m3p);
                                worst = Math.Max(worst, Math.Abs(s - (j3 == j3p && m3 == m3p ? 1 : 0)));
                            }
                // sum_{j3 m3} (2j3+1) (j1 j2 j3; m1 m2 m3)(j1 j2 j3; m1' m2' m3) = delta_m1m1' delta_m2m2'
                for (var m1 = -j1; m1 <= j1; m1++)
                    for (var m2 = -j2; m2 <= j2; m2++)
                        for (var m1p = -j1; m1p <= j1; m1p++)
                            for (var m2p = -j2; m2p <= j2; m2p++)
                            {
                                double s = 0;
                                for (var j3 = Math.Abs(j1 - j2); j3 <= j1 + j2; j3++)
                                    for (var m3 = -j3; m3 <= j3; m3++)
                                        s += (2 * j3 + 1) * Wigner3j.Value(j1, j2, j3, m1, m2, m3) * Wigner3j.Value(j1, j2, j3, m1p, m2p, m3);
                                worst = Math.Max(worst, Math.Abs(s - (m1 == m1p && m2 == m2p ? 1 : 0)));
                            }
            }
        Assert.True(worst < 1e-14, $"worst deviation {worst}");
    }

    [Fact]
    public void ColumnPermutationSymmetries()
    {
        var rng = new Random(3);
        for (var trial = 0; trial < 200; trial++)
        {
            int j1 = rng.Next(0, 9), j2 = rng.Next(0, 9), j3 = rng.Next(Math.Abs(j1 - j2), j1 + j2 + 1);
            int m1 = rng.Next(-j1, j1 + 1), m2 = rng.Next(-j2, j2 + 1), m3 = -m1 - m2;
            if (Math.Abs(m3) > j3) continue;
            var v = Wigner3j.Value(j1, j2, j3, m1, m2, m3);
            var sign = (j1 + j2 + j3) % 2 == 0 ? 1 : -1;
            Assert.Equal(v, Wigner3j.Value(j2, j3, j1, m2, m3, m1), 14);           // cyclic
            Assert.Equal(sign * v, Wigner3j.Value(j2, j1, j3, m2, m1, m3), 14);    // odd permutation
            Assert.Equal(sign * v, Wigner3j.Value(j1, j2, j3, -m1, -m2, -m3), 14); // all m flipped
        }
    }
}
