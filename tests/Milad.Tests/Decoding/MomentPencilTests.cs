using System.Diagnostics;
using Xunit.Abstractions;
using Milad.Decoding;
using Milad.IO;
using Milad.Moments;
using Milad.Structures;

namespace Milad.Tests.Decoding;

/// <summary>
/// The moment pencil on exact and noisy moments of random clusters, degenerate (planar, collinear) sets, sets beyond
/// the rank limit and real molecules. Coordinates are in the unit ball (molecule / 7.5 A), weights species-like.
/// </summary>
public class MomentPencilTests(ITestOutputHelper output)
{
    private static readonly double[] SpeciesWeights = [1, 6, 7, 8, 16];

    [Fact]
    public void RandomClustersAtNMax7AreRecoveredUpTo20Points()
    {
        var table = Sweep(7, 20, seeds: 5);
        foreach (var row in table.Where(r => r.Basis == MomentPencilBasis.Legendre))
        {
            Assert.Equal(row.Trials, row.Successes);
            Assert.True(row.PositionError < 1e-8, $"N {row.N}: position error {row.PositionError}");
            Assert.True(row.WeightError < 1e-8, $"N {row.N}: weight error {row.WeightError}");
        }
    }

    [Fact]
    public void RandomClustersAtNMax11AreRecoveredUpTo29Points()
    {
        var table = Sweep(11, 29, seeds: 3);
        foreach (var row in table.Where(r => r.Basis == MomentPencilBasis.Legendre))
        {
            Assert.Equal(row.Trials, row.Successes);
            Assert.True(row.PositionError < 1e-8, $"N {row.N}: position error {row.PositionError}");
            Assert.True(row.WeightError < 1e-8, $"N {row.N}: weight error {row.WeightError}");
        }
    }

    [Theory]
    [InlineData(7)]
    [InlineData(11)]
    public void BenzeneLikeRingIsRecoveredWhenThePlanarRankAllows(int nMax)
    {
        // C6H6: C at 1.39 A, H at 2.48 A from the centre, in a random plane; 12 points, planar limit (d+1)(d+2)/2.
        var rng = new Random(6);
        var rotate = Geometry.RandomRotation(rng);
        var points = new List<Vec3>();
        var weights = new List<double>();
        for (var k = 0; k < 6; k++)
        {
            var (c, s) = (Math.Cos(k * Math.PI / 3), Math.Sin(k * Math.PI / 3));
            points.Add(rotate(new Vec3(1.39 * c, 1.39 * s, 0) / 7.5));
            weights.Add(6);
            points.Add(rotate(new Vec3(2.48 * c, 2.48 * s, 0) / 7.5));
            weights.Add(1);
        }
        var moments = GeometricMoments.Compute(nMax, points.ToArray(), weights.ToArray());
        var result = MomentPencil.Solve(moments, nMax);
        var (dx, dw) = Compare(points.ToArray(), weights.ToArray(), result);
        var d = (nMax - 1) / 2;
        output.WriteLine($"benzene n_max {nMax} (planar limit {(d + 1) * (d + 2) / 2}): rank {result.Rank}, success {result.Success}, residual {result.Residual:E1}, max|dx| {dx:E1}, max dw/w {dw:E1} {result.Reason}");
        if ((d + 1) * (d + 2) / 2 >= 12)
        {
            Assert.True(result.Success, result.Reason);
            Assert.True(dx < 1e-8 && dw < 1e-8, $"{dx} {dw}");
        }
        else Assert.False(result.Success && dx < 1e-6, "12 coplanar points beyond the planar rank limit cannot be resolved");
    }

