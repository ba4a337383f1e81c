using Milad.Alignment;
using Milad.Structures;

namespace Milad.Tests.Alignment;

public class KabschTests
{
    private static Vec3 Apply(double[,] m, Vec3 v) => new(
        m[0, 0] * v.X + m[0, 1] * v.Y + m[0, 2] * v.Z,
        m[1, 0] * v.X + m[1, 1] * v.Y + m[1, 2] * v.Z,
        m[2, 0] * v.X + m[2, 1] * v.Y + m[2, 2] * v.Z);

    private static double[,] MatrixOf(Func<Vec3, Vec3> map)
    {
        var m = new double[3, 3];
        for (var c = 0; c < 3; c++)
        {
            var col = map(new Vec3(c == 0 ? 1 : 0, c == 1 ? 1 : 0, c == 2 ? 1 : 0));
            for (var r = 0; r < 3; r++) m[r, c] = col[r];
        }
        return m;
    }

    internal static double Determinant(double[,] m) =>
        m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1]) - m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0])
        + m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]);

    private static double MaxDifference(double[,] a, double[,] b)
    {
        var d = 0.0;
        for (var r = 0; r < 3; r++)
            for (var c = 0; c < 3; c++)
                d = Math.Max(d, Math.Abs(a[r, c] - b[r, c]));
        return d;
    }

    [Fact]
    public void RecoversAKnownRotationAndTranslation()
    {
        var rng = new Random(1);
        for (var trial = 0; trial < 200; trial++)
        {
            var n = 3 + trial % 20;
            var a = Enumerable.Range(0, n).Select(_ => Geometry.RandomVector(rng, 3)).ToArray();
            var rotate = Geometry.RandomRotation(rng);
            var t = Geometry.RandomVector(rng, 10);
            var b = a.Select(p => rotate(p) + t).ToArray();
            var weights = trial % 2 == 0 ? [] : a.Select(_ => 0.1 + rng.NextDouble()).ToArray();

            var (rotation, translation, rmsd) = Kabsch.Fit(a, b, weights);

            Assert.True(MaxDifference(rotation, MatrixOf(rotate)) < 1e-12, $"rotation off by {MaxDifference(rotation, MatrixOf(rotate))}");
            Assert.True((translation - t).Norm < 1e-12, $"translation off by {(translation - t).Norm}");
            Assert.True(rmsd < 1e-12, $"rmsd {rmsd}");
            Assert.Equal(1.0, Determinant(rotation), 12);
        }
    }

    [Fact]
    public void MirrorImageNeedsImproperRotation()
    {
        var rng = new Random(2);
        for (var trial = 0; trial < 50; trial++)
        {
            var a = Enumerable.Range(0, 8).Select(_ => Geometry.RandomVector(rng, 2)).ToArray();
            var rotate = Geometry.RandomRotation(rng);
            var b = a.Select(p => rotate(new Vec3(-p.X, p.Y, p.Z))).ToArray();

            var proper = Kabsch.Fit(a, b);
            var improper = Kabsch.Fit(a, b, allowImproper: true);

            Assert.Equal(1.0, Determinant(proper.Rotation), 12);
            Assert.True(proper.Rmsd > 0.1, $"a proper rotation fits a random mirror image to {proper.Rmsd}");
            Assert.Equal(-1.0, Determinant(improper.Rotation), 12);
            Assert.True(improper.Rmsd < 1e-12, $"improper rmsd {improper.Rmsd}");
        }
    }

    [Fact]
    public void CoplanarPointsGetAProperRotationEvenWhenImproperIsAllowed()
    {
        // A planar set and its mirror image in its own plane are related by a rotation too.
        var rng = new Random(3);
        var a = Enumerable.Range(0, 6).Select(_ => new Vec3(Geometry.Gaussian(rng), Geometry.Gaussian(rng), 0)).ToArray();
        var rotate = Geometry.RandomRotation(rng);
        var b = a.Select(p => rotate(new Vec3(p.X, p.Y, -p.Z))).ToArray();
        var fit = Kabsch.Fit(a, b, allowImproper: true);
        Assert.Equal(1.0, Determinant(fit.Rotation), 12);
        Assert.True(fit.Rmsd < 1e-12, $"rmsd {fit.Rmsd}");
    }

    [Fact]
    public void RmsdOfANoisyFitMatchesTheResiduals()
    {
        // Minimal: no other rotation does better, and the reported value is the residual of the returned fit.
        var rng = new Random(4);
        var a = Enumerable.Range(0, 10).Select(_ => Geometry.RandomVector(rng, 2)).ToArray();
        var rotate = Geometry.RandomRotation(rng);
        var b = a.Select(p => rotate(p) + Geometry.RandomVector(rng, 0.05)).ToArray();
        var (rotation, translation, rmsd) = Kabsch.Fit(a, b);
        var residual = Math.Sqrt(a.Select((p, i) => (Apply(rotation, p) + translation - b[i]).Norm2).Average());
        Assert.Equal(residual, rmsd, 14);
        Assert.InRange(rmsd, 0.01, 0.1);
        for (var trial = 0; trial < 200; trial++)
        {
            var nudge = Geometry.RandomRotation(new Random(trial));
            var nudged = MatrixOf(v => Apply(rotation, nudge(v)));
            var ca = a.Aggregate(Vec3.Zero, (s, p) => s + p) / a.Length;
            var cb = b.Aggregate(Vec3.Zero, (s, p) => s + p) / b.Length;
            var other = Math.Sqrt(a.Select((p, i) => (Apply(nudged, p - ca) + cb - b[i]).Norm2).Average());
            Assert.True(other >= rmsd - 1e-15);
        }
    }

    [Theory]
    [InlineData(1e-3)]
    [InlineData(1e-6)]
    [InlineData(1e-8)] // HCN in QM7 is this straight: the turn about the line is invisible in H's singular values
    public void NearlyCollinearAndNearlyCoplanarPointsFitToRounding(double offset)
    {
        var rng = new Random(8);
        for (var trial = 0; trial < 50; trial++)
        {
            var n = 3 + trial % 6;
            var line = Enumerable.Range(0, n).Select(k => new Vec3(1.2 * k, offset * Geometry.Gaussian(rng), offset * Geometry.Gaussian(rng))).ToArray();
            var plane = Enumerable.Range(0, n).Select(k => new Vec3(Geometry.Gaussian(rng), Geometry.Gaussian(rng), offset * Geometry.Gaussian(rng))).ToArray();
            foreach (var a in new[] { line, plane })
            {
                var rotate = Geometry.RandomRotation(rng);
                var b = a.Select(p => rotate(p) + new Vec3(3, -2, 1)).ToArray();
                var mirrored = a.Select(p => rotate(Mirror(p))).ToArray();
                foreach (var improper in new[] { false, true })
                {
                    var fit = Kabsch.Fit(a, b, allowImproper: improper);
                    Assert.True(fit.Rmsd < 1e-13, $"offset {offset}, improper {improper}: rmsd {fit.Rmsd}");
                    Assert.Equal(1.0, Determinant(fit.Rotation), 12);
                }
                // A mirror image is within about the offset of a rotation of the points; the reflection fits exactly.
                var reflected = Kabsch.Fit(a, mirrored, allowImproper: true);
                Assert.True(reflected.Rmsd < 1e-13, $"offset {offset}: mirrored rmsd {reflected.Rmsd}");
            }
        }
    }

    private static Vec3 Mirror(Vec3 v) => new(v.X, -v.Y, v.Z);

    [Fact]
    public void SingularValueDecompositionOfDegenerateMatrices()
    {
        var rng = new Random(9);
        for (var trial = 0; trial < 400; trial++)
        {
            var rank = trial % 4;
            // A sum of `rank` random outer products, sometimes with equal singular values.
            var m = new double[3, 3];
            for (var k = 0; k < rank; k++)
            {
                Vec3 x = Geometry.RandomVector(rng, 1), y = Geometry.RandomVector(rng, 1);
                for (var r = 0; r < 3; r++)
                    for (var c = 0; c < 3; c++)
                        m[r, c] += x[r] * y[c];
            }
            if (trial % 10 == 7) m = MatrixOf(Geometry.RandomRotation(rng)); // three equal singular values
            var a = Matrix3.FromArray(m);
            var (u, sigma, v) = Kabsch.Svd(a);
            var scale = Math.Max(sigma.X, 1e-300);
            Assert.True(sigma.X >= sigma.Y && sigma.Y >= sigma.Z && sigma.Z >= 0, $"{sigma}");
            var back = u * new Matrix3(sigma.X, 0, 0, 0, sigma.Y, 0, 0, 0, sigma.Z) * v.Transpose();
            Assert.True(MaxDifference(back.ToArray(), m) <= 1e-14 * scale, $"rank {rank}: U S V^T off by {MaxDifference(back.ToArray(), m)}");
            Assert.True(MaxDifference((u.Transpose() * u).ToArray(), Matrix3.Identity.ToArray()) < 1e-14);
            Assert.True(MaxDifference((v.Transpose() * v).ToArray(), Matrix3.Identity.ToArray()) < 1e-14);
            if (rank < 3 && trial % 10 != 7) Assert.True(sigma.Z < 1e-14 * scale, $"rank {rank}: sigma3 {sigma.Z}");
        }
    }

    [Fact]
    public void RejectsMismatchedInput()
    {
        Assert.Throws<ArgumentException>(() => Kabsch.Fit(new Vec3[3], new Vec3[2]));
        Assert.Throws<ArgumentException>(() => Kabsch.Fit(new Vec3[0], new Vec3[0]));
        Assert.Throws<ArgumentException>(() => Kabsch.Fit(new Vec3[2], new Vec3[2], new double[] { 1 }));
        Assert.Throws<ArgumentException>(() => Kabsch.Fit(new Vec3[2], new Vec3[2], new double[] { 1, -1 }));
        Assert.Throws<ArgumentException>(() => Kabsch.Fit([new Vec3(double.NaN, 0, 0)], [Vec3.Zero]));
    }
}
