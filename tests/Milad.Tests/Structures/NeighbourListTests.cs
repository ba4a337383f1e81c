using Milad.Structures;

namespace Milad.Tests.Structures;

public class NeighbourListTests
{
    // ---- helpers ------------------------------------------------------------------------------

    /// <summary>Asserts the list equals brute force exactly: same (Index, Shift) sequence, displacements to 1e-12.</summary>
    internal static void AssertMatchesBruteForce(Structure s, double cutoff, NeighbourList? built = null)
    {
        var nl = built ?? NeighbourList.Build(s, cutoff);
        var reference = BruteForce.Neighbours(s, cutoff);
        Assert.Equal(s.Count, nl.AtomCount);
        Assert.Equal(cutoff, nl.Cutoff);
        for (int i = 0; i < s.Count; i++)
        {
            var got = nl.Of(i);
            var want = reference[i];
            Assert.True(want.Count == got.Length, $"atom {i}: {got.Length} neighbours, brute force {want.Count}");
            for (int k = 0; k < got.Length; k++)
            {
                var g = got[k];
                var w = want[k];
                Assert.True(g.Index == w.Index && g.ShiftA == w.ShiftA && g.ShiftB == w.ShiftB && g.ShiftC == w.ShiftC,
                    $"atom {i}, entry {k}: got {g.Index} ({g.ShiftA},{g.ShiftB},{g.ShiftC}), brute force {w.Index} ({w.ShiftA},{w.ShiftB},{w.ShiftC})");
                Assert.True((g.Displacement - w.Displacement).Norm <= 1e-12,
                    $"atom {i}, entry {k}: displacement {g.Displacement} vs {w.Displacement}");
            }
        }
    }

    private static Vec3 RandomUnit(Random rng)
    {
        while (true)
        {
            var v = new Vec3(2 * rng.NextDouble() - 1, 2 * rng.NextDouble() - 1, 2 * rng.NextDouble() - 1);
            if (v.Norm2 is > 0.01 and <= 1) return v / v.Norm;
        }
    }

    /// <summary>Rotation taking vectors about a random axis by a random angle (Rodrigues).</summary>
    private static Func<Vec3, Vec3> RandomRotation(Random rng)
    {
        var k = RandomUnit(rng);
        double t = 2 * Math.PI * rng.NextDouble(), cos = Math.Cos(t), sin = Math.Sin(t);
        return v => cos * v + sin * k.Cross(v) + (1 - cos) * k.Dot(v) * k;
    }

    /// <summary>A randomly oriented triclinic cell with lengths in [lmin, lmax] and angles in [40, 60] degrees.</summary>
    internal static Cell RandomSkewedCell(Random rng, double lmin, double lmax, bool pa = true, bool pb = true, bool pc = true)
    {
        while (true)
        {
            double la = lmin + (lmax - lmin) * rng.NextDouble(), lb = lmin + (lmax - lmin) * rng.NextDouble(), lc = lmin + (lmax - lmin) * rng.NextDouble();
            double al = (40 + 20 * rng.NextDouble()) * Math.PI / 180, be = (40 + 20 * rng.NextDouble()) * Math.PI / 180, ga = (40 + 20 * rng.NextDouble()) * Math.PI / 180;
            double cz2 = 1 - Math.Cos(al) * Math.Cos(al) - Math.Cos(be) * Math.Cos(be) - Math.Cos(ga) * Math.Cos(ga) + 2 * Math.Cos(al) * Math.Cos(be) * Math.Cos(ga);
            if (cz2 < 0.05) continue;
            var a = new Vec3(la, 0, 0);
            var b = new Vec3(lb * Math.Cos(ga), lb * Math.Sin(ga), 0);
            double cy = (Math.Cos(al) - Math.Cos(be) * Math.Cos(ga)) / Math.Sin(ga);
            var c = new Vec3(lc * Math.Cos(be), lc * cy, lc * Math.Sqrt(Math.Max(0, 1 - Math.Cos(be) * Math.Cos(be) - cy * cy)));
            var rot = RandomRotation(rng);
            return new Cell(rot(a), rot(b), rot(c), pa, pb, pc);
        }
    }

    /// <summary>Atoms at random fractional coordinates in [fmin, fmax) (outside the cell when beyond [0, 1)).</summary>
    internal static Structure RandomAtoms(Random rng, Cell cell, int count, double fmin = -1.5, double fmax = 2.5)
    {
        var positions = new Vec3[count];
        for (int i = 0; i < count; i++)
            positions[i] = cell.ToCartesian(new Vec3(
                fmin + (fmax - fmin) * rng.NextDouble(), fmin + (fmax - fmin) * rng.NextDouble(), fmin + (fmax - fmin) * rng.NextDouble()));
        return new Structure(Enumerable.Repeat(14, count).ToArray(), positions, cell);
    }

