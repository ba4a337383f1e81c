using System.Text.Json;
using Milad.Fingerprints;
using Milad.IO;

namespace Milad.Tests.Cli;

public class FingerprintCommandTests
{
    private static string Examples => Path.Combine(TestData.RepositoryRoot, "examples", "molecules.xyz");

    [Fact]
    public void ExampleMoleculesToJsonMatchTheLibrary()
    {
        var dir = CliRunner.TempDirectory();
        var output = Path.Combine(dir, "fp.json");
        var (exit, _, err) = CliRunner.Run("fingerprint", Examples, "--output", output, "--preset", "paper");
        Assert.True(exit == 0, err);
        using var doc = JsonDocument.Parse(File.ReadAllText(output));
        var descriptor = doc.RootElement.GetProperty("descriptor");
        Assert.Equal(7, descriptor.GetProperty("n_max").GetInt32());
        Assert.Equal(332, descriptor.GetProperty("length").GetInt32());
        var frames = doc.RootElement.GetProperty("frames");
        var molecules = StructureFiles.Read(Examples).ToList();
        Assert.Equal(molecules.Count, frames.GetArrayLength());
        var d = new Descriptor(Presets.Get("paper"));
        for (var i = 0; i < molecules.Count; i++)
        {
            var frame = frames[i];
            Assert.Equal(i, frame.GetProperty("index").GetInt32());
            Assert.Equal(molecules[i].Count, frame.GetProperty("natoms").GetInt32());
            var expected = d.Encode(molecules[i]).Values;
            var got = frame.GetProperty("fingerprint").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.Equal(expected, got); // written with round-trip precision
        }
    }

    [Fact]
    public void EnvironmentsWithDerivativesFromMlearnJson()
    {
        var dir = CliRunner.TempDirectory();
        var output = Path.Combine(dir, "env.json");
        // The first two Mo test frames, via a small extended-xyz file made from the shared data.
        var frames = StructureFiles.Read(TestData.File("mlearn", "Mo_test.xyz")).Take(1).ToList();
        var input = Path.Combine(dir, "mo.xyz");
        ExtendedXyz.Write(input, frames);
        var (exit, _, err) = CliRunner.Run("fingerprint", input, "--output", output, "--preset", "compact", "--nmax", "4", "--derivatives");
        Assert.True(exit == 0, err);
        using var doc = JsonDocument.Parse(File.ReadAllText(output));
        var frame = doc.RootElement.GetProperty("frames")[0];
        Assert.Equal("environments", frame.GetProperty("mode").GetString());
        var envs = frame.GetProperty("environments");
        Assert.Equal(frames[0].Count, envs.GetArrayLength());
        var d = new Descriptor(Presets.Get("compact", "environments") with { NMax = 4 });
        var expected = d.EncodeEnvironments(frames[0], withJacobian: true);
        var e0 = envs[3];
        Assert.Equal(3, e0.GetProperty("atom").GetInt32());
        var jac = e0.GetProperty("jacobian");
        Assert.Equal(d.Length, jac.GetArrayLength());
        Assert.Equal(3 * frames[0].Count, jac[0].GetArrayLength());
        for (var q = 0; q < d.Length; q += 7)
            for (var c = 0; c < 3 * frames[0].Count; c += 5)
                Assert.Equal(expected[3].Jacobian![q * 3 * frames[0].Count + c], jac[q][c].GetDouble());
    }

    [Theory]
    [InlineData(".csv")]
    [InlineData(".npy")]
    public void OtherFormatsHoldOneRowPerMolecule(string extension)
    {
        var dir = CliRunner.TempDirectory();
        var output = Path.Combine(dir, "fp" + extension);
        var (exit, _, err) = CliRunner.Run("fingerprint", Examples, "--output", output, "--preset", "compact");
        Assert.True(exit == 0, err);
        var d = new Descriptor(Presets.Get("compact"));
        var first = d.Encode(StructureFiles.Read(Examples).First()).Values;
        if (extension == ".csv")
        {
            var lines = File.ReadAllLines(output);
            Assert.Equal(12, lines.Length);
            var cells = lines[1].Split(',');
            Assert.Equal(3 + d.Length, cells.Length);
            Assert.Equal(first[5], double.Parse(cells[3 + 5], System.Globalization.CultureInfo.InvariantCulture));
        }
        else
        {
            var bytes = File.ReadAllBytes(output);
            var headerLength = BitConverter.ToUInt16(bytes, 8);
            var header = System.Text.Encoding.ASCII.GetString(bytes, 10, headerLength);
            Assert.Contains($"'shape': (11, {d.Length})", header);
            Assert.Equal(first[5], BitConverter.ToDouble(bytes, 10 + headerLength + 8 * 5));
            Assert.Equal(10 + headerLength + 8 * 11 * d.Length, bytes.Length);
        }
    }

