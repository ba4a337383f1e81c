using Xunit.Abstractions;
using Milad.Alignment;
using Milad.IO;
using Milad.Structures;

namespace Milad.Tests.Alignment;

public class StructureAlignmentTests(ITestOutputHelper output)
{
    /// <summary>The RMSD recomputed from the returned permutation, rotation and translation.</summary>
    private static double Recomputed(Structure reference, Structure candidate, AlignmentResult r) =>
        Math.Sqrt(Enumerable.Range(0, reference.Count)
            .Average(i => (r.Apply(candidate.Positions[r.Permutation[i]]) - reference.Positions[i]).Norm2));

    private static int[] Inverse(int[] order)
    {
        var inverse = new int[order.Length];
        for (var k = 0; k < order.Length; k++) inverse[order[k]] = k;
        return inverse;
    }

    private static Vec3 Mirror(Vec3 v) => new(-v.X, v.Y, v.Z);

    /// <summary>Checks an exact copy aligns to rounding error and the result is self-consistent.</summary>
    private static AlignmentResult AssertExact(Structure reference, Structure candidate, bool allowReflection, bool matchSpecies, string what)
    {
        var r = StructureAlignment.Align(reference, candidate, allowReflection, matchSpecies);
        Assert.True(r.Rmsd < 1e-9, $"{what}: rmsd {r.Rmsd}");
        Assert.True(r.CountsMatch && r.SpeciesMatch, what);
        Assert.Equal(Enumerable.Range(0, reference.Count), r.Permutation.Order());
        Assert.Equal(r.Rmsd, Recomputed(reference, candidate, r), 12);
        Assert.Equal(r.Reflected ? -1.0 : 1.0, KabschTests.Determinant(r.Rotation), 12);
        return r;
    }

    [Fact]
    public void RandomClustersRotatedPermutedTranslated()
    {
        var rng = new Random(11);
        for (var n = 3; n <= 30; n++)
            for (var trial = 0; trial < 10; trial++)
            {
                var reference = Geometry.RandomCluster(rng, n, 1.0 + 0.5 * Math.Cbrt(n));
                var order = Geometry.RandomPermutation(rng, n);
                var candidate = Geometry.Transform(reference, Geometry.RandomRotation(rng), order, Geometry.RandomVector(rng, 10));
                foreach (var matchSpecies in new[] { true, false })
                {
                    var r = AssertExact(reference, candidate, allowReflection: trial % 2 == 0, matchSpecies, $"n={n} trial={trial}");
                    Assert.Equal(Inverse(order), r.Permutation);
                    Assert.False(r.Reflected);
                }
            }
    }

    [Fact]
    public void MirrorImageAlignsOnlyWhenReflectionIsAllowed()
    {
        var rng = new Random(12);
        var worstProper = double.PositiveInfinity;
        for (var trial = 0; trial < 100; trial++)
        {
            var n = 4 + trial % 20;
            var reference = Geometry.RandomCluster(rng, n, 1.0 + 0.5 * Math.Cbrt(n));
            var rotate = Geometry.RandomRotation(rng);
            var order = Geometry.RandomPermutation(rng, n);
            var candidate = Geometry.Transform(reference, v => rotate(Mirror(v)), order, Geometry.RandomVector(rng, 5));

            var r = AssertExact(reference, candidate, allowReflection: true, matchSpecies: true, $"trial {trial}");
            Assert.True(r.Reflected);
            Assert.Equal(Inverse(order), r.Permutation);

            var proper = StructureAlignment.Align(reference, candidate, allowReflection: false);
            Assert.False(proper.Reflected);
            Assert.Equal(1.0, KabschTests.Determinant(proper.Rotation), 12);
            worstProper = Math.Min(worstProper, proper.Rmsd);
        }
        output.WriteLine($"smallest proper RMSD of a mirrored random cluster: {worstProper:F3} A");
        Assert.True(worstProper > 0.01, $"a random cluster fits its mirror image to {worstProper}");
    }

    [Fact]
    public void ChiralMoleculeAndItsEnantiomer()
    {
        var all = ExtendedXyz.Read(Path.Combine(TestData.RepositoryRoot, "examples", "molecules.xyz")).ToList();
        var (r, s) = (all[9], all[10]); // bromochlorofluoromethane R and S
        var rng = new Random(13);
        var moved = Geometry.Transform(s, Geometry.RandomRotation(rng), Geometry.RandomPermutation(rng, s.Count));
        var proper = StructureAlignment.Align(r, moved);
        Assert.True(proper.Rmsd > 0.1, $"R fits S to {proper.Rmsd}");
        Assert.True(proper.SpeciesMatch);
        var improper = AssertExact(r, moved, allowReflection: true, matchSpecies: true, "R/S");
        Assert.True(improper.Reflected);
    }

