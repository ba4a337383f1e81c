using Milad.Fingerprints;
using Milad.Potentials;
using Milad.Structures;
using Xunit.Abstractions;

namespace Milad.Tests.Potentials;

/// <summary>The descriptor side of the potentials: local Jacobians and energy + forces + virial by back-propagation.</summary>
public class DescriptorBackpropTests(ITestOutputHelper output)
{
    private static readonly Descriptor Small = new(PotentialTestData.Small);

    [Fact]
    public void LocalJacobiansEqualTheFullJacobians()
    {
        foreach (var s in new[] { PotentialTestData.NearCutoffCell(4.5), PotentialTestData.Mo(1).Frames[0] })
        {
            var full = Small.EncodeEnvironments(s, withJacobian: true);
            var local = Small.EncodeLocal(s);
            var n = s.Count;
            for (var i = 0; i < n; i++)
            {
                Assert.Equal(full[i].Values, local[i].Values);
                var atoms = local[i].Atoms;
                Assert.Equal(atoms.Distinct().Order(), atoms);    // distinct and ascending
                Assert.Contains(i, atoms);
                var k3 = 3 * atoms.Length;
                for (var q = 0; q < Small.Length; q++)
                    for (var j = 0; j < n; j++)
                        for (var a = 0; a < 3; a++)
                        {
                            var c = Array.IndexOf(atoms, j);
                            var expected = full[i].Derivative(q, j, a);
                            var got = c < 0 ? 0 : local[i].Jacobian[q * k3 + 3 * c + a];
                            Assert.True(Math.Abs(expected - got) <= 1e-12 * (1 + Math.Abs(expected)), $"env {i} q {q} atom {j}: {got} vs {expected}");
                        }
            }
        }
    }

    /// <summary>A smooth nonlinear atomic energy of the fingerprint, different for every atom, to back-propagate.</summary>
    private static double Model(int atom, ReadOnlySpan<double> fp, Span<double> gradient)
    {
        double e = 0;
        for (var q = 0; q < fp.Length; q++)
        {
            var c = 1e-3 * Math.Sin(q + atom);
            e += c * fp[q] + 1e-4 * Math.Cos(q) * fp[q] * fp[q] * 1e-3;
            if (!gradient.IsEmpty) gradient[q] = c + 2e-7 * Math.Cos(q) * fp[q];
        }
        return e;
    }

    [Fact]
    public void ForcesAreMinusTheGradientOfTheEnergyNearTheCutoff()
    {
        var s = PotentialTestData.NearCutoffCell(PotentialTestData.Small.Cutoff);
        var forces = new Vec3[s.Count];
        var virial = new double[9];
        var energy = Small.EnvironmentEnergyAndForces(s, Model, forces, virial);
        Assert.Equal(Small.EnvironmentEnergy(s, Model), energy, 12);
        var fd = FiniteDifferenceForces(s, x => Small.EnvironmentEnergy(x, Model));
        var scale = forces.Max(f => Math.Max(Math.Abs(f.X), Math.Max(Math.Abs(f.Y), Math.Abs(f.Z))));
        var worst = 0.0;
        for (var i = 0; i < s.Count; i++)
            for (var a = 0; a < 3; a++) worst = Math.Max(worst, Math.Abs(forces[i][a] - fd[i][a]) / scale);
        output.WriteLine($"forces vs -dE/dx by central differences: worst error {worst:E2} of the largest force {scale:G3}");
        Assert.True(scale > 1e-3, "the test structure must have forces");
        Assert.True(worst < 1e-6, $"worst {worst}");
    }

    [Fact]
    public void VirialIsTheStrainDerivativeOfTheEnergy()
    {
        var s = PotentialTestData.NearCutoffCell(PotentialTestData.Small.Cutoff);
        var forces = new Vec3[s.Count];
        var virial = new double[9];
        Small.EnvironmentEnergyAndForces(s, Model, forces, virial);
        var worst = 0.0;
        var scale = virial.Max(Math.Abs);
        const double h = 1e-6;
        for (var a = 0; a < 3; a++)
            for (var b = 0; b < 3; b++)
            {
                double Strained(double e) => Small.EnvironmentEnergy(Strain(s, a, b, e), Model);
                var fd = (Strained(h) - Strained(-h)) / (2 * h);
                worst = Math.Max(worst, Math.Abs(fd - virial[3 * a + b]) / scale);
            }
        output.WriteLine($"virial vs strain derivative: worst error {worst:E2} of {scale:G3}");
        Assert.True(worst < 1e-6, $"worst {worst}");
    }

