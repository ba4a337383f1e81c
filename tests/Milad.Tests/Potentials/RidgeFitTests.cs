using MathNet.Numerics.LinearAlgebra;
using Milad.Potentials;

namespace Milad.Tests.Potentials;

/// <summary>The packed per-fold sums and the ridge solve against an explicit weighted least-squares problem.</summary>
public class RidgeFitTests
{
    private const int Columns = 9, Folds = 3;

    private sealed record Row(int Fold, int Kind, double[] Values, double Target);

    // Random energy (kind 0), force (1) and virial (2) rows, a few of each per fold; one column is zero in every
    // force row, as a species' columns are in frames without that species.
    private static List<Row> RandomRows(Random random)
    {
        var rows = new List<Row>();
        for (var fold = 0; fold < Folds; fold++)
            foreach (var (kind, count) in new[] { (0, fold == 2 ? 70 : 4), (1, 12), (2, 6) })
                for (var r = 0; r < count; r++)
                {
                    var values = Enumerable.Range(0, Columns).Select(_ => random.NextDouble() * 2 - 1).ToArray();
                    if (kind == 1) values[4] = 0;
                    rows.Add(new Row(fold, kind, values, random.NextDouble() * 2 - 1));
                }
        return rows;
    }

    private static NormalEquations Sums(List<Row> rows)
    {
        var ne = new NormalEquations(Columns, Folds, virials: true);
        for (var fold = 0; fold < Folds; fold++)
        {
            foreach (var row in rows.Where(r => r.Fold == fold && r.Kind != 1)) ne.AddEnergyRow(fold, row.Values, row.Target, row.Kind);
            var forces = rows.Where(r => r.Fold == fold && r.Kind == 1).ToArray();
            var transposed = new double[Columns * forces.Length];
            for (var i = 0; i < Columns; i++)
                for (var r = 0; r < forces.Length; r++) transposed[i * forces.Length + r] = forces[r].Values[i];
            var nonZero = Enumerable.Range(0, Columns).Select(i => forces.Any(f => f.Values[i] != 0)).ToArray();
            ne.AddForceRows(fold, transposed, forces.Length, forces.Select(f => f.Target).ToArray(), nonZero);
        }
        Assert.Throws<InvalidOperationException>(() => ne.Parts);
        ne.Complete();
        return ne;
    }

    [Fact]
    public void PackedSumsEqualTheExplicitGramMatrices()
    {
        var rows = RandomRows(new Random(11));
        var ne = Sums(rows);
        for (var kind = 0; kind < 3; kind++)
            for (var fold = 0; fold < Folds; fold++)
            {
                var mine = rows.Where(r => r.Kind == kind && r.Fold == fold).ToArray();
                var a = Matrix<double>.Build.DenseOfRowArrays(mine.Select(r => r.Values));
                var t = Vector<double>.Build.Dense(mine.Select(r => r.Target).ToArray());
                var gram = a.TransposeThisAndMultiply(a);
                var rhs = a.TransposeThisAndMultiply(t);
                var part = ne.Parts[kind, fold];
                for (var i = 0; i < Columns; i++)
                {
                    Assert.Equal(rhs[i], part.Rhs[i], 12);
                    for (var j = 0; j < Columns; j++) Assert.Equal(gram[i, j], part[i, j], 12);
                }
                Assert.Equal(t.DotProduct(t), part.TargetNorm, 12);
                Assert.Equal(mine.Length, part.Rows);
                // |A c - t|^2 from the sums.
                var c = Enumerable.Range(0, Columns).Select(i => Math.Sin(i + kind + fold)).ToArray();
                var residual = a * Vector<double>.Build.Dense(c) - t;
                Assert.Equal(residual.DotProduct(residual), RidgeFit.ResidualSquares(part, c), 10);
            }
    }

    [Fact]
    public void SolveEqualsTheWeightedRidgeLeastSquaresOfTheTrainingFolds()
    {
        var rows = RandomRows(new Random(12));
        var ne = Sums(rows);
        const double energyWeight = 7, stressWeight = 0.3, lambda = 1e-3;
        var penalised = Enumerable.Range(0, Columns).Select(i => i != 0).ToArray();
        const int leftOut = 1;
        var train = rows.Where(r => r.Fold != leftOut).ToArray();
        // Row weights as documented: wE / nE per energy row, 1 / nF per force row, wE wS / nS per virial row.
        var count = new[] { 0, 1, 2 }.Select(kind => train.Count(r => r.Kind == kind)).ToArray();
        double[] weight = [energyWeight / count[0], 1.0 / count[1], energyWeight * stressWeight / count[2]];
        var a = Matrix<double>.Build.DenseOfRowArrays(train.Select(r => r.Values.Select(v => v * Math.Sqrt(weight[r.Kind])).ToArray()));
        var t = Vector<double>.Build.Dense(train.Select(r => r.Target * Math.Sqrt(weight[r.Kind])).ToArray());
        var normal = a.TransposeThisAndMultiply(a);
        var shift = lambda * Enumerable.Range(1, Columns - 1).Average(i => normal[i, i]);
        for (var i = 1; i < Columns; i++) normal[i, i] += shift;
        var expected = normal.Solve(a.TransposeThisAndMultiply(t));
        var x = RidgeFit.Solve(ne, leftOut, -1, energyWeight, stressWeight, lambda, penalised)!;
        for (var i = 0; i < Columns; i++) Assert.Equal(expected[i], x[i], 10);
        // Without a stress weight the virial rows do not count.
        var noStress = RidgeFit.Solve(ne, leftOut, -1, energyWeight, 0, lambda, penalised)!;
        Assert.True(Enumerable.Range(0, Columns).Max(i => Math.Abs(noStress[i] - x[i])) > 1e-3);
    }
}
