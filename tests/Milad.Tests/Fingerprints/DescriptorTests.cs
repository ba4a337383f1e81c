using Xunit.Abstractions;
using Milad.Fingerprints;
using Milad.Invariants;
using Milad.Structures;

namespace Milad.Tests.Fingerprints;

public class DescriptorTests(ITestOutputHelper output)
{
    private static readonly Descriptor Paper = new(Presets.Get("paper"));

    /// <summary>
    /// Largest |a - b| over invariants, relative to each invariant's rounding scale: the sum of the absolute
    /// values of its terms, evaluated on sum_p |w_p Z(x_p)| (see Descriptor.MomentMagnitudes). Unlike |I|, this
    /// scale stays meaningful for invariants that vanish by symmetry (pseudoscalars of a centrosymmetric site).
    /// </summary>
    internal static double RelativeChange(Descriptor d, double[] a, double[] b, double[] scale)
    {
        var worst = 0.0;
        for (var q = 0; q < a.Length; q++) worst = Math.Max(worst, Math.Abs(a[q] - b[q]) / scale[q]);
        return worst;
    }

    internal static double[] Scale(Descriptor d, Structure molecule)
    {
        var s = new double[d.Length];
        d.Invariants.EvaluateMagnitudes(d.MomentMagnitudes(molecule), s);
        return s;
    }

    internal static double[][] EnvironmentScales(Descriptor d, Structure crystal) =>
        d.EnvironmentMomentMagnitudes(crystal).Select(m =>
        {
            var s = new double[d.Length];
            d.Invariants.EvaluateMagnitudes(m, s);
            return s;
        }).ToArray();

    [Fact]
    public void MoleculeFingerprintIsInvariantToRotationPermutationTranslation()
    {
        var rng = new Random(1);
        var molecule = Geometry.RandomCluster(rng, 14, 3.5);
        var reference = Paper.Encode(molecule).Values;
        var scale = Scale(Paper, molecule);
        var worst = 0.0;
        for (var trial = 0; trial < 100; trial++)
        {
            var moved = Geometry.Transform(molecule, Geometry.RandomRotation(rng), Geometry.RandomPermutation(rng, molecule.Count), Geometry.RandomVector(rng, 10));
            worst = Math.Max(worst, RelativeChange(Paper, reference, Paper.Encode(moved).Values, scale));
        }
        output.WriteLine($"worst relative change {worst:E2}");
        Assert.True(worst < 1e-10, $"worst relative change {worst}");
    }

    [Fact]
    public void InversionKeepsScalarsAndFlipsPseudoscalars()
    {
        var rng = new Random(2);
        var molecule = Geometry.RandomCluster(rng, 10, 3);
        var a = Paper.Encode(molecule).Values;
        var b = Paper.Encode(Geometry.Transform(molecule, v => -v)).Values;
        var scale = Scale(Paper, molecule);
        var flipped = 0;
        for (var q = 0; q < a.Length; q++)
        {
            var pseudo = Paper.Invariants.Invariants[q].Kind == InvariantKind.Pseudoscalar;
            var expected = pseudo ? -a[q] : a[q];
            Assert.True(Math.Abs(b[q] - expected) <= 1e-12 * scale[q], $"invariant {q}");
            if (pseudo && Math.Abs(a[q]) > 1e-6 * scale[q]) flipped++;
        }
        Assert.True(flipped > 50, $"only {flipped} pseudoscalars are clearly nonzero");
    }

    [Fact]
    public void EnantiomersHaveDifferentFingerprints()
    {
        // Bromochlorofluoromethane, CHFClBr: a tetrahedral carbon with four different substituents.
        var s = 1 / Math.Sqrt(3);
        var r = new[] { 1.09, 1.35, 1.76, 1.93 };
        var dirs = new Vec3[] { new(s, s, s), new(s, -s, -s), new(-s, s, -s), new(-s, -s, s) };
        var molecule = new Structure([6, 1, 9, 17, 35], new[] { Vec3.Zero }.Concat(dirs.Select((d, i) => r[i] * d)).ToArray());
        var mirror = Geometry.Transform(molecule, v => new Vec3(-v.X, v.Y, v.Z));
        var a = Paper.Encode(molecule).Values;
        var b = Paper.Encode(mirror).Values;
        var difference = RelativeChange(Paper, a, b, Scale(Paper, molecule));
        // Rotations change an invariant by < 1e-10 of its rounding scale; the mirror image changes some by ~7e-6,
        // 70,000 times more.
        Assert.True(difference > 1e-6, $"mirror images differ by only {difference} of an invariant's scale");
        // ... and a rotation of the same hand does not change it.
        var rotated = Geometry.Transform(molecule, Geometry.RandomRotation(new Random(4)));
        var c = Paper.Encode(rotated).Values;
        Assert.True(RelativeChange(Paper, a, c, Scale(Paper, molecule)) < 1e-10);
    }