    /// <summary>x -> (1 + e E_ab) x for positions and cell vectors: E(strained) - E has derivative sum d_a dE/dd_b.</summary>
    internal static Structure Strain(Structure s, int a, int b, double e)
    {
        Vec3 Map(Vec3 v)
        {
            var c = new[] { v.X, v.Y, v.Z };
            c[a] += e * v[b];
            return new Vec3(c[0], c[1], c[2]);
        }
        return WithArrays(new Structure(s.AtomicNumbers, s.Positions.Select(Map).ToArray(), s.Cell!.Transform(Map)), s);
    }

    /// <summary>The per-atom columns of <paramref name="from"/> (e.g. magnetic moments) on a moved copy.</summary>
    private static Structure WithArrays(Structure moved, Structure from)
    {
        foreach (var (key, value) in from.Arrays) moved.Arrays[key] = value;
        return moved;
    }

    /// <summary>
    /// How far a potential's forces and stress on <paramref name="s"/> are from central differences of its energy:
    /// the worst force-component and stress-component errors relative to the largest of each, and those largest values.
    /// </summary>
    internal static (double Force, double ForceScale, double Stress, double StressScale) DerivativeErrors(Potential potential, Structure s)
    {
        var p = potential.Predict(s);
        var fd = FiniteDifferenceForces(s, potential.PredictEnergy);
        var forceScale = p.Forces.Max(f => Math.Max(Math.Abs(f.X), Math.Max(Math.Abs(f.Y), Math.Abs(f.Z))));
        var force = 0.0;
        for (var i = 0; i < s.Count; i++)
            for (var a = 0; a < 3; a++) force = Math.Max(force, Math.Abs(p.Forces[i][a] - fd[i][a]) / forceScale);
        var stressScale = p.Stress!.Max(Math.Abs);
        var stress = FiniteDifferenceStress(s, potential.PredictEnergy).Zip(p.Stress!).Max(x => Math.Abs(x.First - x.Second)) / stressScale;
        return (force, forceScale, stress, stressScale);
    }

    /// <summary>The stress (row-major 3 x 3, eV/A^3) as central differences of the energy under strain (h = 1e-6) over the volume.</summary>
    internal static double[] FiniteDifferenceStress(Structure s, Func<Structure, double> energy)
    {
        const double h = 1e-6;
        var volume = Math.Abs(s.Cell!.Volume);
        var stress = new double[9];
        for (var a = 0; a < 3; a++)
            for (var b = 0; b < 3; b++)
                stress[3 * a + b] = (energy(Strain(s, a, b, h)) - energy(Strain(s, a, b, -h))) / (2 * h) / volume;
        return stress;
    }

    /// <summary>-dE/dx_i by central differences (h = 1e-5 A).</summary>
    internal static Vec3[] FiniteDifferenceForces(Structure s, Func<Structure, double> energy)
    {
        const double h = 1e-5;
        var result = new Vec3[s.Count];
        for (var i = 0; i < s.Count; i++)
        {
            var f = new double[3];
            for (var a = 0; a < 3; a++)
            {
                var plus = s.Positions.ToArray();
                var minus = s.Positions.ToArray();
                var d = new Vec3(a == 0 ? h : 0, a == 1 ? h : 0, a == 2 ? h : 0);
                plus[i] += d; minus[i] -= d;
                f[a] = -(energy(WithArrays(new Structure(s.AtomicNumbers, plus, s.Cell), s)) - energy(WithArrays(new Structure(s.AtomicNumbers, minus, s.Cell), s))) / (2 * h);
            }
            result[i] = new Vec3(f[0], f[1], f[2]);
        }
        return result;
    }
}

public class DotProductKernelTests
{
    [Theory]
    [InlineData(9, 7, 21)]
    [InlineData(4, 4, 8)]
    [InlineData(13, 18, 3)]
    [InlineData(1, 5, 40)]
    public void MatchesNaiveDotProducts(int rows, int columns, int k)
    {
        var random = new Random(rows * 100 + columns);
        var a = Enumerable.Range(0, rows * k).Select(_ => random.NextDouble() - 0.5).ToArray();
        var b = Enumerable.Range(0, columns * k).Select(_ => random.NextDouble() - 0.5).ToArray();
        var c = new double[rows * columns];
        DotProductKernel.MultiplyTransposed(a, rows, b, columns, k, c);
        for (var i = 0; i < rows; i++)
            for (var j = 0; j < columns; j++)
            {
                double expected = 0;
                for (var t = 0; t < k; t++) expected += a[i * k + t] * b[j * k + t];
                Assert.Equal(expected, c[i * columns + j], 12);
            }
    }
}
