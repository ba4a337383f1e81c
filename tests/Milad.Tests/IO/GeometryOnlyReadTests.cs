using System.Reflection;
using System.Text;
using Milad.IO;
using Milad.Structures;
using Xunit.Sdk;

namespace Milad.Tests.IO;

/// <summary>
/// The geometry-only read that `milad fingerprint` uses (chunks of the file parsed without typing or keeping the
/// comment values and columns that encoding does not use) gives the same species, positions and cells as the full
/// read on the real files, and on bad input the same error, message and line, as the full read.
/// </summary>
public class GeometryOnlyReadTests
{
    public static TheoryData<string> RealFiles => new()
    {
        "molecules/qm9_first100.xyz", "molecules/qm9_derived_985.xyz", "molecules/qm7_even.xyz",
        "mlearn/Mo_test.xyz", "mlearn/Cu_test.xyz", "mlearn/Si_test.xyz", "fe/fe_test.xyz",
    };

    [Theory]
    [MemberData(nameof(RealFiles))]
    public void SameGeometryAsTheFullReadOnRealFiles(string file)
    {
        var path = TestData.File(file.Split('/'));
        var full = ExtendedXyz.Read(path).ToList();
        var lean = ReadGeometry(path, maxFrames: 64, maxAtoms: 2048);
        Assert.True(full.Count > 0);
        AssertSameGeometry(full, lean);
        // What encoding does not use is not kept.
        Assert.All(lean, s => Assert.True(s.Energy == null && s.Forces == null && s.Info.Count == 0 && s.Arrays.Count == 0));
        Assert.Contains(full, s => s.Info.Count > 0 || s.Energy != null); // the files do carry such values
    }

    /// <summary>Every malformed input of <see cref="ExtendedXyzErrorTests.MalformedInputNamesFileAndLine"/>.</summary>
    public static IEnumerable<object[]> Malformed() =>
        typeof(ExtendedXyzErrorTests).GetMethod(nameof(ExtendedXyzErrorTests.MalformedInputNamesFileAndLine))!
            .GetCustomAttributes<InlineDataAttribute>()
            .SelectMany(a => a.GetData(null!))
            .Select(d => new[] { d[0] });

    [Theory]
    [MemberData(nameof(Malformed))]
    public void SameErrorAsTheFullRead(string text)
    {
        using var temp = new TempFolder();
        var path = temp.File("bad.xyz", text);
        var full = Assert.Throws<InputException>(() => ExtendedXyz.Read(path).ToList());
        var lean = Assert.Throws<InputException>(() => ReadGeometry(path, 64, 2048));
        Assert.Equal(full.Message, lean.Message);
    }

    /// <summary>
    /// Seeded random damage to real frames (characters replaced by hostile ones, deleted, inserted, the text cut):
    /// whatever the full read makes of a mutant, the geometry-only read makes the same (the same geometry, or the
    /// same error message), in chunks of any size.
    /// </summary>
    [Fact]
    public void MutantsReadTheSameAsTheFullRead()
    {
        var qm9 = string.Join('\n', File.ReadLines(TestData.File("molecules", "qm9_first100.xyz")).Take(18)) + "\n";
        var fe = string.Join('\n', File.ReadLines(TestData.File("fe", "fe_test.xyz")).Take(2 + 16)) + "\n";
        var mo = new StringWriter();
        foreach (var s in ExtendedXyz.Read(TestData.File("mlearn", "Mo_test.xyz")).Take(2)) ExtendedXyz.Write(mo, s);
        var random = new Random(7);
        const string hostile = "\"'[]{}=,\\ \t\nTF.-+eE0123456789xX:";
        using var temp = new TempFolder();
        var path = temp.File("mutant.xyz", "");
        int errors = 0, cases = 0;
        foreach (var source in new[] { qm9, fe, mo.ToString() })
        {
            for (var k = 0; k < 300; k++)
            {
                var text = new StringBuilder(source);
                for (var edits = random.Next(1, 4); edits > 0 && text.Length > 1; edits--)
                {
                    var at = random.Next(text.Length);
                    switch (random.Next(4))
                    {
                        case 0: text[at] = hostile[random.Next(hostile.Length)]; break;
                        case 1: text.Remove(at, Math.Min(text.Length - at, random.Next(1, 6))); break;
                        case 2: text.Insert(at, hostile[random.Next(hostile.Length)]); break;
                        default: text.Length = at; break;
                    }
                }
                File.WriteAllText(path, text.ToString());
                string? fullError = null, leanError = null;
                List<Structure>? full = null, lean = null;
                try { full = ExtendedXyz.Read(path).ToList(); }
                catch (InputException e) { fullError = e.Message; }
                try { lean = ReadGeometry(path, maxFrames: 1 + random.Next(3), maxAtoms: 2048); }
                catch (InputException e) { leanError = e.Message; }
                Assert.Equal(fullError, leanError);
                if (full != null) AssertSameGeometry(full, lean!);
                errors += fullError != null ? 1 : 0;
                cases++;
            }
        }
        Assert.InRange(errors, cases / 10, cases - cases / 10); // both kinds of outcome were compared
    }

    private static List<Structure> ReadGeometry(string path, int maxFrames, int maxAtoms)
    {
        var frames = new List<Structure>();
        foreach (var chunk in ExtendedXyzChunks.Read(path, maxFrames, maxAtoms))
            frames.AddRange(ExtendedXyzChunks.Parse(chunk, path, geometryOnly: true));
        return frames;
    }

    private static void AssertSameGeometry(List<Structure> full, List<Structure> lean)
    {
        Assert.Equal(full.Count, lean.Count);
        for (var f = 0; f < full.Count; f++)
        {
            Assert.Equal(full[f].AtomicNumbers, lean[f].AtomicNumbers);
            Assert.Equal(full[f].Positions, lean[f].Positions); // exact: the same parse of the same text
            Assert.Equal(full[f].Cell is null, lean[f].Cell is null);
            if (full[f].Cell is { } a && lean[f].Cell is { } b)
            {
                Assert.Equal((a.A, a.B, a.C), (b.A, b.B, b.C));
                Assert.Equal(a.Pbc, b.Pbc);
            }
        }
    }
}
