using Milad.IO;
using Milad.Structures;

namespace Milad.Tests.IO;

/// <summary>Every file of ../shared/data reads, with the frame and atom counts of data/README.md.</summary>
public class SharedDataTests
{
    [Theory]
    [InlineData("qm9_first100.xyz", 100, 3, 17)]
    [InlineData("qm9_derived_985.xyz", 985, 10, 27)]
    [InlineData("qm7_even.xyz", 3549, 4, 23)]
    public void Molecules(string file, int frames, int minAtoms, int maxAtoms)
    {
        var all = ExtendedXyz.Read(TestData.File("molecules", file)).ToList();
        Assert.Equal(frames, all.Count);
        Assert.Equal(minAtoms, all.Min(s => s.Count));
        Assert.Equal(maxAtoms, all.Max(s => s.Count));
        Assert.All(all, s =>
        {
            Assert.False(s.IsPeriodic);
            Assert.Null(s.Forces);
            Assert.All(s.AtomicNumbers, z => Assert.Contains(z, new[] { 1, 6, 7, 8, 16 }));
            Assert.Empty(s.Arrays);
        });
    }

    [Fact]
    public void Qm9KeepsItsProperties()
    {
        var first = ExtendedXyz.Read(TestData.File("molecules", "qm9_first100.xyz")).First();
        // Methane, the first QM9 molecule.
        Assert.Equal("CH4", first.Formula);
        Assert.Equal(-40.47893, (double)first.Info["U0"], 12);
        Assert.Equal(157.7118, (double)first.Info["A"], 12);
        Assert.Equal(35.3641, (double)first.Info["<R2>"], 12);
        Assert.Equal(0L, first.Info["mu"]); // written "mu=0": an integer, as ASE reads it
        Assert.Equal(15, first.Info.Count);
        Assert.Null(first.Cell); // pbc="F F F" and no Lattice
        Assert.Equal(new Vec3(-0.01269814, 1.08580416, 0.00800100), first.Positions[0]);
        Assert.Equal(new Vec3(-0.52381363, 1.43793264, 0.90639729), first.Positions[4]);
    }

    [Fact]
    public void Qm9DerivedHasABoxWithoutPeriodicity()
    {
        var first = ExtendedXyz.Read(TestData.File("molecules", "qm9_derived_985.xyz")).First();
        Assert.NotNull(first.Cell);
        Assert.False(first.IsPeriodic);
        Assert.Equal(14.0 * 14.0 * 14.0, first.Cell!.Volume, 9);
        Assert.Equal(-4.254828570313568, (double)first.Info["dft_formation_energy_per_atom_in_eV"], 15);
        Assert.Equal(-1.0, (double)first.Info["cutoff"]);
    }

    [Theory]
    [InlineData("Ni", 263, 31, 27420, 3158)]
    [InlineData("Cu", 262, 31, 27416, 3178)]
    [InlineData("Li", 241, 29, 11576, 1320)]
    [InlineData("Mo", 194, 23, 10087, 1189)]
    [InlineData("Si", 214, 25, 13233, 1525)]
    [InlineData("Ge", 228, 25, 14072, 1568)]
    public void Mlearn(string element, int trainFrames, int testFrames, int trainAtoms, int testAtoms)
    {
        var z = Elements.AtomicNumber(element);
        foreach (var (part, frames, atoms) in new[] { ("train", trainFrames, trainAtoms), ("test", testFrames, testAtoms) })
        {
            var all = ExtendedXyz.Read(TestData.File("mlearn", $"{element}_{part}.xyz")).ToList();
            Assert.Equal(frames, all.Count);
            Assert.Equal(atoms, all.Sum(s => s.Count));
            Assert.All(all, s =>
            {
                Assert.True(s.IsPeriodic);
                Assert.Equal(new[] { true, true, true }, s.Cell!.Pbc);
                Assert.True(s.Cell.Volume > 0);
                Assert.NotNull(s.Energy);
                Assert.Equal(s.Count, s.Forces!.Length);
                Assert.All(s.AtomicNumbers, x => Assert.Equal(z, x));
                // force is consumed; momenta, masses and Z are kept in order.
                Assert.Equal(new[] { "momenta", "masses", "Z" }, s.Arrays.Keys);
                Assert.All(s.Arrays["Z"], a => Assert.Equal((long)z, ((long[])a)[0]));
                Assert.Empty(s.Info);
            });
        }
    }

