using System.Numerics;
using Milad.Invariants;
using Milad.Moments;
using Milad.Structures;
using Xunit.Abstractions;

namespace Milad.Tests.Invariants;

public class InvariantSetTests(ITestOutputHelper output)
{
    private static double[] RandomMoments(ZernikeBasis basis, Random rng, int points, out Vec3[] xs, out double[] ws)
    {
        xs = Enumerable.Range(0, points).Select(_ => Geometry.RandomInBall(rng, 0.9)).ToArray();
        ws = Enumerable.Range(0, points).Select(_ => 1 + 7 * rng.NextDouble()).ToArray();
        var m = new double[basis.Count];
        var z = new double[basis.Count];
        for (var p = 0; p < points; p++)
        {
            basis.Evaluate(xs[p], z);
            for (var i = 0; i < z.Length; i++) m[i] += ws[p] * z[i];
        }
        return m;
    }

    /// <summary>The counts printed for the documentation; asserting them catches an unintended change of the selection.</summary>
    [Theory]
    [InlineData(7, 4, 30, 298, 120)]
    [InlineData(9, 5, 55, 610, 220)]
    [InlineData(11, 6, 91, 1039, 364)]
    [InlineData(15, 8, 204, 2389, 816)]
    public void CompleteSetCounts(int nMax, int degree1, int degree2, int degree3, int momentDof)
    {
        var set = InvariantSet.Complete(nMax);
        var counts = set.Invariants.GroupBy(i => i.Degree).ToDictionary(g => g.Key, g => g.Count());
        var pseudo = set.Invariants.Count(i => i.Kind == InvariantKind.Pseudoscalar);
        var compact = InvariantSet.Compact(nMax);
        output.WriteLine($"n_max {nMax}: complete {set.Count} = {counts[1]} + {counts[2]} + {counts[3]} ({pseudo} pseudoscalars), compact {compact.Count}, moment dof {set.Basis.Count}");
        Assert.Equal(momentDof, set.Basis.Count);
        Assert.Equal(degree1, counts[1]);
        Assert.Equal(degree2, counts[2]);
        Assert.Equal(degree3, counts[3]);
        Assert.True(set.Count >= momentDof - 3, "fewer invariants than the moments' orbit dimension");
        Assert.True(pseudo > 0);
        Assert.DoesNotContain(compact.Invariants, i => i.Kind == InvariantKind.Pseudoscalar);
        Assert.True(compact.Count < set.Count);
    }

    /// <summary>
    /// A thinned complete set keeps degrees 1 and 2 and, per block, the first ceil(F (2l + 1)) of the complete set's
    /// couplings for that block (the complete set takes 3 (2l + 1)), in the same order; at n_max 7 complete-1x has
    /// 142 invariants against 120 moment unknowns.
    /// </summary>
    [Theory]
    [InlineData("complete-1x", 1.0, 142)]
    [InlineData("complete-1.5x", 1.5, 200)]
    [InlineData("complete-2x", 2.0, 246)]
    public void ThinnedSetsArePrefixesOfEachBlocksCouplings(string name, double factor, int count)
    {
        var full = InvariantSet.ByName("complete", 7);
        var thin = InvariantSet.ByName(name, 7);
        Assert.Equal(count, thin.Count);
        Assert.Equal(name, thin.Name);
        Assert.Equal(full.Invariants.Where(i => i.Degree < 3).Select(i => i.Label), thin.Invariants.Where(i => i.Degree < 3).Select(i => i.Label));
        foreach (var block in full.Invariants.Where(i => i.Degree == 3).GroupBy(i => i.Blocks[2]))
        {
            var kept = thin.Invariants.Where(i => i.Degree == 3 && i.Blocks[2] == block.Key).ToArray();
            var expected = Math.Min(block.Count(), (int)Math.Ceiling(factor * (2 * block.Key.L + 1)));
            Assert.Equal(expected, kept.Length);
            Assert.Equal(block.Take(expected).Select(i => i.Label), kept.Select(i => i.Label));
        }
        var e = Assert.Throws<Milad.InputException>(() => new Milad.Fingerprints.DescriptorSettings { InvariantSet = "complete-4x" }.Validate());
        Assert.Contains("complete-1.5x", e.Message);
    }