    /// <summary>Symmetric molecules and clusters (name, structure): the principal axes do not fix their orientation.</summary>
    public static IEnumerable<(string Name, Structure Molecule)> SymmetricMolecules()
    {
        var examples = ExtendedXyz.Read(Path.Combine(TestData.RepositoryRoot, "examples", "molecules.xyz")).ToList();
        foreach (var (m, i) in examples.Select((m, i) => (m, i))) yield return ($"example {i} {m.Formula}", m);

        var t = 0.63;
        yield return ("methane", new Structure([6, 1, 1, 1, 1],
            [Vec3.Zero, new(t, t, t), new(t, -t, -t), new(-t, t, -t), new(-t, -t, t)]));
        var ring = Enumerable.Range(0, 6).Select(k => (Math.Cos(k * Math.PI / 3), Math.Sin(k * Math.PI / 3))).ToArray();
        yield return ("benzene", new Structure([6, 6, 6, 6, 6, 6, 1, 1, 1, 1, 1, 1],
            ring.Select(c => new Vec3(1.39 * c.Item1, 1.39 * c.Item2, 0))
                .Concat(ring.Select(c => new Vec3(2.47 * c.Item1, 2.47 * c.Item2, 0))).ToArray()));
        yield return ("SF6", new Structure([16, 9, 9, 9, 9, 9, 9],
            [Vec3.Zero, new(1.56, 0, 0), new(-1.56, 0, 0), new(0, 1.56, 0), new(0, -1.56, 0), new(0, 0, 1.56), new(0, 0, -1.56)]));
        yield return ("linear chain", new Structure([6, 6, 6, 6, 6, 6], Enumerable.Range(0, 6).Select(k => new Vec3(1.3 * k, 0, 0)).ToArray()));
        yield return ("symmetric linear", new Structure([8, 6, 8], [new(-1.16, 0, 0), Vec3.Zero, new(1.16, 0, 0)]));
        var cube = Enumerable.Range(0, 8).Select(k => new Vec3((k & 1) * 2 - 1, (k >> 1 & 1) * 2 - 1, (k >> 2) * 2 - 1)).ToArray();
        yield return ("cube", new Structure(new int[8].Select(_ => 29).ToArray(), cube));
        // Icosahedron: cyclic permutations of (0, +-1, +-phi), plus its centre.
        var phi = (1 + Math.Sqrt(5)) / 2;
        var ico = new List<Vec3> { Vec3.Zero };
        foreach (var a in new[] { -1.0, 1.0 })
            foreach (var b in new[] { -phi, phi })
            {
                ico.Add(new Vec3(0, a, b));
                ico.Add(new Vec3(a, b, 0));
                ico.Add(new Vec3(b, 0, a));
            }
        yield return ("icosahedron", new Structure(ico.Select(_ => 79).ToArray(), ico));
        // A square antiprism of one species: a symmetric top with a 4-fold (8-fold improper) axis.
        yield return ("square antiprism", new Structure(new int[8].Select(_ => 13).ToArray(),
            Enumerable.Range(0, 8).Select(k => new Vec3(1.5 * Math.Cos(k * Math.PI / 4), 1.5 * Math.Sin(k * Math.PI / 4), k % 2 == 0 ? 0.8 : -0.8)).ToArray()));
    }

    [Fact]
    public void SymmetricMoleculesRotatedPermuted()
    {
        var rng = new Random(14);
        foreach (var (name, molecule) in SymmetricMolecules())
            for (var trial = 0; trial < 30; trial++)
            {
                var rotate = Geometry.RandomRotation(rng);
                var reflect = trial % 3 == 2;
                var candidate = Geometry.Transform(molecule, reflect ? v => rotate(Mirror(v)) : rotate,
                    Geometry.RandomPermutation(rng, molecule.Count), Geometry.RandomVector(rng, 5));
                // Every molecule here except the chiral one is its own mirror image up to rotation.
                var allow = reflect && name.Contains("Br");
                AssertExact(molecule, candidate, allowReflection: allow || trial % 2 == 0, matchSpecies: true, $"{name} trial {trial}");
                AssertExact(molecule, candidate, allowReflection: allow || trial % 2 == 0, matchSpecies: false, $"{name} by position, trial {trial}");
            }
    }

