using Milad.Moments;
using Milad.Structures;
using Xunit.Abstractions;

namespace Milad.Tests.Moments;

public class ZernikeGeometricMapTests(ITestOutputHelper output)
{
    [Fact]
    public void MonomialIndexOrderIsDegreeThenPDescendingThenQDescending()
    {
        var exps = GeometricMoments.Exponents(3);
        Assert.Equal(20, exps.Length);
        Assert.Equal([(0, 0, 0), (1, 0, 0), (0, 1, 0), (0, 0, 1), (2, 0, 0), (1, 1, 0), (1, 0, 1), (0, 2, 0), (0, 1, 1), (0, 0, 2)],
            exps[..10]);
        Assert.Equal((3, 0, 0), exps[10]);
        Assert.Equal((0, 0, 3), exps[19]);
        var all = GeometricMoments.Exponents(20);
        for (var i = 0; i < all.Length; i++)
        {
            Assert.Equal(i, GeometricMoments.Index(all[i].P, all[i].Q, all[i].S));
            Assert.Equal(all[i], GeometricMoments.ExponentsOf(i));
        }
    }

    [Fact]
    public void GeometricMomentsMatchDirectSums()
    {
        var rng = new Random(11);
        var (points, weights) = RandomWeightedPoints(rng, 17);
        const int nMax = 9;
        var moments = GeometricMoments.Compute(nMax, points, weights);
        var exps = GeometricMoments.Exponents(nMax);
        for (var k = 0; k < exps.Length; k++)
        {
            var (p, q, s) = exps[k];
            var direct = 0.0;
            for (var i = 0; i < points.Length; i++)
                direct += weights[i] * Math.Pow(points[i].X, p) * Math.Pow(points[i].Y, q) * Math.Pow(points[i].Z, s);
            Assert.Equal(direct, moments[k], 1e-14 * Math.Max(1, Math.Abs(direct)));
        }
        // Unit weights when none are given: M_000 is the number of points.
        Assert.Equal(points.Length, GeometricMoments.Compute(nMax, points, [])[0]);
    }

    [Fact]
    public void MapIsSquareAndItsInverseIsTheInverse()
    {
        for (var n = 0; n <= 20; n++)
            Assert.Equal(new ZernikeBasis(n).Count, GeometricMoments.Count(n));
        foreach (var nMax in new[] { 7, 12 })
        {
            var map = ZernikeGeometricMap.For(nMax);
            Assert.Equal(GeometricMoments.Count(nMax), map.Count);
            // G (G^-1 e_j) = e_j column by column, with the sparse products.
            var worst = 0.0;
            var unit = new double[map.Count];
            var column = new double[map.Count];
            var back = new double[map.Count];
            for (var j = 0; j < map.Count; j++)
            {
                unit[j] = 1;
                map.ToGeometric(unit, column);
                map.ToZernike(column, back);
                unit[j] = 0;
                for (var i = 0; i < map.Count; i++) worst = Math.Max(worst, Math.Abs(back[i] - (i == j ? 1 : 0)));
            }
            // The dense copies are the same matrices.
            var g = map.ForwardMatrix();
            var c = map.InverseMatrix();
            var dense = 0.0;
            for (var k = 0; k < map.Count; k++) dense += g[0, k] * c[k, 0];
            Assert.Equal(1, dense, 1e-12);
            output.WriteLine($"n_max {nMax}: max |G G^-1 - I| = {worst:E2}");
            Assert.True(worst < 1e-9, $"n_max {nMax}: max |G G^-1 - I| = {worst:E3}");
        }
    }

    [Theory]
    [InlineData(7)]
    [InlineData(12)]
    public void ZernikeMomentsAreTheMapOfGeometricMoments(int nMax)
    {
        var rng = new Random(100 + nMax);
        var basis = new ZernikeBasis(nMax);
        var map = ZernikeGeometricMap.For(nMax);
        for (var trial = 0; trial < 5; trial++)
        {
            var (points, weights) = RandomWeightedPoints(rng, 5 + 6 * trial);
            var direct = new double[basis.Count];
            var values = new double[basis.Count];
            for (var i = 0; i < points.Length; i++)
            {
                basis.Evaluate(points[i], values);
                for (var j = 0; j < basis.Count; j++) direct[j] += weights[i] * values[j];
            }
            var viaMap = new double[basis.Count];
            map.ToZernike(GeometricMoments.Compute(nMax, points, weights), viaMap);
            // Norm-wise relative error. Per order n it is larger (reported): r = G M cancels heavily, so the rounding
            // of M and G is amplified by ~ sum |G||M| / |r| (the same error appears with M exact and rounded once).
            var global = direct.Zip(viaMap, (a, b) => Math.Abs(a - b)).Max() / direct.Max(Math.Abs);
            var byOrder = WorstByBlock(direct, viaMap, [], basis, true);
            output.WriteLine($"n_max {nMax}, {points.Length} points: max |r - G M| / max |r| = {global:E2}, per order n {byOrder:E2}");
            Assert.True(global <= 1e-12, $"n_max {nMax}: {global:E3}");
        }
    }

