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