    // ---- periodic, triclinic ------------------------------------------------------------------------

    [Theory]
    [InlineData(1, 0.6)]
    [InlineData(2, 1.0)]
    [InlineData(3, 1.7)]
    [InlineData(4, 3.0)]
    [InlineData(5, 4.5)]
    public void SkewedTriclinicCellsMatchBruteForce(int seed, double cutoffOverLength)
    {
        var rng = new Random(seed);
        for (int rep = 0; rep < 3; rep++)
        {
            var cell = RandomSkewedCell(rng, 2.5, 4.0);
            var s = RandomAtoms(rng, cell, 4 + rng.Next(9));
            AssertMatchesBruteForce(s, cutoffOverLength * 3.2);
        }
    }

    [Fact]
    public void AtomsInsideTheCellAndOnItsFacesMatchBruteForce()
    {
        var rng = new Random(11);
        var cell = RandomSkewedCell(rng, 3, 5);
        var s = RandomAtoms(rng, cell, 20, 0, 1);
        // Atoms exactly on faces, edges and corners, and a hair inside or outside of them.
        var extra = new[] { new Vec3(0, 0, 0), new Vec3(1, 0, 0), new Vec3(1, 1, 1), new Vec3(0.5, 0, 1), new Vec3(-1e-17, 0.3, 0.7), new Vec3(1 - 1e-16, 0.2, -1e-16) }
            .Select(cell.ToCartesian);
        var t = new Structure(Enumerable.Repeat(6, 26).ToArray(), s.Positions.Concat(extra).ToArray(), cell);
        foreach (var cutoff in new[] { 1.0, 2.5, 4.0, 7.0 }) AssertMatchesBruteForce(t, cutoff);
    }

    [Fact]
    public void NonReducedCellMatchesBruteForce()
    {
        // Lattice vectors far from reduced: B and C are long and nearly parallel to A.
        var cell = new Cell(new Vec3(3, 0, 0), new Vec3(7.1, 2.9, 0), new Vec3(-5.8, 6.1, 2.7));
        var s = RandomAtoms(new Random(5), cell, 7, -2, 3);
        foreach (var cutoff in new[] { 1.5, 3.0, 6.0 }) AssertMatchesBruteForce(s, cutoff);
    }

    [Fact]
    public void OneAtomCellWithCutoffTenTimesTheCellSeesThousandsOfItsOwnImages()
    {
        var rng = new Random(7);
        var cell = RandomSkewedCell(rng, 2.0, 2.0);
        var s = new Structure([26], [cell.ToCartesian(new Vec3(3.3, -1.7, 0.4))], cell);
        double cutoff = 20.0;
        var nl = NeighbourList.Build(s, cutoff);
        var list = nl.Of(0);
        // Roughly the sphere volume over the cell volume, all of them images of atom 0.
        double expected = 4.0 / 3.0 * Math.PI * Math.Pow(cutoff, 3) / Math.Abs(cell.Volume);
        Assert.InRange(list.Length, 0.95 * expected, 1.05 * expected);
        Assert.True(list.Length > 2000);
        foreach (var nb in list)
        {
            Assert.Equal(0, nb.Index);
            Assert.False(nb.ShiftA == 0 && nb.ShiftB == 0 && nb.ShiftC == 0);
        }
        AssertMatchesBruteForce(s, cutoff, nl);
    }

    [Fact]
    public void OneAtomCubicCellHasTheSixNearestImages()
    {
        var cell = new Cell(new Vec3(2, 0, 0), new Vec3(0, 2, 0), new Vec3(0, 0, 2));
        var s = new Structure([1], [new Vec3(0.3, 0.2, 0.1)], cell);
        var list = NeighbourList.Build(s, 2.5).Of(0);
        Assert.Equal(6, list.Length);
        Assert.Equal((0, -1, 0, 0), (list[0].Index, list[0].ShiftA, list[0].ShiftB, list[0].ShiftC));
        Assert.True((list[2].Displacement - new Vec3(0, 0, -2)).Norm < 1e-13);
        Assert.True((list[3].Displacement - new Vec3(0, 0, 2)).Norm < 1e-13);
        Assert.True((list[5].Displacement - new Vec3(2, 0, 0)).Norm < 1e-13);
    }