    [Fact]
    public void MlearnFirstFrameValues()
    {
        var s = ExtendedXyz.Read(TestData.File("mlearn", "Mo_train.xyz")).First();
        Assert.Equal(53, s.Count);
        Assert.Equal(-569.56177802, s.Energy!.Value, 10);
        Assert.Equal(9.450121 * 9.450121 * 9.450121, s.Cell!.Volume, 8);
        Assert.Equal(new Vec3(9.40451472, 9.40474152, 3.10470495), s.Positions[0]);
        Assert.Equal(new Vec3(0.62737967, 0.61553514, 0.50337361), s.Forces![0]);
        Assert.Equal(95.95, ((double[])s.Arrays["masses"][0])[0], 12);
        Assert.Equal(3, s.Arrays["momenta"][0].Length);
    }

    [Fact]
    public void Fe()
    {
        // data/README.md says 2265/252 frames; the files hold 2269/248 (2517 in all either way).
        var train = ExtendedXyz.Read(TestData.File("fe", "fe_train.xyz")).ToList();
        var test = ExtendedXyz.Read(TestData.File("fe", "fe_test.xyz")).ToList();
        Assert.Equal(2517, train.Count + test.Count);
        Assert.Equal(2269, train.Count);
        Assert.Equal(248, test.Count);
        Assert.Equal(56820, train.Sum(s => s.Count));
        Assert.Equal(6112, test.Sum(s => s.Count));
        foreach (var s in train.Concat(test))
        {
            Assert.True(s.IsPeriodic);
            Assert.All(s.AtomicNumbers, z => Assert.Equal(26, z));
            Assert.Equal(s.Count, s.Forces!.Length);
            Assert.Equal(9, ((double[])s.Info["stress_kbar"]).Length);
            Assert.IsType<string>(s.Info["config_type"]);
            // Mostly integers, but some are like "10_1": those stay strings (Python's int() would read 101).
            Assert.True(s.Info["source_config"] is long or string);
            Assert.Equal(new[] { "magmom" }, s.Arrays.Keys);
            Assert.Equal(s.Count, s.Arrays["magmom"].Length);
        }
        var groups = train.GroupBy(s => (string)s.Info["config_type"]).ToDictionary(g => g.Key, g => g.Select(s => s.Count).Distinct().Order().ToArray());
        Assert.Equal(new[] { 128 }, groups["MD-bcc_Te300K"]);
        Assert.Equal(new[] { 54 }, groups["EOS_100"]);
        Assert.Equal(new[] { 2 }, groups["BCC-HCP-transition"]);
        Assert.Equal(new[] { 100 }, groups["liquid_nonmag"]);
        Assert.All(groups["point_def"], n => Assert.InRange(n, 126, 132));

        Assert.Contains(train, s => s.Info["source_config"] is "10_1");
        Assert.Equal(1L, train[0].Info["source_config"]);

        var first = train[0];
        Assert.Equal(-15.75141667, first.Energy!.Value, 10);
        Assert.Equal(142.242030, ((double[])first.Info["stress_kbar"])[0], 10);
        Assert.Equal(473.509880, ((double[])first.Info["stress_kbar"])[4], 10);
        Assert.Equal(1.815191, ((double[])first.Arrays["magmom"][1])[0], 12);
        Assert.Equal(new Vec3(-1.21620100, -0.00021300, -0.00036900), first.Forces![1]);
        Assert.Equal(new Vec3(2.3703465462, 0, 0), first.Cell!.A);
        Assert.Equal(new Vec3(0, 0, 3.8707597256), first.Cell.C);
    }
}