    /// <summary>The real-basis evaluation equals the textbook complex definitions with 3j symbols.</summary>
    [Theory]
    [InlineData(7)]
    [InlineData(10)]
    public void RealBasisMatchesComplexDefinitions(int nMax)
    {
        var set = InvariantSet.Complete(nMax);
        var basis = set.Basis;
        var rng = new Random(nMax);
        var real = RandomMoments(basis, rng, 9, out var xs, out var ws);
        var omega = new Complex[basis.Count];
        var zc = new Complex[basis.Count];
        for (var p = 0; p < xs.Length; p++)
        {
            basis.EvaluateComplex(xs[p], zc);
            for (var i = 0; i < zc.Length; i++) omega[i] += ws[p] * Complex.Conjugate(zc[i]);
        }
        Complex O(int n, int l, int m) => omega[basis.Index(n, l, m)];

        var values = new double[set.Count];
        set.Evaluate(real, values);
        var magnitude = new double[set.Count];
        set.EvaluateMagnitudes(real, magnitude);
        for (var q = 0; q < set.Count; q++)
        {
            var info = set.Invariants[q];
            Complex expected = 0;
            switch (info.Degree)
            {
                case 1: expected = O(info.Blocks[0].N, 0, 0); break;
                case 2:
                    for (var m = -info.Blocks[0].L; m <= info.Blocks[0].L; m++)
                        expected += O(info.Blocks[0].N, info.Blocks[0].L, m) * Complex.Conjugate(O(info.Blocks[1].N, info.Blocks[1].L, m));
                    break;
                default:
                    var (a, b, c) = (info.Blocks[0], info.Blocks[1], info.Blocks[2]);
                    for (var m1 = -a.L; m1 <= a.L; m1++)
                        for (var m2 = -b.L; m2 <= b.L; m2++)
                        {
                            var m3 = -m1 - m2;
                            if (Math.Abs(m3) > c.L) continue;
                            expected += Wigner3j.Value(a.L, b.L, c.L, m1, m2, m3) * O(a.N, a.L, m1) * O(b.N, b.L, m2) * O(c.N, c.L, m3);
                        }
                    break;
            }
            // Scalars are real, pseudoscalars are i times the value.
            var (want, other) = info.Kind == InvariantKind.Pseudoscalar ? (expected.Imaginary, expected.Real) : (expected.Real, expected.Imaginary);
            var tol = 1e-12 * Math.Max(magnitude[q], 1e-300);
            Assert.True(Math.Abs(values[q] - want) <= tol, $"{info.Label}: {values[q]} vs {want}");
            Assert.True(Math.Abs(other) <= tol, $"{info.Label}: the other part is {other}");
        }
    }

    [Fact]
    public void JacobianMatchesFiniteDifferences()
    {
        var set = InvariantSet.Complete(6);
        var rng = new Random(5);
        var moments = RandomMoments(set.Basis, rng, 7, out _, out _);
        var values = new double[set.Count];
        var jac = new double[set.Count * set.Basis.Count];
        set.Jacobian(moments, values, jac);
        var plus = new double[set.Count];
        var minus = new double[set.Count];
        var worst = 0.0;
        for (var i = 0; i < moments.Length; i++)
        {
            var h = 1e-5 * Math.Max(1, Math.Abs(moments[i]));
            var mp = (double[])moments.Clone(); mp[i] += h;
            var mm = (double[])moments.Clone(); mm[i] -= h;
            set.Evaluate(mp, plus);
            set.Evaluate(mm, minus);
            for (var q = 0; q < set.Count; q++)
            {
                var fd = (plus[q] - minus[q]) / (2 * h);
                var exact = jac[q * moments.Length + i];
                worst = Math.Max(worst, Math.Abs(fd - exact) / (Math.Abs(exact) + 1e-3 * Math.Abs(values[q]) + 1e-8));
            }
        }
        Assert.True(worst < 1e-6, $"worst relative error {worst}");

        // The vector-Jacobian product is the same contraction.
        var v = Enumerable.Range(0, set.Count).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var vjp = new double[set.Basis.Count];
        set.VectorJacobianProduct(moments, v, vjp);
        for (var i = 0; i < moments.Length; i++)
        {
            double s = 0;
            for (var q = 0; q < set.Count; q++) s += v[q] * jac[q * moments.Length + i];
            Assert.Equal(s, vjp[i], 1e-9 * (1 + Math.Abs(s)));
        }
    }
}