    [Fact]
    public void NoisyCopyAlignsToTheNoiseLevel()
    {
        const double noise = 0.005;
        var molecules = ExtendedXyz.Read(TestData.File("molecules", "qm9_derived_985.xyz")).Take(20)
            .Concat(SymmetricMolecules().Select(m => m.Molecule)).ToList();
        var rng = new Random(15);
        double lowest = double.PositiveInfinity, highest = 0;
        foreach (var molecule in molecules)
        {
            // Each atom moves exactly `noise` A, so the unmoved pairing already has RMSD = noise.
            var noisy = new Structure(molecule.AtomicNumbers,
                molecule.Positions.Select(p => p + noise * Geometry.RandomVector(rng, 1) switch { var d => d / d.Norm }).ToArray());
            var candidate = Geometry.Transform(noisy, Geometry.RandomRotation(rng), Geometry.RandomPermutation(rng, molecule.Count), Geometry.RandomVector(rng, 5));
            var r = StructureAlignment.Align(molecule, candidate);
            Assert.Equal(r.Rmsd, Recomputed(molecule, candidate, r), 12);
            Assert.True(r.Rmsd <= noise + 1e-12, $"{molecule.Formula}: rmsd {r.Rmsd} above the noise");
            Assert.True(r.Rmsd > 0.001, $"{molecule.Formula}: rmsd {r.Rmsd}");
            lowest = Math.Min(lowest, r.Rmsd);
            highest = Math.Max(highest, r.Rmsd);
        }
        output.WriteLine($"RMSD of {molecules.Count} copies with every atom moved {noise} A: {lowest:F5} to {highest:F5} A");
    }

    [Fact]
    public void WrongSpeciesOnOneAtom()
    {
        var rng = new Random(16);
        foreach (var molecule in ExtendedXyz.Read(TestData.File("molecules", "qm9_derived_985.xyz")).Take(10))
        {
            var species = (int[])molecule.AtomicNumbers.Clone();
            var changed = rng.Next(species.Length);
            species[changed] = species[changed] == 1 ? 9 : 1;
            var wrong = new Structure(species, molecule.Positions);
            var order = Geometry.RandomPermutation(rng, molecule.Count);
            var candidate = Geometry.Transform(wrong, Geometry.RandomRotation(rng), order);
            foreach (var matchSpecies in new[] { true, false })
            {
                // The species multisets differ, so both modes pair by position: the right atoms, one wrong species.
                var r = StructureAlignment.Align(molecule, candidate, matchSpecies: matchSpecies);
                Assert.True(r.Rmsd < 1e-9, $"rmsd {r.Rmsd}");
                Assert.False(r.SpeciesMatch);
                Assert.True(r.CountsMatch);
                Assert.Equal(Inverse(order), r.Permutation);
            }
        }
    }

    [Fact]
    public void SwappedSpeciesSeparateTheTwoScores()
    {
        // Same species multiset, two atoms of different species exchanged: pairing by species cannot be exact,
        // pairing by position is exact but pairs unlike species ("positions_ok").
        var rng = new Random(17);
        foreach (var molecule in ExtendedXyz.Read(TestData.File("molecules", "qm9_derived_985.xyz")).Skip(10).Take(10))
        {
            var species = (int[])molecule.AtomicNumbers.Clone();
            var h = Array.IndexOf(species, 1);
            var heavy = Array.FindIndex(species, z => z != 1);
            (species[h], species[heavy]) = (species[heavy], species[h]);
            var candidate = Geometry.Transform(new Structure(species, molecule.Positions), Geometry.RandomRotation(rng), Geometry.RandomPermutation(rng, molecule.Count));

            var bySpecies = StructureAlignment.Align(molecule, candidate, matchSpecies: true);
            Assert.True(bySpecies.SpeciesMatch);
            Assert.True(bySpecies.Rmsd > 0.01, $"rmsd {bySpecies.Rmsd}");
            var byPosition = StructureAlignment.Align(molecule, candidate, matchSpecies: false);
            Assert.False(byPosition.SpeciesMatch);
            Assert.True(byPosition.Rmsd < 1e-9, $"rmsd {byPosition.Rmsd}");
        }
    }

