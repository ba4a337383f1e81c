using Milad.IO;
using Milad.Structures;

namespace Milad.Tests.IO;

/// <summary>Bad input: one InputException line "FILE:LINE: what" with the right line; reading streams.</summary>
public class ExtendedXyzErrorTests
{
    private const string Good = "2\nProperties=species:S:1:pos:R:3 energy=-1.5\nH 0 0 0\nH 0 0 0.74\n"; // lines 1-4

    [Theory]
    [InlineData("x\n\nH 0 0 0\n", 1, "malformed atom count 'x'")]
    [InlineData("-1\n\n", 1, "malformed atom count '-1'")]
    [InlineData("2 atoms\n\nH 0 0 0\nH 0 0 1\n", 1, "malformed atom count '2 atoms'")]
    [InlineData(Good + "1.5\n\nH 0 0 0\n", 5, "malformed atom count '1.5'")]
    [InlineData(Good + "3\n\nH 0 0 0\nH 0 0 1\n", 5, "truncated frame: 3 atoms announced but the file ends after 2 atom lines")]
    [InlineData(Good + "3\n", 5, "truncated frame")]
    [InlineData("2\n\nH 0 0 0\nH 0 0\n", 4, "expected 4 columns")]
    [InlineData("2\n\nH 0 0 0\nH 0 0 0 9\n", 4, "found 5")]
    [InlineData("1\nProperties=species:S:1:pos:R:3:q:R:1\nH 0 0 0\n", 3, "expected 5 columns")]
    [InlineData(Good + "2\n\nH 0 0 0\nH 0 abc 0\n", 8, "column 3 (pos): 'abc' is not a number")]
    [InlineData("1\nProperties=species:S:1:pos:R:3:id:I:1\nH 0 0 0 1.5\n", 3, "column 5 (id): '1.5' is not an integer")]
    [InlineData("1\nProperties=species:S:1:pos:R:3:fix:L:1\nH 0 0 0 yes\n", 3, "not a logical")]
    [InlineData("1\nProperties=species:S:1:pos:R:3:forces:R:3\nH 0 0 0 1 x 1\n", 3, "column 6 (forces): 'x' is not a number")]
    [InlineData("2\n\nH 0 0 0\nH NaN 0 0\n", 4, "non-finite position")]
    [InlineData("2\n\nH 0 0 0\nH 0 0 -Infinity\n", 4, "non-finite position")]
    [InlineData("2\n\nH 0 0 0\nXx 0 0 0\n", 4, "unknown element 'Xx'")]
    [InlineData("1\n\n119 0 0 0\n", 3, "unknown element: atomic number '119'")]
    [InlineData(Good + "1\npbc=\"T T F\"\nH 0 0 0\n", 6, "pbc is T in some direction but the frame has no Lattice")]
    [InlineData("1\npbc=\"T T\" Lattice=\"1 0 0 0 1 0 0 0 1\"\nH 0 0 0\n", 2, "pbc must be three logical values")]
    [InlineData("1\nProperties=species:S:1:pos:R\nH 0 0 0\n", 2, "malformed Properties 'species:S:1:pos:R'")]
    [InlineData("1\nProperties=species:S:1:pos:X:3\nH 0 0 0\n", 2, "type of 'pos' is 'X'")]
    [InlineData("1\nProperties=species:S:1:pos:R:0\nH 0 0 0\n", 2, "width of 'pos' is '0'")]
    [InlineData("1\nProperties=species:S:1:pos:R:2\nH 0 0\n", 2, "pos must be R:3")]
    [InlineData("1\nProperties=species:S:1:x:R:3\nH 0 0 0\n", 2, "no pos column")]
    [InlineData("1\nProperties=pos:R:3\n0 0 0\n", 2, "no species (or Z) column")]
    [InlineData("1\nProperties=species:S:1:pos:R:3:pos:R:3\nH 0 0 0 0 0 0\n", 2, "'pos' appears twice")]
    [InlineData(Good + "1\nLattice=\"1 0 0 0 1 0 0 0\"\nH 0 0 0\n", 6, "Lattice must have 9 numbers")]
    [InlineData("1\nLattice=\"1 0 0 0 1 0 0 0 a\"\nH 0 0 0\n", 2, "Lattice must have 9 numbers")]
    [InlineData("1\nLattice=\"1 0 0 2 0 0 0 0 1\"\nH 0 0 0\n", 2, "degenerate Lattice")]
    [InlineData("1\nLattice=\"0 0 0 0 0 0 0 0 0\"\nH 0 0 0\n", 2, "degenerate Lattice")]
    [InlineData("1\nLattice=\"1 0 0 0 1 0 0 0 NaN\"\nH 0 0 0\n", 2, "non-finite")]
    [InlineData("1\nenergy=\"-1.5\nH 0 0 0\n", 2, "unterminated \" quote")]
    [InlineData("1\nLattice=[1, 0, 0\nH 0 0 0\n", 2, "unclosed bracket")]
    [InlineData("1\na=1 =2\nH 0 0 0\n", 2, "'=' without a key")]
    [InlineData("1\nenergy=\nH 0 0 0\n", 2, "key 'energy' has no value")]
    public void MalformedInputNamesFileAndLine(string text, int line, string what)
    {
        using var temp = new TempFolder();
        var path = temp.File("bad.xyz", text);
        var e = Assert.Throws<InputException>(() => ExtendedXyz.Read(path).ToList());
        Assert.StartsWith($"{path}:{line}: ", e.Message);
        Assert.Contains(what, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        // The same through a reader with a caller's name.
        var r = Assert.Throws<InputException>(() => ExtendedXyz.Read(new StringReader(text), "named.xyz").ToList());
        Assert.StartsWith($"named.xyz:{line}: ", r.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n   \n")]
    public void EmptyFileHasNoFrames(string text)
    {
        using var temp = new TempFolder();
        var path = temp.File("empty.xyz", text);
        var e = Assert.Throws<InputException>(() => ExtendedXyz.Read(path).ToList());
        Assert.Equal($"{path}: no frames", e.Message);
    }

    [Fact]
    public void MissingFileFailsAtOnce()
    {
        var e = Assert.Throws<InputException>(() => ExtendedXyz.Read("/no/such/dir/x.xyz"));
        Assert.Equal("/no/such/dir/x.xyz: no such file", e.Message);
    }

    [Fact]
    public void GarbageAfterAGoodFrameDoesNotStopTheFirstFrame()
    {
        using var temp = new TempFolder();
        var path = temp.File("half.xyz", Good + "this is not a frame\n\u0000\u0001 garbage garbage\n");
        var first = ExtendedXyz.Read(path).First();
        Assert.Equal(2, first.Count);
        Assert.Equal(-1.5, first.Energy);
        Assert.Equal(new Vec3(0, 0, 0.74), first.Positions[1]);
        var e = Assert.Throws<InputException>(() => ExtendedXyz.Read(path).ToList());
        Assert.StartsWith($"{path}:5: malformed atom count", e.Message);
    }

    [Fact]
    public void ReadingTheFirstFrameOfAHugeInputReadsLittleOfIt()
    {
        using var source = new EndlessFrames(200L << 20);
        var frames = ExtendedXyz.Read(source, "huge.xyz").Take(3).ToList();
        Assert.Equal(3, frames.Count);
        Assert.Equal(new[] { 0.0, 1.0, 2.0 }, frames.Select(f => f.Energy!.Value));
        Assert.Equal(EndlessFrames.Atoms, frames[2].Count);
        Assert.Equal(new Vec3(2.5, 3, 2.5), frames[2].Positions[21]);
        Assert.Equal(new Vec3(0.125, -0.25, 0.5), frames[2].Forces![63]);
        Assert.InRange(source.Produced, 1, 1 << 20); // of 200 MB, one buffer's worth
    }

    [Fact]
    public void ReadingAllOfALargeInputWorksAndIsFast()
    {
        using var source = new EndlessFrames(20L << 20); // about 20 MB
        var watch = System.Diagnostics.Stopwatch.StartNew();
        long atoms = 0, frames = 0;
        foreach (var s in ExtendedXyz.Read(source, "large.xyz")) { atoms += s.Count; frames++; }
        Assert.Equal(source.Frames, frames);
        Assert.Equal(frames * EndlessFrames.Atoms, atoms);
        Assert.True(watch.Elapsed.TotalSeconds < 10, $"{watch.Elapsed.TotalSeconds:F1} s for 20 MB");
    }

    /// <summary>A reader that makes extended xyz frames on demand up to a size, counting what it hands out.</summary>
    private sealed class EndlessFrames(long size) : TextReader
    {
        public const int Atoms = 64;
        private string _pending = "";
        private int _offset;

        public long Produced { get; private set; }
        public long Frames { get; private set; }

        public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

        public override int Read(Span<char> buffer)
        {
            if (_offset == _pending.Length)
            {
                if (Produced >= size) return 0;
                _pending = Frame(Frames++);
                _offset = 0;
            }
            var n = Math.Min(buffer.Length, _pending.Length - _offset);
            _pending.AsSpan(_offset, n).CopyTo(buffer);
            _offset += n;
            Produced += n;
            return n;
        }

        public override int Peek() => throw new NotSupportedException("the parser must not peek");

        private static string Frame(long k)
        {
            var sb = new System.Text.StringBuilder();
            sb.Append(Atoms).Append('\n');
            sb.Append("Lattice=\"8 0 0 0 8 0 0 0 8\" Properties=species:S:1:pos:R:3:forces:R:3 energy=").Append(k).Append(" pbc=\"T T T\"\n");
            for (var a = 0; a < Atoms; a++)
                sb.Append("Fe ").Append(a % 4 * 0.5 + k).Append(' ').Append(a / 4 % 4 + k).Append(' ').Append(a / 16 * 0.5 + k)
                  .Append(" 0.125 -0.25 0.5\n");
            return sb.ToString();
        }
    }
}