    [Fact]
    public void MoleculeJacobianMatchesCentralDifferences()
    {
        var rng = new Random(7);
        var molecule = Geometry.RandomCluster(rng, 9, 3);
        var d = new Descriptor(Presets.Get("paper") with { NMax = 8 });
        AssertJacobian(d, molecule, s => d.Encode(s, true), s => d.Encode(s).Values);
    }

    [Fact]
    public void EnvironmentJacobianMatchesCentralDifferencesWithImagesOfTheCentre()
    {
        // A small triclinic cell: the 5 A cutoff holds many images of every atom, the centre's included.
        var cell = new Cell(new Vec3(3.1, 0, 0), new Vec3(0.9, 2.8, 0), new Vec3(0.4, -0.6, 3.3));
        var crystal = new Structure([26, 26, 6], [new Vec3(0.1, 0.2, 0.1), new Vec3(1.6, 1.5, 1.7), new Vec3(2.2, 0.3, 2.4)], cell);
        var d = new Descriptor(Presets.Get("paper", "environments"));
        Assert.Contains(NeighbourList.Build(crystal, 5).Of(0).ToArray(), nb => nb.Index == 0);
        for (var centre = 0; centre < crystal.Count; centre++)
        {
            var c = centre;
            AssertJacobian(d, crystal, s => d.EncodeEnvironments(s, true)[c], s => d.EncodeEnvironments(s)[c].Values);
        }
    }

    private void AssertJacobian(Descriptor d, Structure s, Func<Structure, Fingerprint> withJacobian, Func<Structure, double[]> values)
    {
        var f = withJacobian(s);
        var n = s.Count;
        var worst = 0.0;
        const double h = 1e-5;
        for (var atom = 0; atom < n; atom++)
            for (var axis = 0; axis < 3; axis++)
            {
                var step = new Vec3(axis == 0 ? h : 0, axis == 1 ? h : 0, axis == 2 ? h : 0);
                var plus = values(Displace(s, atom, step));
                var minus = values(Displace(s, atom, -step));
                for (var q = 0; q < d.Length; q++)
                {
                    var fd = (plus[q] - minus[q]) / (2 * h);
                    var exact = f.Derivative(q, atom, axis);
                    // Relative to the size of that invariant's gradient row (an entry can be ~0 by symmetry).
                    var rowScale = 0.0;
                    for (var c = 0; c < 3 * n; c++) rowScale = Math.Max(rowScale, Math.Abs(f.Jacobian![q * 3 * n + c]));
                    worst = Math.Max(worst, Math.Abs(fd - exact) / (rowScale + 1e-12));
                }
            }
        output.WriteLine($"Jacobian vs central differences (h = 1e-5 A): worst relative error {worst:E2}");
        Assert.True(worst < 1e-6, $"worst relative error {worst}");
    }

    private static Structure Displace(Structure s, int atom, Vec3 step)
    {
        var p = s.Positions.ToArray();
        p[atom] += step;
        return new Structure(s.AtomicNumbers, p, s.Cell);
    }

    [Fact]
    public void CrystalEnvironmentsAreInvariantAndPermuteWithTheAtoms()
    {
        var rng = new Random(11);
        var cell = new Cell(new Vec3(4.2, 0, 0), new Vec3(1.1, 3.9, 0), new Vec3(-0.7, 0.5, 4.4));
        var atoms = 6;
        var crystal = new Structure(Enumerable.Range(0, atoms).Select(i => i % 2 == 0 ? 42 : 28).ToArray(),
            Enumerable.Range(0, atoms).Select(_ => cell.ToCartesian(new Vec3(rng.NextDouble(), rng.NextDouble(), rng.NextDouble()))).ToArray(), cell);
        var d = new Descriptor(Presets.Get("paper", "environments"));
        var reference = d.EncodeEnvironments(crystal);
        var scales = EnvironmentScales(d, crystal);
        var worst = 0.0;
        for (var trial = 0; trial < 100; trial++)
        {
            var perm = Geometry.RandomPermutation(rng, atoms);
            var moved = Geometry.Transform(crystal, Geometry.RandomRotation(rng), perm, Geometry.RandomVector(rng, 20));
            var got = d.EncodeEnvironments(moved);
            for (var k = 0; k < atoms; k++)
                worst = Math.Max(worst, RelativeChange(d, reference[perm[k]].Values, got[k].Values, scales[perm[k]]));
        }
        output.WriteLine($"worst relative change {worst:E2}");
        Assert.True(worst < 1e-10, $"worst relative change {worst}");
    }

