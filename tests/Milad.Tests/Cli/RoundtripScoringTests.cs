using Milad.Cli;
using Milad.Decoding;
using Milad.Structures;

namespace Milad.Tests.Cli;

/// <summary>Scoring and summary of `milad roundtrip` on made-up decoder results (no decoding, so exact and fast).</summary>
public class RoundtripScoringTests
{
    // A chiral molecule (CHFClBr-like, no symmetry), so a mirror image is a different structure.
    private static readonly Structure Chiral = new([6, 1, 9, 17, 35],
        [new Vec3(0.1, 0, 0.05), new Vec3(0.6, 0.9, 0.2), new Vec3(1.3, -0.4, 0), new Vec3(-0.7, -1.3, 0.3), new Vec3(-1.1, 0.9, -1.4)]);

    private static MoleculeInput Input(Structure s) => new(4, "in.xyz", 2, s, []);

    private static DecodeResult Decoded(Structure s, bool decoded = true) => new(s, decoded, decoded ? "pencil (degree 3)" : "not decodable: residual 0.1", decoded ? 1e-12 : 0.1, 0.5);

    private static Structure Moved(Structure s, bool mirror = false, int[]? order = null)
    {
        var rotate = Geometry.RandomRotation(new Random(5));
        return Geometry.Transform(s, v => rotate(mirror ? new Vec3(-v.X, v.Y, v.Z) : v), order ?? [3, 0, 4, 1, 2], new Vec3(2, -1, 0.5));
    }

    [Fact]
    public void RotatedPermutedCopyIsASuccess()
    {
        var r = RoundtripResult.Score(Input(Chiral), Decoded(Moved(Chiral)), allowReflection: false);
        Assert.True(r.PositionsOk);
        Assert.True(r.SpeciesOk);
        Assert.True(r.Rmsd < 1e-9);
        Assert.Null(r.Reason);
        Assert.Equal((4L, "in.xyz", 2, 5, "CHBrClF"), (r.Index, r.File, r.Frame, r.NAtoms, r.Formula));
        Assert.Equal("pencil (degree 3)", r.Route);
    }

    [Fact]
    public void MirrorImageCountsOnlyWhenTheFingerprintCannotTellIt()
    {
        var mirror = Moved(Chiral, mirror: true);
        var strict = RoundtripResult.Score(Input(Chiral), Decoded(mirror), allowReflection: false);
        Assert.False(strict.PositionsOk);
        Assert.Contains("positions off", strict.Reason);
        var lenient = RoundtripResult.Score(Input(Chiral), Decoded(mirror), allowReflection: true);
        Assert.True(lenient.SpeciesOk);
        Assert.True(lenient.Reflected);
    }

    [Fact]
    public void SwappedSpeciesArePositionsOnly()
    {
        var swapped = Moved(Chiral);
        var z = swapped.AtomicNumbers;
        (z[0], z[1]) = (z[1], z[0]); // the same species multiset, on the wrong atoms
        var r = RoundtripResult.Score(Input(Chiral), Decoded(swapped), allowReflection: false);
        Assert.True(r.PositionsOk);
        Assert.False(r.SpeciesOk);
        Assert.Contains("species on the wrong atoms", r.Reason);

        var wrong = Moved(Chiral);
        wrong.AtomicNumbers[Array.IndexOf(wrong.AtomicNumbers, 35)] = 53; // Br -> I
        r = RoundtripResult.Score(Input(Chiral), Decoded(wrong), allowReflection: false);
        Assert.True(r.PositionsOk);
        Assert.False(r.SpeciesOk);
        Assert.Contains("species wrong (CHClFI for CHBrClF)", r.Reason);
        Assert.True(double.IsPositiveInfinity(r.SpeciesRmsd));
    }

    [Fact]
    public void WrongCountNothingDecodedAndUnconfirmedSuccess()
    {
        var fewer = new Structure(Chiral.AtomicNumbers[..4], Chiral.Positions[..4]);
        var r = RoundtripResult.Score(Input(Chiral), Decoded(fewer, decoded: false), allowReflection: false);
        Assert.False(r.PositionsOk);
        Assert.True(double.IsPositiveInfinity(r.Rmsd));
        Assert.StartsWith("4 atoms (CHClF) for 5 (CHBrClF); not decodable", r.Reason);
        Assert.Equal(4, r.DecodedNAtoms);

        r = RoundtripResult.Score(Input(Chiral), new DecodeResult(null, false, "no candidate atoms", double.PositiveInfinity, 2), allowReflection: false);
        Assert.Equal("no candidate atoms", r.Reason);
        Assert.Null(r.DecodedNAtoms);

        // Success is judged on the atoms: right atoms the decoder did not confirm still count, with a note.
        r = RoundtripResult.Score(Input(Chiral), Decoded(Moved(Chiral), decoded: false), allowReflection: false);
        Assert.True(r.SpeciesOk);
        Assert.StartsWith("right atoms, but the decoder did not confirm them", r.Reason);
    }

    [Fact]
    public void SummaryBySizeAndQuantiles()
    {
        RoundtripResult Result(int natoms, bool positions, bool species, double seconds) => new(
            0, "f", 0, natoms, "X", 0, 0, positions, species, false, species, 0, seconds, (long)(100 * seconds), natoms, "X", null, null);
        var results = new[]
        {
            Result(5, true, true, 1), Result(3, true, false, 2), Result(5, false, false, 3), Result(5, true, true, 4),
        };
        var s = RoundtripSummary.Of(results);
        Assert.Equal(4, s.Molecules);
        Assert.Equal(0.75, s.PositionsSuccessRate);
        Assert.Equal(0.5, s.SpeciesSuccessRate);
        Assert.Equal(2.5, s.MedianSeconds);
        Assert.Equal(3.85, s.P95Seconds, 12); // numpy.percentile([1, 2, 3, 4], 95)
        Assert.Equal(4, s.MaxSeconds);
        Assert.Equal(250, s.MedianWork);
        Assert.Equal([3, 5], s.BySize.Select(b => b.NAtoms));
        Assert.Equal(new RoundtripSummary.Size(5, 3, 2 / 3.0, 2 / 3.0, 3), s.BySize[1]);
        Assert.Equal(7, Statistics.Median([7]));
        Assert.True(double.IsNaN(Statistics.Median([])));
    }
}
