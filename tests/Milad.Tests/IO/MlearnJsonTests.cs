using Milad.IO;
using Milad.Structures;

namespace Milad.Tests.IO;

public class MlearnJsonTests
{
    [Theory]
    [InlineData("training.json", "Mo_train.xyz", 194, 10087)]
    [InlineData("test.json", "Mo_test.xyz", 23, 1189)]
    public void MoMatchesTheExtendedXyzCopy(string json, string xyz, int frames, int atoms)
    {
        var fromJson = MlearnJson.Read(TestData.File("mlearn-json", "Mo", json)).ToList();
        var fromXyz = ExtendedXyz.Read(TestData.File("mlearn", xyz)).ToList();
        Assert.Equal(frames, fromJson.Count);
        Assert.Equal(atoms, fromJson.Sum(s => s.Count));
        Assert.Equal(frames, fromXyz.Count);
        var groups = new HashSet<string>();
        for (var i = 0; i < frames; i++)
        {
            var j = fromJson[i];
            var x = fromXyz[i];
            Assert.Equal(x.Count, j.Count);
            Assert.All(j.AtomicNumbers, z => Assert.Equal(42, z));
            Assert.Equal(x.Energy!.Value, j.Energy!.Value, 1e-8);
            for (var a = 0; a < j.Count; a++)
            {
                for (var k = 0; k < 3; k++)
                {
                    Assert.Equal(x.Forces![a][k], j.Forces![a][k], 1e-8);
                    Assert.Equal(x.Positions[a][k], j.Positions[a][k], 1e-7); // the xyz copy rounds positions to 8 decimals
                }
            }
            for (var v = 0; v < 3; v++)
                for (var k = 0; k < 3; k++)
                    Assert.Equal(x.Cell![v][k], j.Cell![v][k], 1e-7);
            Assert.Equal(new[] { true, true, true }, j.Cell!.Pbc);
            Assert.Equal((long)j.Count, j.Info["num_atoms"]);
            Assert.Equal(6, ((double[])j.Info["virial_stress"]).Length);
            Assert.Equal("Mo", j.Info["element"]);
            Assert.IsType<string>(j.Info["tag"]);
            Assert.IsType<string>(j.Info["description"]);
            groups.Add((string)j.Info["group"]);
        }
        Assert.Equal(new[] { "AIMD-NVT", "Elastic", "Surface", "Vacancy" }, groups.Order());
    }

    [Fact]
    public void FirstTestItemValues()
    {
        var s = MlearnJson.Read(TestData.File("mlearn-json", "Mo", "test.json")).First();
        Assert.Equal(new Vec3(9.450121, 0, 0), s.Cell!.A);
        Assert.Equal(new Vec3(1.7127966307659999, 1.6357592443739999, 1.887897922775), s.Positions[0]);
        Assert.Equal(new[] { 210.13642, 180.39226, 182.85487, -6.23697, -10.00848, -0.18956 }, (double[])s.Info["virial_stress"]);
        Assert.Equal("Snapshot 4 of 12 of Vacancy AIMD NVT simulation at 300 K", s.Info["description"]);
        Assert.Equal("test", s.Info["tag"]);
        Assert.Equal("Vacancy", s.Info["group"]);
    }

    private const string Site = "{\"species\": [{\"element\": \"Si\", \"occu\": 1}], \"xyz\": [0.5, 0.25, 0.125]}";
    private const string Lattice = "\"lattice\": {\"matrix\": [[4, 0, 0], [0, 5, 0], [0, 0, 6]]}";

    private static string Item(string sites = Site, string lattice = Lattice, string outputs = "\"energy\": -5.5, \"forces\": [[1, 2, 3]]", string extra = "") =>
        $"{{\"structure\": {{{lattice}, \"sites\": [{sites}]}}, \"num_atoms\": 1, \"outputs\": {{{outputs}}}{extra}}}";