    /// <summary>The decoder's direction: Zernike moments from the basis -> geometric moments, per degree.</summary>
    [Theory]
    [InlineData(7, 1e-13)]
    [InlineData(12, 1e-13)]
    [InlineData(15, 1e-13)]
    public void GeometricMomentsFromZernikeMoments(int nMax, double tolerance)
    {
        var rng = new Random(300 + nMax);
        var basis = new ZernikeBasis(nMax);
        var map = ZernikeGeometricMap.For(nMax);
        var degree = GeometricMoments.Exponents(nMax).Select(e => e.P + e.Q + e.S).ToArray();
        for (var trial = 0; trial < 3; trial++)
        {
            var (points, weights) = RandomWeightedPoints(rng, 5 + 6 * trial);
            var r = new double[basis.Count];
            var values = new double[basis.Count];
            for (var i = 0; i < points.Length; i++)
            {
                basis.Evaluate(points[i], values);
                for (var j = 0; j < basis.Count; j++) r[j] += weights[i] * values[j];
            }
            var m = new double[map.Count];
            map.ToGeometric(r, m);
            var worst = WorstByBlock(GeometricMoments.Compute(nMax, points, weights), m, degree, basis, false);
            output.WriteLine($"n_max {nMax}, {points.Length} points: Zernike -> geometric, max error per degree {worst:E2}");
            Assert.True(worst <= tolerance, $"n_max {nMax}: {worst:E3}");
        }
    }

    [Theory]
    [InlineData(7, 1e-12)]
    [InlineData(10, 1e-12)]
    [InlineData(12, 1e-12)]
    public void GeometricZernikeGeometricRoundTrip(int nMax, double tolerance)
    {
        var worst = RoundTrip(nMax);
        Assert.True(worst <= tolerance, $"n_max {nMax}: round trip {worst:E3}");
    }

    /// <summary>
    /// Higher orders, held to bounds near what was measured (per degree: n_max 15 ~2e-12, 20 ~5e-12).
    /// n_max 20 builds the exact inverse in ~2-5 s, so it is skipped in the regular run.
    /// </summary>
    [Theory]
    [InlineData(15, 1e-11)]
    public void RoundTripAtHighOrder(int nMax, double tolerance)
    {
        var worst = RoundTrip(nMax);
        Assert.True(worst <= tolerance, $"n_max {nMax}: round trip {worst:E3}");
    }

    /// <summary>n_max 20, the order the decoder may use. Measured: round trip per degree 4.4e-12, Zernike -> geometric 9.5e-15.</summary>
    [Fact]
    public void MapAtOrder20()
    {
        Assert.True(RoundTrip(20) <= 1e-10);
        GeometricMomentsFromZernikeMoments(20, 1e-13);
    }

    private double RoundTrip(int nMax)
    {
        var rng = new Random(200 + nMax);
        var map = ZernikeGeometricMap.For(nMax);
        var basis = new ZernikeBasis(nMax);
        var exps = GeometricMoments.Exponents(nMax);
        var worstAll = 0.0;
        for (var trial = 0; trial < 5; trial++)
        {
            var (points, weights) = RandomWeightedPoints(rng, 5 + 6 * trial);
            var m = GeometricMoments.Compute(nMax, points, weights);
            var r = new double[map.Count];
            var back = new double[map.Count];
            map.ToZernike(m, r);
            map.ToGeometric(r, back);
            var worst = WorstByBlock(m, back, exps.Select(e => e.P + e.Q + e.S).ToArray(), basis, false);
            var global = m.Zip(back, (a, b) => Math.Abs(a - b)).Max() / m.Max(Math.Abs);
            output.WriteLine($"n_max {nMax}, {points.Length} points: round trip, per degree {worst:E2}, relative to max |M| {global:E2}");
            worstAll = Math.Max(worstAll, worst);
        }
        return worstAll;
    }

    /// <summary>
    /// max |a - b| relative to the largest |a| of the same group: the order n of a Zernike moment
    /// (<paramref name="byZernikeOrder"/>) or the degree of a geometric moment (given per index).
    /// </summary>
    private static double WorstByBlock(double[] a, double[] b, int[] degree, ZernikeBasis basis, bool byZernikeOrder)
    {
        var group = byZernikeOrder
            ? Enumerable.Range(0, a.Length).Select(i => basis.Blocks.First(bl => i < basis.Offset(bl.N, bl.L) + 2 * bl.L + 1).N).ToArray()
            : degree;
        var worst = 0.0;
        foreach (var g in group.Distinct())
        {
            var idx = Enumerable.Range(0, a.Length).Where(i => group[i] == g).ToArray();
            var scale = idx.Max(i => Math.Abs(a[i]));
            if (scale == 0) continue;
            worst = Math.Max(worst, idx.Max(i => Math.Abs(a[i] - b[i])) / scale);
        }
        return worst;
    }

    /// <summary>Points uniform in the unit ball, weights like species weights in [0.5, 2].</summary>
    private static (Vec3[] Points, double[] Weights) RandomWeightedPoints(Random rng, int count)
    {
        var points = new Vec3[count];
        for (var i = 0; i < count;)
        {
            var v = new Vec3(2 * rng.NextDouble() - 1, 2 * rng.NextDouble() - 1, 2 * rng.NextDouble() - 1);
            if (v.Norm2 <= 1) points[i++] = v;
        }
        var weights = Enumerable.Range(0, count).Select(_ => 0.5 + 1.5 * rng.NextDouble()).ToArray();
        return (points, weights);
    }
}