    [Fact]
    public void DisplacementIsFromTheGivenPositionsWithTheShiftOfTheUnwrappedAtoms()
    {
        var cell = new Cell(new Vec3(4, 0, 0), new Vec3(1, 4, 0), new Vec3(0.5, 0.5, 4));
        // Atom 1 is 3 cells away along A and -2 along C; its nearest image to atom 0 needs shift (-3, 0, 2).
        var r0 = new Vec3(0.2, 0.1, 0.3);
        var r1 = r0 + new Vec3(1.0, 0, 0) + 3 * cell.A - 2 * cell.C;
        var s = new Structure([1, 1], [r0, r1], cell);
        var list = NeighbourList.Build(s, 1.5).Of(0);
        var nb = Assert.Single(list.ToArray());
        Assert.Equal((1, -3, 0, 2), (nb.Index, nb.ShiftA, nb.ShiftB, nb.ShiftC));
        Assert.True((nb.Displacement - new Vec3(1, 0, 0)).Norm < 1e-13);
        var back = Assert.Single(NeighbourList.Build(s, 1.5).Of(1).ToArray());
        Assert.Equal((0, 3, 0, -2), (back.Index, back.ShiftA, back.ShiftB, back.ShiftC));
    }

    [Fact]
    public void EveryPairAppearsFromBothSidesWithOppositeShift()
    {
        var rng = new Random(21);
        var cell = RandomSkewedCell(rng, 3, 4);
        var s = RandomAtoms(rng, cell, 30);
        var nl = NeighbourList.Build(s, 5.0);
        int total = 0;
        for (int i = 0; i < s.Count; i++)
            foreach (var nb in nl.Of(i))
            {
                total++;
                bool found = false;
                foreach (var back in nl.Of(nb.Index))
                    if (back.Index == i && back.ShiftA == -nb.ShiftA && back.ShiftB == -nb.ShiftB && back.ShiftC == -nb.ShiftC)
                    {
                        Assert.True((back.Displacement + nb.Displacement).Norm < 1e-12);
                        found = true;
                    }
                Assert.True(found);
            }
        Assert.True(total > 0);
    }

    // ---- partially periodic and isolated -----------------------------------------------------------

    [Theory]
    [InlineData(true, true, false)]
    [InlineData(true, false, true)]
    [InlineData(false, true, false)]
    [InlineData(false, false, true)]
    [InlineData(false, false, false)]
    public void PartiallyPeriodicCellsMatchBruteForce(bool pa, bool pb, bool pc)
    {
        var rng = new Random(31 + (pa ? 1 : 0) + (pb ? 2 : 0) + (pc ? 4 : 0));
        for (int rep = 0; rep < 3; rep++)
        {
            var cell = RandomSkewedCell(rng, 2.5, 4, pa, pb, pc);
            var s = RandomAtoms(rng, cell, 12, -1, 2);
            foreach (var cutoff in new[] { 1.5, 3.5, 9.0 }) AssertMatchesBruteForce(s, cutoff);
        }
    }

    [Fact]
    public void SlabWithZeroVectorInTheNonPeriodicDirectionMatchesBruteForce()
    {
        // ASE writes a zero third vector for 2D-periodic systems.
        var cell = new Cell(new Vec3(3, 0, 0), new Vec3(1.4, 2.6, 0), Vec3.Zero, true, true, false);
        var rng = new Random(3);
        var pos = Enumerable.Range(0, 10).Select(_ => new Vec3(10 * rng.NextDouble() - 3, 10 * rng.NextDouble() - 3, 6 * rng.NextDouble())).ToArray();
        var s = new Structure(Enumerable.Repeat(29, 10).ToArray(), pos, cell);
        foreach (var cutoff in new[] { 2.0, 7.0 }) AssertMatchesBruteForce(s, cutoff);
        // A flat slab: all atoms in one plane.
        var flat = new Structure([29, 29, 29], [new Vec3(0, 0, 1), new Vec3(1, 1, 1), new Vec3(2, 0.5, 1)], cell);
        AssertMatchesBruteForce(flat, 4.0);
    }

    [Fact]
    public void MoleculeWithoutCellMatchesBruteForce()
    {
        var rng = new Random(41);
        var pos = Enumerable.Range(0, 40).Select(_ => new Vec3(8 * rng.NextDouble(), 5 * rng.NextDouble(), 3 * rng.NextDouble()) + new Vec3(-100, 50, 7)).ToArray();
        var s = new Structure(Enumerable.Repeat(6, 40).ToArray(), pos);
        foreach (var cutoff in new[] { 0.5, 1.5, 3.0, 100.0 }) AssertMatchesBruteForce(s, cutoff);

        var line = new Structure([1, 1, 1], [new Vec3(0, 0, 0), new Vec3(0, 0, 1), new Vec3(0, 0, 2.5)]);
        var nl = NeighbourList.Build(line, 1.6);
        Assert.Equal([1], nl.Of(0).ToArray().Select(x => x.Index));
        Assert.Equal([0, 2], nl.Of(1).ToArray().Select(x => x.Index));
        AssertMatchesBruteForce(line, 3.0);
    }