    [Fact]
    public void SmallItemAndFractionalFallback()
    {
        using var temp = new TempFolder();
        var abcSite = "{\"species\": [{\"element\": \"Si\", \"occu\": 1}], \"abc\": [0.5, 0.5, 0.5]}";
        var path = temp.File("small.json", $"[{Item()}, {Item(sites: abcSite, extra: ", \"flag\": true, \"n\": 2.5, \"meta\": {\"a\": 1}")}]");
        var all = MlearnJson.Read(path).ToList();
        Assert.Equal(2, all.Count);
        Assert.Equal(new Vec3(0.5, 0.25, 0.125), all[0].Positions[0]);
        Assert.Equal(-5.5, all[0].Energy);
        Assert.Equal(new Vec3(1, 2, 3), all[0].Forces![0]);
        Assert.Equal(120.0, all[0].Cell!.Volume, 12);
        Assert.Equal(new Vec3(2, 2.5, 3), all[1].Positions[0]);
        Assert.Equal(true, all[1].Info["flag"]);
        Assert.Equal(2.5, all[1].Info["n"]);
        Assert.Equal("{\"a\": 1}", all[1].Info["meta"]);
    }

    [Theory]
    [InlineData("[]", null, "no frames")]
    [InlineData("{\"a\": 1}", null, ":1: expected a JSON array of structures")]
    [InlineData("", null, ": no frames")]
    [InlineData("[ITEM,\nITEM\n", null, ":3: invalid JSON: the file ends after frame 1 without closing the array")]
    [InlineData("[ITEM,\n\nITEM] x", null, ":3: unexpected text after the array's closing ']'")]
    [InlineData("[ITEM\nITEM]", null, ":2: invalid JSON after frame 0: expected ',' or ']'")]
    [InlineData("[ITEM,\n{\"structure\": {", null, ":2: invalid JSON: the file ends inside frame 1")]
    [InlineData("[1]", 0, "item is a JSON number, not an object")]
    [InlineData("[{\"outputs\": {}}]", 0, "no \"structure\" object")]
    [InlineData("[ITEM, {\"structure\": {\"sites\": []}}]", 1, "structure has no lattice.matrix")]
    [InlineData("[ITEM, ITEM, BADLATTICE]", 2, "lattice.matrix[0] must be 3 numbers")]
    [InlineData("[FLATLATTICE]", 0, "degenerate lattice.matrix")]
    [InlineData("[UNKNOWN]", 0, "site 0: unknown element 'Qq'")]
    [InlineData("[NOXYZ]", 0, "site 0 has neither xyz nor abc")]
    [InlineData("[BADFORCES]", 0, "outputs.forces must be 1 rows of 3 numbers")]
    [InlineData("[BADENERGY]", 0, "\"outputs.energy\" must be a number, got a string (\"high\")")]
    public void MalformedItemsNameFileAndFrame(string text, int? frame, string what)
    {
        text = text.Replace("BADLATTICE", Item(lattice: "\"lattice\": {\"matrix\": [[1, 0], [0, 1, 0], [0, 0, 1]]}"))
            .Replace("FLATLATTICE", Item(lattice: "\"lattice\": {\"matrix\": [[1, 0, 0], [2, 0, 0], [0, 0, 1]]}"))
            .Replace("UNKNOWN", Item(sites: Site.Replace("\"Si\"", "\"Qq\"")))
            .Replace("NOXYZ", Item(sites: "{\"species\": [{\"element\": \"Si\"}]}"))
            .Replace("BADFORCES", Item(outputs: "\"forces\": [[1, 2, 3], [4, 5, 6]]"))
            .Replace("BADENERGY", Item(outputs: "\"energy\": \"high\""))
            .Replace("ITEM", Item());
        using var temp = new TempFolder();
        var path = temp.File("bad.json", text);
        var e = Assert.Throws<InputException>(() => MlearnJson.Read(path).ToList());
        Assert.StartsWith(frame is { } f ? $"{path}: frame {f}: " : $"{path}", e.Message);
        Assert.True(e.Message.Contains(what), e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void FirstReadsOnlyTheStartOfTheFile()
    {
        using var file = File.OpenRead(TestData.File("mlearn-json", "Mo", "training.json"));
        using var counting = new CountingStream(file);
        var first = MlearnJson.Read(counting, "training.json").First();
        Assert.Equal(-569.56177802, first.Energy!.Value, 1e-8); // the same first frame as Mo_train.xyz
        Assert.InRange(counting.BytesRead, 1, 1 << 17); // of 2.1 MB
    }

    private sealed class CountingStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }
        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            BytesRead += n;
            return n;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public void SyntaxErrorGivesLineAndTheFramesBeforeItStillRead()
    {
        using var temp = new TempFolder();
        var path = temp.File("broken.json", $"[\n{Item()},\n{Item()},\n{{\"structure\": oops}}\n]");
        var first = MlearnJson.Read(path).First();
        Assert.Equal(-5.5, first.Energy);
        var read = new List<Structure>();
        var e = Assert.Throws<InputException>(() => { foreach (var s in MlearnJson.Read(path)) read.Add(s); });
        Assert.Equal(2, read.Count);
        Assert.StartsWith($"{path}:4: invalid JSON in frame 2", e.Message);
    }
}
