using Milad.IO;

namespace Milad.Tests.IO;

/// <summary>The cheap passes sharding uses: <see cref="StructureFiles.Scan"/> and reading after skipped frames.</summary>
public class StructureScanTests
{
    [Theory]
    [InlineData("molecules", "qm9_first100.xyz")]
    [InlineData("mlearn", "Mo_test.xyz")]
    [InlineData("mlearn-json/Mo", "test.json")]
    public void ScanAgreesWithAFullRead(string folder, string file)
    {
        var path = TestData.File(folder, file);
        var frames = StructureFiles.Read(path).ToList();
        var scanned = StructureFiles.Scan(path).ToList();
        Assert.Equal(frames.Select(s => new FrameSummary(s.Count, s.IsPeriodic)), scanned);
        Assert.Contains(scanned, f => f.Atoms > 0);
        // Without periodicity only the atom counts are read.
        Assert.Equal(frames.Select(s => s.Count), StructureFiles.Scan(path, periodicity: false).Select(f => f.Atoms));
    }

    [Theory]
    [InlineData("molecules", "qm9_first100.xyz", 37)]
    [InlineData("mlearn-json/Mo", "test.json", 5)]
    public void ReadAfterSkipGivesTheSameFramesAsDroppingThem(string folder, string file, int skip)
    {
        var path = TestData.File(folder, file);
        var expected = StructureFiles.Read(path).Skip(skip).Take(3).ToList();
        var got = StructureFiles.Read(path, skip).Take(3).ToList();
        Assert.Equal(expected.Select(s => s.Positions.ToArray()), got.Select(s => s.Positions.ToArray()));
        Assert.Equal(expected.Select(s => s.Formula), got.Select(s => s.Formula));
    }

    [Fact]
    public void SkippedAtomLinesAreNotParsedButTruncationIsAnError()
    {
        using var temp = new TempFolder();
        // Frame 0 has a malformed atom line: skipping steps over it, reading it fails.
        var path = temp.File("a.xyz", "1\n\nH 0 zero 0\n1\nLattice=\"3 0 0 0 3 0 0 0 3\"\nHe 0 0 0\n");
        Assert.Equal([new FrameSummary(1, false), new FrameSummary(1, true)], StructureFiles.Scan(path));
        Assert.Equal(2, Assert.Single(StructureFiles.Read(path, 1)).AtomicNumbers[0]);
        Assert.Throws<InputException>(() => StructureFiles.Read(path).ToList());
        var truncated = temp.File("t.xyz", "3\n\nH 0 0 0\n");
        Assert.Contains("truncated frame", Assert.Throws<InputException>(() => StructureFiles.Scan(truncated).ToList()).Message);
    }
}