    public static TheoryData<string, string, string[]> BadInputs => new()
    {
        { "malformed.xyz", "3\ncomment\nH 0 0 0\nH 1 0 0\n", ["malformed.xyz:"] },
        { "nan.xyz", "2\nProperties=species:S:1:pos:R:3\nH 0 0 0\nH nan 0 0\n", ["nan.xyz:4"] },
        { "unknown.xyz", "2\nProperties=species:S:1:pos:R:3\nH 0 0 0\nQq 1 0 0\n", ["unknown.xyz:4", "Qq"] },
        { "nolattice.xyz", "2\nProperties=species:S:1:pos:R:3 pbc=\"T T T\"\nH 0 0 0\nH 1 0 0\n", ["nolattice.xyz:2", "Lattice"] },
        { "empty.xyz", "", ["empty.xyz", "no frames"] },
        { "ontop.xyz", "2\nProperties=species:S:1:pos:R:3\nH 0 0 0\nH 0 0 0\n", ["ontop.xyz: frame 0", "on top of each other"] },
        { "outside.xyz", "2\nProperties=species:S:1:pos:R:3\nH 0 0 0\nH 30 0 0\n", ["outside.xyz: frame 0", "molecule radius"] },
        { "lonely.xyz", "1\nLattice=\"20 0 0 0 20 0 0 0 20\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\nFe 0 0 0\n", ["lonely.xyz: frame 0", "no neighbours"] },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadInputIsOneLineExitTwoAndNoOutput(string name, string content, string[] expected)
    {
        var dir = CliRunner.TempDirectory();
        var input = Path.Combine(dir, name);
        File.WriteAllText(input, content);
        var output = Path.Combine(dir, "out.json");
        var (exit, _, err) = CliRunner.Run("fingerprint", input, "--output", output);
        Assert.Equal(2, exit);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
        foreach (var e in expected) Assert.Contains(e, err);
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories).Concat(Directory.GetFiles(dir, ".*")));
    }

    [Theory]
    [InlineData("--cutoff", "0", "cutoff")]
    [InlineData("--cutoff", "-2", "cutoff")]
    [InlineData("--nmax", "-1", "n_max")]
    [InlineData("--preset", "nope", "preset")]
    [InlineData("--weights", "H=1,Xx=2", "Xx")]
    [InlineData("--mode", "crystal", "crystal")]
    public void BadSettingsAreOneLineExitTwoAndNoOutput(string option, string value, string expected)
    {
        var dir = CliRunner.TempDirectory();
        var output = Path.Combine(dir, "out.json");
        var (exit, _, err) = CliRunner.Run("fingerprint", Examples, "--output", output, option, value);
        Assert.Equal(2, exit);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
        Assert.Contains(expected, err);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void MissingInputAndUnknownFormat()
    {
        var dir = CliRunner.TempDirectory();
        var (exit, _, err) = CliRunner.Run("fingerprint", Path.Combine(dir, "absent.xyz"), "--output", Path.Combine(dir, "o.json"));
        Assert.Equal(2, exit);
        Assert.Contains("absent.xyz", err);
        (exit, _, err) = CliRunner.Run("fingerprint", Examples, "--output", Path.Combine(dir, "o.parquet"));
        Assert.Equal(2, exit);
        Assert.Contains(".parquet", err);
        (exit, _, _) = CliRunner.Run("fingerprint", "--help");
        Assert.Equal(0, exit);
    }
}
