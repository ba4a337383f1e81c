using System.Diagnostics;
using Xunit.Abstractions;
using Milad.Alignment;
using Milad.IO;
using Milad.Structures;

namespace Milad.Tests.Alignment;

/// <summary>Runs alone, so other test classes do not share its cores while it measures.</summary>
[CollectionDefinition(nameof(AlignmentTimingTests), DisableParallelization = true)]
public class AlignmentTimingCollection;

[Collection(nameof(AlignmentTimingTests))]
public class AlignmentTimingTests(ITestOutputHelper output)
{
    [Fact]
    public void TimingOnTheLargestMolecules()
    {
        // The file's largest molecules (25 and 27 atoms) and 29-atom random H/C/N/O clusters of about the same density.
        var rng = new Random(21);
        var largest = ExtendedXyz.Read(TestData.File("molecules", "qm9_derived_985.xyz")).Where(s => s.Count >= 25).Take(20).ToList();
        var clusters = Enumerable.Range(0, 20).Select(_ => Geometry.RandomCluster(rng, 29, 3.2, 1.0)).ToList();
        var worst = 0.0;
        foreach (var (name, molecules) in new[] { ("QM9, 25-27 atoms", largest), ("clusters, 29 atoms", clusters) })
        {
            var exact = molecules.Select(m => Geometry.Transform(m, Geometry.RandomRotation(rng), Geometry.RandomPermutation(rng, m.Count))).ToList();
            var noisy = exact.Select(m => new Structure(m.AtomicNumbers, m.Positions.Select(p => p + Geometry.RandomVector(rng, 0.05)).ToArray())).ToList();
            // Warm up past tiered compilation (tier 1 arrives ~100 ms after a method gets hot).
            for (var clock = Stopwatch.StartNew(); clock.ElapsedMilliseconds < 400;)
                for (var i = 0; i < molecules.Count; i++) StructureAlignment.Align(molecules[i], noisy[i], true);

            // Median of 5 repeats of the mean over the molecules: the machine is shared.
            double Milliseconds(List<Structure> candidates, bool allowReflection) => Enumerable.Range(0, 5).Select(_ =>
            {
                var clock = Stopwatch.StartNew();
                for (var round = 0; round < 5; round++)
                    for (var i = 0; i < molecules.Count; i++)
                        StructureAlignment.Align(molecules[i], candidates[i], allowReflection);
                return clock.Elapsed.TotalMilliseconds / (5 * molecules.Count);
            }).Order().ElementAt(2);

            foreach (var (what, candidates, reflection) in new[]
            {
                ("exact copy", exact, false), ("exact copy, reflection allowed", exact, true),
                ("0.05 A noise", noisy, false), ("0.05 A noise, reflection allowed", noisy, true),
            })
            {
                var ms = Milliseconds(candidates, reflection);
                output.WriteLine($"{name}, {what}: {ms * 1000:F0} us per alignment");
                worst = Math.Max(worst, ms);
            }
        }
        // The target is 2 ms; the bound leaves room for a busy shared machine, the figures above are the measurement.
        Assert.True(worst < 10, $"slowest case {worst} ms per alignment");
    }
}
