using Milad.Fingerprints;
using Milad.IO;
using Milad.Potentials;
using Milad.Structures;

namespace Milad.Tests.Potentials;

/// <summary>Small real training sets and settings that keep the potential tests at a few seconds.</summary>
internal static class PotentialTestData
{
    /// <summary>n_max 4, compact: 20 invariants.</summary>
    public static DescriptorSettings Small { get; } = new() { NMax = 4, InvariantSet = "compact", Cutoff = 4.5 };

    private static readonly Lazy<List<Structure>> MoTrain = new(() => StructureFiles.Read(TestData.File("mlearn", "Mo_train.xyz")).ToList());

    /// <summary>Frames of Mo_train.xyz chosen to be small (fewer than 60 atoms), in file order.</summary>
    public static TrainingSet Mo(int frames) =>
        new("Mo_train.xyz", MoTrain.Value.Where(s => s.Count < 60).Take(frames).Select(Copy).ToList());

    public static Structure Copy(Structure s)
    {
        var c = new Structure(s.AtomicNumbers, s.Positions, s.Cell) { Energy = s.Energy, Forces = s.Forces?.ToArray() };
        return c;
    }

    /// <summary>
    /// A 2-atom bcc Mo cell, sheared, with the second atom moved off its site, and scaled so that one image of
    /// the second atom sits 0.01 A inside <paramref name="cutoff"/> of the first: the smooth cutoff is exercised
    /// where it bends most, and every atom sees many periodic images of itself and of the other.
    /// </summary>
    public static Structure NearCutoffCell(double cutoff)
    {
        var a = 3.16;
        var cell = new Cell(new Vec3(a, 0.05, 0), new Vec3(0.1, a, 0), new Vec3(0, -0.07, a));
        var positions = new[] { new Vec3(0.02, -0.03, 0.01), new Vec3(0.5 * a + 0.11, 0.5 * a - 0.06, 0.5 * a + 0.04) };
        var best = 0.0;
        for (var i = -3; i <= 3; i++)
            for (var j = -3; j <= 3; j++)
                for (var k = -3; k <= 3; k++)
                {
                    var d = (positions[1] + i * cell.A + j * cell.B + k * cell.C - positions[0]).Norm;
                    if (d < cutoff && d > best) best = d;
                }
        var scale = (cutoff - 0.01) / best;
        var scaled = cell.Transform(v => scale * v);
        return new Structure([42, 42], positions.Select(p => scale * p).ToArray(), scaled);
    }
}
