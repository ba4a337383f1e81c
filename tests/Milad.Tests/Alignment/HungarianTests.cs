using Milad.Alignment;

namespace Milad.Tests.Alignment;

public class HungarianTests
{
    private static double Total(double[,] cost, int[] assignment) => assignment.Select((j, i) => cost[i, j]).Sum();

    private static IEnumerable<int[]> Permutations(int n)
    {
        if (n == 0) { yield return []; yield break; }
        foreach (var p in Permutations(n - 1))
            for (var slot = 0; slot <= p.Length; slot++)
                yield return [.. p[..slot], n - 1, .. p[slot..]];
    }

    private static double BruteForce(double[,] cost) =>
        Permutations(cost.GetLength(0)).Min(p => Total(cost, p));

    [Fact]
    public void MatchesBruteForceOnRandomMatrices()
    {
        var rng = new Random(5);
        for (var n = 1; n <= 7; n++)
            for (var trial = 0; trial < (n <= 5 ? 200 : 40); trial++)
            {
                // Integer costs half of the time, so ties between optimal assignments are common.
                var cost = new double[n, n];
                for (var i = 0; i < n; i++)
                    for (var j = 0; j < n; j++)
                        cost[i, j] = trial % 2 == 0 ? rng.Next(5) : 100 * rng.NextDouble() - 30;
                var assignment = Hungarian.Solve(cost);
                Assert.Equal(Enumerable.Range(0, n), assignment.Order());
                Assert.Equal(BruteForce(cost), Total(cost, assignment), 9);
            }
    }

    [Fact]
    public void AvoidsForbiddenPairings()
    {
        var rng = new Random(6);
        for (var trial = 0; trial < 100; trial++)
        {
            var n = 2 + trial % 6;
            var cost = new double[n, n];
            var allowed = Geometry.RandomPermutation(rng, n);
            for (var i = 0; i < n; i++)
                for (var j = 0; j < n; j++)
                    cost[i, j] = j == allowed[i] || rng.NextDouble() < 0.3 ? rng.NextDouble() : double.PositiveInfinity;
            var assignment = Hungarian.Solve(cost);
            Assert.Equal(BruteForce(cost), Total(cost, assignment), 12);
            Assert.True(double.IsFinite(Total(cost, assignment)));
        }
    }

    [Fact]
    public void KnownSmallCase()
    {
        // Greedy (row 0 takes column 0 at cost 1) would force 1 + 9 + ... ; the optimum is 2 + 3 + 2 = 7.
        var cost = new double[,] { { 1, 2, 9 }, { 3, 9, 9 }, { 9, 9, 2 } };
        Assert.Equal([1, 0, 2], Hungarian.Solve(cost));
    }

    [Fact]
    public void LargeMatrixAgreesWithItsTransposeAndBeatsRandomSwaps()
    {
        var rng = new Random(7);
        const int n = 80;
        var cost = new double[n, n];
        var transposed = new double[n, n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
                transposed[j, i] = cost[i, j] = rng.NextDouble();
        var assignment = Hungarian.Solve(cost);
        var best = Total(cost, assignment);
        Assert.Equal(best, Total(transposed, Hungarian.Solve(transposed)), 10);
        for (var trial = 0; trial < 2000; trial++)
        {
            var swapped = (int[])assignment.Clone();
            int a = rng.Next(n), b = rng.Next(n);
            (swapped[a], swapped[b]) = (swapped[b], swapped[a]);
            Assert.True(Total(cost, swapped) >= best - 1e-12);
        }
    }

    [Fact]
    public void RejectsBadMatrices()
    {
        Assert.Throws<ArgumentException>(() => Hungarian.Solve(new double[2, 3]));
        Assert.Throws<ArgumentException>(() => Hungarian.Solve(new double[,] { { 0, double.NaN }, { 0, 0 } }));
        Assert.Throws<InvalidOperationException>(() => Hungarian.Solve(new double[,]
            { { 1, double.PositiveInfinity }, { 1, double.PositiveInfinity } }));
        Assert.Empty(Hungarian.Solve(new double[0, 0]));
    }
}