    [Theory]
    [InlineData(7)]
    [InlineData(11)]
    public void RandomPlanarSetsAreRecoveredUpToThePlanarLimit(int nMax)
    {
        var d = (nMax - 1) / 2;
        var limit = (d + 1) * (d + 2) / 2;
        var worst = 0.0;
        for (var n = 3; n <= limit; n++)
            for (var seed = 0; seed < 3; seed++)
            {
                var rng = new Random(100 * n + seed);
                var (points, weights) = RandomCluster(rng, n, 0.7, 0.12);
                var rotate = Geometry.RandomRotation(rng);
                points = points.Select(p => rotate(p with { Z = 0 })).ToArray();
                var result = MomentPencil.Solve(GeometricMoments.Compute(nMax, points, weights), nMax);
                var (dx, dw) = Compare(points, weights, result);
                // At the planar limit itself sigma_N/sigma_1 falls to ~1e-8 and the weights are determined to ~1e-8 only.
                var weightTolerance = n == limit ? 1e-7 : 1e-8;
                Assert.True(result.Success && dx < 1e-8 && dw < weightTolerance, $"N {n} seed {seed}: rank {result.Rank}, dx {dx}, dw {dw}, residual {result.Residual} pencil {result.PencilResidual} sigma_N {result.SingularValues[result.Rank - 1]}, {result.Reason}");
                worst = Math.Max(worst, Math.Max(dx, dw));
            }
        output.WriteLine($"planar, n_max {nMax}: N = 3..{limit}, 3 seeds each, all recovered, worst error {worst:E1}");
    }

    [Theory]
    [InlineData(7, 4)]
    [InlineData(11, 6)]
    public void CollinearSetsAreRecoveredUpToDPlusOnePoints(int nMax, int limit)
    {
        var rng = new Random(nMax);
        for (var n = 2; n <= limit + 1; n++)
        {
            var direction = Geometry.RandomRotation(rng)(new Vec3(1, 0, 0));
            var t = new List<double>();
            while (t.Count < n)
            {
                var v = 1.4 * rng.NextDouble() - 0.7;
                if (t.All(u => Math.Abs(u - v) >= 0.12)) t.Add(v);
            }
            var mean = t.Average();
            var points = t.Select(v => (v - mean) * direction).ToArray();
            var weights = points.Select(_ => SpeciesWeights[rng.Next(SpeciesWeights.Length)]).ToArray();
            var result = MomentPencil.Solve(GeometricMoments.Compute(nMax, points, weights), nMax);
            var (dx, dw) = Compare(points, weights, result);
            output.WriteLine($"collinear n_max {nMax}, N {n}: rank {result.Rank}, success {result.Success}, residual {result.Residual:E1}, max|dx| {dx:E1}, max dw/w {dw:E1}");
            output.WriteLine($"  ambiguous {result.Ambiguous}: {result.Reason}");
            if (n <= limit) Assert.True(result.Success && dx < 1e-8 && dw < 1e-8, $"N {n}: {result.Reason}");
            // d + 2 collinear points: their moments up to 2d + 1 are exactly those of d + 1 other collinear points
            // (a 1D moment problem with as many data as unknowns); the pencil finds those and flags the ambiguity.
            else Assert.True(result.Rank == limit && result.Ambiguous && result.Residual < 1e-12, $"N {n}: rank {result.Rank}");
            Assert.Equal(2 * result.Rank >= nMax + 1, result.Ambiguous);
        }
    }

    [Theory]
    [InlineData(7, 21)]
    [InlineData(7, 25)]
    [InlineData(7, 40)]
    [InlineData(11, 57)]
    [InlineData(11, 80)]
    public void TooManyPointsAreReportedAsFailureNotACrash(int nMax, int n)
    {
        var rng = new Random(n);
        var (points, weights) = RandomCluster(rng, n, 0.9, 0.05);
        var result = MomentPencil.Solve(GeometricMoments.Compute(nMax, points, weights), nMax);
        output.WriteLine($"n_max {nMax}, N {n}: rank {result.Rank}, success {result.Success}, residual {result.Residual:E1}, reason: {result.Reason}");
        Assert.False(result.Success);
        Assert.True(result.Residual > 1e-4, $"residual {result.Residual}");
    }

