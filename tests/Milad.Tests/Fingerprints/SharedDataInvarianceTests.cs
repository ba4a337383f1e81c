using Xunit.Abstractions;
using Milad.Fingerprints;
using Milad.IO;
using Milad.Structures;

namespace Milad.Tests.Fingerprints;

/// <summary>Invariance on the real structures of ../shared/data, with the default (n_max 11) descriptor.</summary>
public class SharedDataInvarianceTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("qm9_first100.xyz")]
    [InlineData("qm9_derived_985.xyz")]
    [InlineData("qm7_even.xyz")]
    public void MoleculesAreInvariantToRotationPermutationTranslation(string file)
    {
        var all = ExtendedXyz.Read(TestData.File("molecules", file)).ToList();
        // The largest molecule, the smallest and one from the middle of the file.
        var chosen = new[] { all.MaxBy(s => s.Count)!, all.MinBy(s => s.Count)!, all[all.Count / 2] };
        var d = new Descriptor(Presets.Get("default"));
        var rng = new Random(file.Length);
        var worst = 0.0;
        foreach (var molecule in chosen)
        {
            var reference = d.Encode(molecule).Values;
            var scale = DescriptorTests.Scale(d, molecule);
            for (var trial = 0; trial < 100; trial++)
            {
                var moved = Geometry.Transform(molecule, Geometry.RandomRotation(rng), Geometry.RandomPermutation(rng, molecule.Count), Geometry.RandomVector(rng, 10));
                worst = Math.Max(worst, DescriptorTests.RelativeChange(d, reference, d.Encode(moved).Values, scale));
            }
        }
        output.WriteLine($"worst relative change {worst:E2}");
        Assert.True(worst < 1e-10, $"worst relative change {worst}");
    }

    [Theory]
    [InlineData("mlearn", "Mo_test.xyz", 0, 10)]
    [InlineData("mlearn", "Si_test.xyz", 3, 10)]
    [InlineData("fe", "fe_train.xyz", -1, 100)] // a 2-atom BCC-HCP cell: many images of every atom
    public void CrystalEnvironmentsAreInvariantWithTheCellRotated(string folder, string file, int frame, int trials)
    {
        var frames = ExtendedXyz.Read(TestData.File(folder, file));
        var crystal = frame >= 0 ? frames.ElementAt(frame) : frames.First(s => s.Count == 2);
        var d = new Descriptor(Presets.Get("default", "environments"));
        var reference = d.EncodeEnvironments(crystal);
        var scales = DescriptorTests.EnvironmentScales(d, crystal);
        var rng = new Random(frame + 7);
        var worst = 0.0;
        for (var trial = 0; trial < trials; trial++)
        {
            var perm = Geometry.RandomPermutation(rng, crystal.Count);
            var moved = Geometry.Transform(crystal, Geometry.RandomRotation(rng), perm, Geometry.RandomVector(rng, 20));
            var got = d.EncodeEnvironments(moved);
            for (var k = 0; k < crystal.Count; k++)
                worst = Math.Max(worst, DescriptorTests.RelativeChange(d, reference[perm[k]].Values, got[k].Values, scales[perm[k]]));
        }
        output.WriteLine($"worst relative change {worst:E2}");
        Assert.True(worst < 1e-10, $"worst relative change {worst}");
    }
}