    [Fact]
    public void SingleAtomAndEmptyStructures()
    {
        var one = NeighbourList.Build(new Structure([1], [new Vec3(1, 2, 3)]), 5);
        Assert.Equal(1, one.AtomCount);
        Assert.Equal(0, one.Of(0).Length);
        var none = NeighbourList.Build(new Structure([], []), 5);
        Assert.Equal(0, none.AtomCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => none.Of(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => one.Of(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => one.Of(-1));
    }

    // ---- bad input ------------------------------------------------------------------------------

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void NonPositiveOrNonFiniteCutoffIsRejected(double cutoff)
    {
        var s = new Structure([1, 1], [new Vec3(0, 0, 0), new Vec3(1, 0, 0)]);
        Assert.Throws<ArgumentOutOfRangeException>(() => NeighbourList.Build(s, cutoff));
    }

    [Fact]
    public void DegeneratePeriodicCellOrNonFinitePositionIsRejected()
    {
        var flat = new Cell(new Vec3(1, 0, 0), new Vec3(0, 1, 0), new Vec3(1, 1, 0));
        Assert.Throws<ArgumentException>(() => NeighbourList.Build(new Structure([1], [Vec3.Zero], flat), 2));
        var zero = new Cell(new Vec3(1, 0, 0), Vec3.Zero, new Vec3(0, 0, 1), true, true, false);
        Assert.Throws<ArgumentException>(() => NeighbourList.Build(new Structure([1], [Vec3.Zero], zero), 2));
        var cubic = new Cell(new Vec3(1, 0, 0), new Vec3(0, 1, 0), new Vec3(0, 0, 1));
        Assert.Throws<ArgumentException>(() => NeighbourList.Build(new Structure([1], [new Vec3(double.NaN, 0, 0)], cubic), 2));
    }

    // ---- size ---------------------------------------------------------------------------------------

    [Fact]
    public void LargeSkewedCellMatchesBruteForce()
    {
        // 128 atoms at solid density (about 12 A^3 per atom) with a 6.5 A cutoff: ~90 neighbours each.
        var rng = new Random(128);
        Cell cell;
        do cell = RandomSkewedCell(rng, 10, 14); while (Math.Abs(cell.Volume) is < 1300 or > 1800);
        var s = RandomAtoms(rng, cell, 128, 0, 1);
        AssertMatchesBruteForce(s, 6.5);
    }
}

/// <summary>Neighbour lists of real frames of ../shared/data against brute force.</summary>
public class NeighbourListSharedDataTests
{
    [Theory]
    [InlineData("mlearn", "Ni_test.xyz", 5.0)]
    [InlineData("mlearn", "Cu_test.xyz", 5.0)]
    [InlineData("mlearn", "Li_test.xyz", 5.0)]
    [InlineData("mlearn", "Mo_test.xyz", 5.0)]
    [InlineData("mlearn", "Si_test.xyz", 6.5)]
    [InlineData("mlearn", "Ge_test.xyz", 6.5)]
    [InlineData("fe", "fe_test.xyz", 5.0)]
    public void FirstFramesMatchBruteForce(string folder, string file, double cutoff)
    {
        foreach (var s in ExtendedXyzFrames(folder, file).Take(3))
            NeighbourListTests.AssertMatchesBruteForce(s, cutoff);
    }

    [Fact]
    public void FeCellsOfEverySizeMatchBruteForceWithALongCutoff()
    {
        // One frame of each atom count in the Fe training file (2-atom cells to 132-atom supercells), cutoff 7.5 Å.
        var frames = ExtendedXyzFrames("fe", "fe_train.xyz").GroupBy(s => s.Count).Select(g => g.First()).OrderBy(s => s.Count).ToList();
        Assert.True(frames.Count >= 5);
        foreach (var s in frames.Where(s => s.Count <= 60)) NeighbourListTests.AssertMatchesBruteForce(s, 7.5);
    }

    private static IEnumerable<Structure> ExtendedXyzFrames(string folder, string file) =>
        Milad.IO.ExtendedXyz.Read(TestData.File(folder, file));
}