    [Fact]
    public void InvalidMomentsAreReportedAsFailure()
    {
        var zeros = new double[GeometricMoments.Count(7)];
        Assert.False(MomentPencil.Solve(zeros, 7).Success);
        var nan = GeometricMoments.Compute(7, [new Vec3(0.1, 0.2, 0.3)], [1.0]);
        nan[5] = double.NaN;
        Assert.False(MomentPencil.Solve(nan, 7).Success);
        var negative = GeometricMoments.Compute(7, [new Vec3(0.1, 0.2, 0.3), new Vec3(-0.3, 0.1, 0)], [1.0, -2.0]);
        var result = MomentPencil.Solve(negative, 7);
        output.WriteLine($"negative weight: success {result.Success}, {result.Reason}");
        Assert.False(result.Success);
        Assert.Throws<ArgumentException>(() => MomentPencil.Solve(new double[10], 7));
    }

    [Theory]
    [InlineData(7, 20)]
    [InlineData(11, 29)]
    public void NoisyMomentsRecoverPointsToAboutTheNoiseLevel(int nMax, int maxN)
    {
        // Each moment perturbed by a relative 1e-7 (what rounding the fingerprint to single precision does).
        const double noise = 1e-7;
        var variants = new (string Name, MomentPencilOptions Options)[]
        {
            ("Legendre+rescale", new MomentPencilOptions { RankTolerance = 1e-6, ResidualTolerance = 1e-5, AbsoluteNoise = 1e-9 }),
            ("Monomial+rescale", new MomentPencilOptions { RankTolerance = 1e-6, ResidualTolerance = 1e-5, AbsoluteNoise = 1e-9, Basis = MomentPencilBasis.Monomial }),
            ("Monomial raw", new MomentPencilOptions { RankTolerance = 1e-6, ResidualTolerance = 1e-5, AbsoluteNoise = 1e-9, Basis = MomentPencilBasis.Monomial, Rescale = false }),
        };
        output.WriteLine($"n_max {nMax}, relative noise {noise:E0} per moment, 3 seeds per N; ok = right count and max|dx| < 2e-4");
        output.WriteLine("variant            N  ok  max|dx|   max dw/w  residual  pencil-only max|dx|");
        var d = (nMax - 1) / 2;
        var full = (d + 1) * (d + 2) * (d + 3) / 6;
        var failures = new List<string>();
        foreach (var (name, options) in variants)
            for (var n = 1; n <= maxN; n += n < 10 ? 1 : 2)
            {
                int ok = 0;
                double dx = 0, dw = 0, res = 0, raw = 0;
                for (var seed = 0; seed < 3; seed++)
                {
                    var rng = new Random(1000 * n + seed);
                    var (points, weights) = RandomCluster(rng, n, 0.7, 0.12);
                    var moments = GeometricMoments.Compute(nMax, points, weights);
                    for (var k = 0; k < moments.Length; k++) moments[k] *= 1 + noise * Geometry.Gaussian(rng);
                    var result = MomentPencil.Solve(moments, nMax, options);
                    var (ex, ew) = Compare(points, weights, result);
                    raw = Math.Max(raw, Compare(points, weights, MomentPencil.Solve(moments, nMax, options with { PolishIterations = 0 })).Position);
                    if (ex < 2e-4) ok++;
                    // Within 2 of the full size C(d+3, 3) the smallest eigenvalue is at the noise: allowed to fail, reported.
                    else if (name.StartsWith("Legendre") && n < full - 2) failures.Add($"N {n} seed {seed}: rank {result.Rank}, dx {ex:E1}, {result.Reason}");
                    dx = Math.Max(dx, ex);
                    dw = Math.Max(dw, ew);
                    res = Math.Max(res, result.Residual);
                }
                output.WriteLine($"{name,-17} {n,3} {ok}/3  {dx,8:E1}  {dw,8:E1}  {res,8:E1}  {raw,8:E1}");
            }
        foreach (var f in failures) output.WriteLine("Legendre failure: " + f);
        Assert.Empty(failures);
    }