    [Fact]
    public void SupercellGivesTheSameEnvironments()
    {
        var cell = new Cell(new Vec3(2.9, 0, 0), new Vec3(0.6, 3.1, 0), new Vec3(0.3, 0.4, 2.7));
        var crystal = new Structure([13, 29], [new Vec3(0.2, 0.1, 0.3), new Vec3(1.7, 1.4, 1.2)], cell);
        var super = new List<Vec3>();
        var species = new List<int>();
        var shifts = new List<int>();
        for (var a = 0; a < 2; a++)
            for (var b = 0; b < 3; b++)
                for (var c = 0; c < 1; c++)
                    for (var i = 0; i < crystal.Count; i++)
                    {
                        super.Add(crystal.Positions[i] + a * cell.A + b * cell.B + c * cell.C);
                        species.Add(crystal.AtomicNumbers[i]);
                        shifts.Add(i);
                    }
        var supercell = new Structure(species, super, new Cell(2 * cell.A, 3 * cell.B, cell.C));
        var d = new Descriptor(Presets.Get("paper", "environments"));
        var small = d.EncodeEnvironments(crystal);
        var big = d.EncodeEnvironments(supercell);
        var scales = EnvironmentScales(d, crystal);
        for (var k = 0; k < supercell.Count; k++)
        {
            var change = RelativeChange(d, small[shifts[k]].Values, big[k].Values, scales[shifts[k]]);
            Assert.True(change < 1e-10, $"atom {k}: relative change {change}");
        }
    }

    [Fact]
    public void AtomCrossingTheCutoffChangesTheFingerprintContinuously()
    {
        var d = new Descriptor(Presets.Get("paper", "environments") with { Cutoff = 4.0 });
        var cell = new Cell(new Vec3(30, 0, 0), new Vec3(0, 30, 0), new Vec3(0, 0, 30));
        double[] At(double r) => d.EncodeEnvironments(new Structure([14, 14, 14],
            [new Vec3(10, 10, 10), new Vec3(11.5, 10.8, 10.2), new Vec3(10, 10, 10) + r * new Vec3(0.48, 0.6, 0.64)], cell))[0].Values;
        var inside = At(4.0 - 1e-4);
        var outside = At(4.0 + 1e-4);
        var norm = inside.Max(Math.Abs);
        var jump = inside.Zip(outside, (a, b) => Math.Abs(a - b)).Max();
        // The cosine cutoff is quadratic at rc: a step of 1e-4 A changes the weight by ~(pi/2 * 1e-4/4)^2 ~ 1.5e-9.
        Assert.True(jump < 1e-8 * norm, $"jump {jump} across the cutoff (norm {norm})");
        // ... while the atom well inside does contribute.
        var further = At(3.0);
        Assert.True(further.Zip(inside, (a, b) => Math.Abs(a - b)).Max() > 1e-4 * norm);
    }

    [Fact]
    public void BadSettingsAndStructuresAreInputErrors()
    {
        Assert.Throws<InputException>(() => new Descriptor(new DescriptorSettings { NMax = -1 }));
        Assert.Throws<InputException>(() => new Descriptor(new DescriptorSettings { Cutoff = 0 }));
        Assert.Throws<InputException>(() => new Descriptor(new DescriptorSettings { Cutoff = double.NaN }));
        var d = new Descriptor(Presets.Get("paper"));
        Assert.Throws<InputException>(() => d.Encode(new Structure([1, 1], [Vec3.Zero, new Vec3(double.NaN, 0, 0)])));
        Assert.Throws<InputException>(() => d.Encode(new Structure([1, 1], [Vec3.Zero, Vec3.Zero])));
        Assert.Throws<InputException>(() => d.Encode(new Structure([1, 1], [Vec3.Zero, new Vec3(20, 0, 0)])));
        var weighted = new Descriptor(new DescriptorSettings { Weights = new Dictionary<string, double> { ["H"] = 1 } });
        Assert.Throws<InputException>(() => weighted.Encode(new Structure([1, 6], [Vec3.Zero, new Vec3(1, 0, 0)])));
        var env = new Descriptor(Presets.Get("paper", "environments"));
        var lonely = new Structure([1, 1], [Vec3.Zero, new Vec3(9, 0, 0)], new Cell(new Vec3(20, 0, 0), new Vec3(0, 20, 0), new Vec3(0, 0, 20)));
        var e = Assert.Throws<InputException>(() => env.EncodeEnvironments(lonely));
        Assert.Contains("no neighbours", e.Message);
    }
}