    [Fact]
    public void DifferentCountsGiveInfiniteRmsd()
    {
        var rng = new Random(18);
        var a = Geometry.RandomCluster(rng, 6, 2);
        var b = Geometry.RandomCluster(rng, 7, 2);
        foreach (var matchSpecies in new[] { true, false })
        {
            var r = StructureAlignment.Align(a, b, allowReflection: true, matchSpecies);
            Assert.True(double.IsPositiveInfinity(r.Rmsd));
            Assert.False(r.CountsMatch);
            Assert.False(r.SpeciesMatch);
            Assert.Empty(r.Permutation);
        }
        var empty = new Structure([], []);
        Assert.True(double.IsPositiveInfinity(StructureAlignment.Align(empty, a).Rmsd));
        Assert.Equal(0.0, StructureAlignment.Align(empty, new Structure([], [])).Rmsd);
        var one = StructureAlignment.Align(new Structure([8], [new(1, 2, 3)]), new Structure([8], [new(-4, 0, 1)]));
        Assert.Equal(0.0, one.Rmsd, 15);
        Assert.Equal([0], one.Permutation);
    }

    [Fact]
    public void NonFinitePositionGivesInfiniteRmsdAndPeriodicThrows()
    {
        var rng = new Random(19);
        var a = Geometry.RandomCluster(rng, 5, 2);
        var broken = new Structure(a.AtomicNumbers, a.Positions.Select((p, i) => i == 2 ? new Vec3(double.NaN, 0, 0) : p).ToArray());
        var r = StructureAlignment.Align(a, broken);
        Assert.True(double.IsPositiveInfinity(r.Rmsd));
        Assert.True(r.CountsMatch);
        var crystal = new Structure(a.AtomicNumbers, a.Positions, new Cell(new Vec3(9, 0, 0), new Vec3(0, 9, 0), new Vec3(0, 0, 9)));
        Assert.Throws<ArgumentException>(() => StructureAlignment.Align(a, crystal));
    }

    [Fact]
    public void RealMoleculesRotatedPermuted()
    {
        var molecules = ExtendedXyz.Read(TestData.File("molecules", "qm9_derived_985.xyz")).ToList();
        var rng = new Random(20);
        var chosen = Enumerable.Range(0, 50).Select(k => molecules[k * molecules.Count / 50]).ToList();
        foreach (var (molecule, index) in chosen.Select((m, i) => (m, i)))
        {
            var rotate = Geometry.RandomRotation(rng);
            var order = Geometry.RandomPermutation(rng, molecule.Count);
            var candidate = Geometry.Transform(molecule, rotate, order, Geometry.RandomVector(rng, 10));
            var r = AssertExact(molecule, candidate, allowReflection: false, matchSpecies: true, $"{molecule.Formula} #{index}");
            Assert.Equal(Inverse(order), r.Permutation);
            AssertExact(molecule, candidate, allowReflection: true, matchSpecies: false, $"{molecule.Formula} #{index} by position");
            var mirrored = Geometry.Transform(molecule, v => rotate(Mirror(v)), order);
            var m = AssertExact(molecule, mirrored, allowReflection: true, matchSpecies: true, $"{molecule.Formula} #{index} mirrored");
            Assert.Equal(Inverse(order), m.Permutation);
        }
    }

    [Theory]
    [InlineData("qm9_first100.xyz", 1)]
    [InlineData("qm9_derived_985.xyz", 3)]
    [InlineData("qm7_even.xyz", 10)]
    public void SharedMoleculesMirroredAndRotated(string file, int stride)
    {
        // Near-linear (HCN), near-planar and near-symmetric molecules among them test the rounding-level cases.
        var molecules = ExtendedXyz.Read(TestData.File("molecules", file)).Where((_, i) => i % stride == 0).ToList();
        var rng = new Random(file.Length);
        var worst = 0.0;
        foreach (var molecule in molecules)
        {
            var rotate = Geometry.RandomRotation(rng);
            var mirrored = Geometry.Transform(molecule, v => rotate(Mirror(v)), Geometry.RandomPermutation(rng, molecule.Count), Geometry.RandomVector(rng, 3));
            var rotated = Geometry.Transform(molecule, rotate, Geometry.RandomPermutation(rng, molecule.Count));
            worst = Math.Max(worst, StructureAlignment.Align(molecule, mirrored, allowReflection: true).Rmsd);
            worst = Math.Max(worst, StructureAlignment.Align(molecule, rotated, allowReflection: false, matchSpecies: false).Rmsd);
        }
        output.WriteLine($"{molecules.Count} molecules of {file}: worst RMSD {worst:E2} A");
        Assert.True(worst < 1e-9, $"worst RMSD {worst}");
    }
}