    [Fact]
    public void Qm9MoleculesAreRecovered()
    {
        var molecules = ExtendedXyz.Read(TestData.File("molecules", "qm9_first100.xyz")).ToList();
        Assert.Equal(100, molecules.Count);
        foreach (var nMax in new[] { 7, 9, 11 })
        {
            int ok = 0;
            double dx = 0, dw = 0;
            var failed = new List<string>();
            var clock = new Stopwatch();
            foreach (var molecule in molecules)
            {
                var (points, weights) = UnitBall(molecule);
                var moments = GeometricMoments.Compute(nMax, points, weights);
                MomentPencil.Solve(moments, nMax); // warm-up, so the clock sees the steady state
                clock.Start();
                var result = MomentPencil.Solve(moments, nMax);
                clock.Stop();
                var (ex, ew) = Compare(points, weights, result);
                if (result.Success && ex < 1e-8 && ew < 1e-8)
                {
                    ok++;
                    dx = Math.Max(dx, ex);
                    dw = Math.Max(dw, ew);
                }
                else failed.Add($"{molecule.Formula} ({molecule.Count} atoms, planarity {Planarity(points):E0}): rank {result.Rank}, residual {result.Residual:E1}");
            }
            output.WriteLine($"qm9_first100, n_max {nMax}: {ok}/100 recovered (max|dx| {dx:E1} = {7.5 * dx:E1} A, max dw/w {dw:E1}), {clock.Elapsed.TotalMilliseconds / 100:F2} ms per molecule");
            foreach (var f in failed) output.WriteLine("  failed: " + f);
            if (nMax == 11) Assert.Equal(100, ok);
        }
    }

    [Fact]
    public void Qm9MoleculesAreRecoveredFromZernikeMoments()
    {
        // The decoder's real input: Zernike moments, converted to geometric ones by the exact inverse map.
        const int nMax = 11;
        var basis = new ZernikeBasis(nMax);
        var map = ZernikeGeometricMap.For(nMax);
        var values = new double[basis.Count];
        int ok = 0;
        double dx = 0;
        foreach (var molecule in ExtendedXyz.Read(TestData.File("molecules", "qm9_first100.xyz")))
        {
            var (points, weights) = UnitBall(molecule);
            var r = new double[basis.Count];
            for (var i = 0; i < points.Length; i++)
            {
                basis.Evaluate(points[i], values);
                for (var j = 0; j < basis.Count; j++) r[j] += weights[i] * values[j];
            }
            var m = new double[map.Count];
            map.ToGeometric(r, m);
            // The map leaves ~1e-17 M_000 absolute error per degree: 1e-5 of H2O's degree-10 moments; the default
            // AbsoluteNoise floor (1e-9 M_000) keeps those degrees from dictating the weights.
            var result = MomentPencil.Solve(m, nMax);
            var (ex, ew) = Compare(points, weights, result);
            if (result.Success && ex < 1e-8 && ew < 1e-8) ok++;
            else output.WriteLine($"  not recovered: {molecule.Formula} ({molecule.Count} atoms): rank {result.Rank}, residual {result.Residual:E1} (pencil {result.PencilResidual:E1}), max|dx| {ex:E1}, max dw/w {ew:E1}");
            dx = Math.Max(dx, ex);
        }
        output.WriteLine($"qm9_first100 via Zernike moments, n_max {nMax}: {ok}/100 recovered, max|dx| {dx:E1}");
        Assert.Equal(100, ok);
    }

    /// <summary>The molecule centred at its centroid and divided by 7.5 A; weights = atomic numbers.</summary>
    internal static (Vec3[] Points, double[] Weights) UnitBall(Structure molecule)
    {
        var centroid = molecule.Positions.Aggregate(Vec3.Zero, (a, b) => a + b) / molecule.Count;
        return (molecule.Positions.Select(p => (p - centroid) / 7.5).ToArray(), molecule.AtomicNumbers.Select(z => (double)z).ToArray());
    }

    /// <summary>Smallest eigenvalue / largest of the (unweighted) second-moment tensor: 0 for planar sets.</summary>
    private static double Planarity(Vec3[] points)
    {
        var t = new double[3, 3];
        foreach (var p in points)
            for (var a = 0; a < 3; a++)
                for (var b = 0; b < 3; b++) t[a, b] += p[a] * p[b];
        var e = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(t).Evd().EigenValues.Select(z => z.Real).ToArray();
        return e.Min() / e.Max();
    }

    private sealed record Row(MomentPencilBasis Basis, int N, int Trials, int Successes, double PositionError, double WeightError, double PencilError, double SmallestSingular);

    /// <summary>Both bases over N = 1..maxN; prints a table; returns the rows.</summary>
    private List<Row> Sweep(int nMax, int maxN, int seeds)
    {
        var rows = new List<Row>();
        output.WriteLine($"n_max {nMax}: random clusters in the ball of radius 0.7, separation >= 0.12, weights in {{1,6,7,8,16}}, {seeds} seeds per N");
        output.WriteLine("basis      N  ok  max|dx| polished  max|dx| pencil  max dw/w  min sigma_N/sigma_1");
        foreach (var basis in new[] { MomentPencilBasis.Legendre, MomentPencilBasis.Monomial })
            for (var n = 1; n <= maxN; n++)
            {
                int ok = 0;
                double dx = 0, dw = 0, dxPencil = 0, sigma = 1;
                for (var seed = 0; seed < seeds; seed++)
                {
                    var rng = new Random(1000 * n + seed);
                    var (points, weights) = RandomCluster(rng, n, 0.7, 0.12);
                    var moments = GeometricMoments.Compute(nMax, points, weights);
                    var result = MomentPencil.Solve(moments, nMax, new MomentPencilOptions { Basis = basis });
                    var raw = MomentPencil.Solve(moments, nMax, new MomentPencilOptions { Basis = basis, PolishIterations = 0 });
                    if (result.Rank >= 1) sigma = Math.Min(sigma, result.SingularValues[result.Rank - 1]);
                    var (ex, ew) = Compare(points, weights, result);
                    var (px, _) = Compare(points, weights, raw);
                    if (result.Success && ex < 1e-8 && ew < 1e-8) ok++;
                    dx = Math.Max(dx, ex);
                    dw = Math.Max(dw, ew);
                    dxPencil = Math.Max(dxPencil, px);
                }
                rows.Add(new Row(basis, n, seeds, ok, dx, dw, dxPencil, sigma));
                output.WriteLine($"{basis,-9} {n,3} {ok,2}/{seeds}  {dx,14:E1}  {dxPencil,14:E1}  {dw,8:E1}  {sigma,10:E1}");
            }
        return rows;
    }

    /// <summary>
    /// Max position error and max relative weight error after matching each true point to its nearest recovered
    /// point (one to one); infinity when the counts differ or a match is reused.
    /// </summary>
    internal static (double Position, double Weight) Compare(Vec3[] points, double[] weights, MomentPencilResult result)
    {
        if (result.Points.Length != points.Length) return (double.PositiveInfinity, double.PositiveInfinity);
        var used = new bool[points.Length];
        double dx = 0, dw = 0;
        for (var i = 0; i < points.Length; i++)
        {
            var best = -1;
            var bestDistance = double.PositiveInfinity;
            for (var j = 0; j < points.Length; j++)
            {
                var d = (result.Points[j] - points[i]).Norm;
                if (d < bestDistance) { bestDistance = d; best = j; }
            }
            if (best < 0 || used[best]) return (double.PositiveInfinity, double.PositiveInfinity);
            used[best] = true;
            dx = Math.Max(dx, bestDistance);
            dw = Math.Max(dw, Math.Abs(result.Weights[best] - weights[i]) / weights[i]);
        }
        return (dx, dw);
    }

    /// <summary>N points uniform in the ball of the radius with pairwise distances >= separation, centred at their centroid.</summary>
    internal static (Vec3[] Points, double[] Weights) RandomCluster(Random rng, int n, double radius, double separation)
    {
        var points = new List<Vec3>();
        while (points.Count < n)
        {
            var v = new Vec3(2 * rng.NextDouble() - 1, 2 * rng.NextDouble() - 1, 2 * rng.NextDouble() - 1) * radius;
            if (v.Norm > radius || points.Any(p => (p - v).Norm < separation)) continue;
            points.Add(v);
        }
        var centroid = points.Aggregate(Vec3.Zero, (a, b) => a + b) / n;
        var weights = Enumerable.Range(0, n).Select(_ => SpeciesWeights[rng.Next(SpeciesWeights.Length)]).ToArray();
        return (points.Select(p => p - centroid).ToArray(), weights);
    }
}
