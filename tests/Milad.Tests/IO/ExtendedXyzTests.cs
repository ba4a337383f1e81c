using Milad.IO;
using Milad.Structures;

namespace Milad.Tests.IO;

/// <summary>Extended xyz: the comment line, columns, plain xyz and the writer.</summary>
public class ExtendedXyzTests
{
    private static List<Structure> Parse(string text) => ExtendedXyz.Read(new StringReader(text), "test.xyz").ToList();

    [Fact]
    public void CommentLineValuesAreTyped()
    {
        var s = Parse(
            "1\n" +
            "Properties=species:S:1:pos:R:3 i=42 neg=-7 x=1.5 e=2e-3 t=T f=False flag quoted=\"two words\" single='it is' " +
            "ints=\"1 2 3\" reals=\"1 2.5 -3e2\" bools=\"T F T\" br=[1, 2, 3] brs=[\"a\", \"b c\"] one=[4.5] mixed=\"1 abc\" " +
            "spaced = 3 esc=\"say \\\"hi\\\"\" \"quoted key\"=1 cfg=EOS_100 under=10_1 empty=\"\"\n" +
            "H 0 0 0\n")[0];
        Assert.Equal(42L, s.Info["i"]);
        Assert.Equal(-7L, s.Info["neg"]);
        Assert.Equal(1.5, s.Info["x"]);
        Assert.Equal(2e-3, s.Info["e"]);
        Assert.Equal(true, s.Info["t"]);
        Assert.Equal(false, s.Info["f"]);
        Assert.Equal(true, s.Info["flag"]);
        Assert.Equal("two words", s.Info["quoted"]);
        Assert.Equal("it is", s.Info["single"]);
        Assert.Equal(new long[] { 1, 2, 3 }, s.Info["ints"]);
        Assert.Equal(new[] { 1, 2.5, -300 }, s.Info["reals"]);
        Assert.Equal(new[] { true, false, true }, s.Info["bools"]);
        Assert.Equal(new long[] { 1, 2, 3 }, s.Info["br"]);
        Assert.Equal(new[] { "a", "b c" }, s.Info["brs"]);
        Assert.Equal(new[] { 4.5 }, s.Info["one"]);
        Assert.Equal("1 abc", s.Info["mixed"]);
        Assert.Equal(3L, s.Info["spaced"]);
        Assert.Equal("say \"hi\"", s.Info["esc"]);
        Assert.Equal(1L, s.Info["quoted key"]);
        Assert.Equal("EOS_100", s.Info["cfg"]);
        Assert.Equal("10_1", s.Info["under"]);
        Assert.Equal("", s.Info["empty"]);
        // In file order, Properties consumed.
        Assert.Equal("i", s.Info.Keys.First());
        Assert.DoesNotContain("Properties", s.Info.Keys);
    }

    [Theory]
    [InlineData("pbc=\"T T T\"", true, true, true)]
    [InlineData("pbc=[T, T, T]", true, true, true)]
    [InlineData("pbc=\"T F T\"", true, false, true)]
    [InlineData("pbc=[True, False, False]", true, false, false)]
    [InlineData("", true, true, true)] // ASE: a lattice without pbc is periodic
    public void PbcForms(string pbc, bool a, bool b, bool c)
    {
        var s = Parse($"1\nLattice=\"2 0 0 0 3 0 0 0 4\" {pbc} Properties=species:S:1:pos:R:3\nH 0.5 0.5 0.5\n")[0];
        Assert.Equal(new[] { a, b, c }, s.Cell!.Pbc);
        Assert.Equal(24.0, s.Cell.Volume, 12);
        Assert.Empty(s.Info);
    }

    [Fact]
    public void LatticeRowsAreVectorsAndNestedBracketsWork()
    {
        var quoted = Parse("1\nLattice=\"1 2 3 4 5 6 7 8 10\"\nC 0 0 0\n")[0].Cell!;
        var nested = Parse("1\nLattice=[[1, 2, 3], [4, 5, 6], [7, 8, 10]]\nC 0 0 0\n")[0].Cell!;
        foreach (var cell in new[] { quoted, nested })
        {
            Assert.Equal(new Vec3(1, 2, 3), cell.A);
            Assert.Equal(new Vec3(4, 5, 6), cell.B);
            Assert.Equal(new Vec3(7, 8, 10), cell.C);
            Assert.Equal(-3.0, cell.Volume, 12);
        }
    }

    [Fact]
    public void NoLatticeAndFalsePbcIsIsolated()
    {
        var s = Parse("2\npbc=\"F F F\" energy=-1.25\nO 0 0 0\nH 0 0 0.97\n")[0];
        Assert.Null(s.Cell);
        Assert.False(s.IsPeriodic);
        Assert.Equal(-1.25, s.Energy);
        Assert.Empty(s.Info);
        Assert.Equal(new[] { 8, 1 }, s.AtomicNumbers);
        Assert.Equal(0.97, s.Positions[1].Z);
    }

    [Fact]
    public void PlainXyz()
    {
        var frames = Parse("3\nwater molecule, from a textbook\nO 0.0 0.0 0.117\nH 0.0 0.757 -0.467\nH 0.0 -0.757 -0.467\n" +
                           "1\n\n  he   1 2 3  \n");
        Assert.Equal(2, frames.Count);
        Assert.Equal("water molecule, from a textbook", frames[0].Info["comment"]);
        Assert.Equal(new[] { 8, 1, 1 }, frames[0].AtomicNumbers);
        Assert.Equal(new Vec3(0, -0.757, -0.467), frames[0].Positions[2]);
        Assert.Null(frames[0].Cell);
        Assert.Null(frames[0].Energy);
        Assert.Empty(frames[1].Info); // empty comment
        Assert.Equal(2, frames[1].AtomicNumbers[0]); // "he": case-insensitive symbol
        Assert.Equal(new Vec3(1, 2, 3), frames[1].Positions[0]);
    }

    [Fact]
    public void WindowsLineEndingsTabsAndBlankLinesBetweenFrames()
    {
        var frames = Parse("1\r\nenergy=2\r\nC\t1.5\t2\t3\r\n\r\n\n1\r\n\r\nN 0 0 0\r\n\n\n");
        Assert.Equal(2, frames.Count);
        Assert.Equal(2.0, frames[0].Energy); // an integer energy is still the energy
        Assert.Equal(new Vec3(1.5, 2, 3), frames[0].Positions[0]);
        Assert.Equal(7, frames[1].AtomicNumbers[0]);
    }

    [Fact]
    public void SpeciesAsAtomicNumbers()
    {
        var numbers = Parse("2\n\n8 0 0 0\n1 0 0 1\n")[0];
        Assert.Equal(new[] { 8, 1 }, numbers.AtomicNumbers);
        var typed = Parse("2\nProperties=species:I:1:pos:R:3\n26 0 0 0\n26 1 1 1\n")[0];
        Assert.Equal(new[] { 26, 26 }, typed.AtomicNumbers);
        // ASE's "Z" column stands for the species when there is none.
        var z = Parse("1\nProperties=pos:R:3:Z:I:1\n0 0 1 6\n")[0];
        Assert.Equal(new[] { 6 }, z.AtomicNumbers);
        Assert.Equal(new Vec3(0, 0, 1), z.Positions[0]);
        Assert.Empty(z.Arrays);
    }

    [Fact]
    public void ColumnsOfEveryType()
    {
        var s = Parse("2\nProperties=species:S:1:tag:S:1:pos:R:3:fixed:L:3:id:I:1:force:R:3:charge:R:1\n" +
                      "Si a 0 0 0 T F T 7 0.5 -0.5 1e-3 -0.25\n" +
                      "Si b 1 1 1 F F F -8 0 0 0 0.25\n")[0];
        Assert.Equal(new Vec3(0.5, -0.5, 1e-3), s.Forces![0]);
        Assert.Equal(new Vec3(1, 1, 1), s.Positions[1]);
        Assert.Equal(new[] { "tag", "fixed", "id", "charge" }, s.Arrays.Keys);
        Assert.Equal(new[] { "b" }, s.Arrays["tag"][1]);
        Assert.Equal(new[] { true, false, true }, s.Arrays["fixed"][0]);
        Assert.Equal(new long[] { -8 }, s.Arrays["id"][1]);
        Assert.Equal(new[] { -0.25 }, s.Arrays["charge"][0]);
    }

    [Fact]
    public void WriterOutputIsExtendedXyzAsAseWritesIt()
    {
        var s = new Structure([8, 1], [new Vec3(0, 0, 0.1), new Vec3(0.25, -1, 1e-20)],
            new Cell(new Vec3(5, 0, 0), new Vec3(0, 6, 0), new Vec3(0, 0, 7), true, true, false))
        {
            Energy = -3,
            Forces = [new Vec3(1, 2, 3), new Vec3(-1, -2, -3)],
        };
        s.Info["config_type"] = "bulk water";
        s.Info["step"] = 12L;
        s.Info["stress"] = new[] { 1.0, 2.5, 3.0 };
        s.Arrays["magmom"] = [new[] { 0.5 }, new[] { -0.5 }];
        var w = new StringWriter();
        ExtendedXyz.Write(w, s);
        Assert.Equal(
            "2\n" +
            "Lattice=\"5 0 0 0 6 0 0 0 7\" Properties=species:S:1:pos:R:3:forces:R:3:magmom:R:1 pbc=\"T T F\" energy=-3.0 " +
            "config_type=\"bulk water\" step=12 stress=\"1.0 2.5 3.0\"\n" +
            "O 0 0 0.1 1 2 3 0.5\n" +
            "H 0.25 -1 1E-20 -1 -2 -3 -0.5\n",
            w.ToString());
    }

    [Fact]
    public void MoleculeIsWrittenWithFalsePbcAndNoLattice()
    {
        var w = new StringWriter();
        ExtendedXyz.Write(w, new Structure([6], [new Vec3(1, 2, 3)]));
        Assert.Equal("1\nProperties=species:S:1:pos:R:3 pbc=\"F F F\"\nC 1 2 3\n", w.ToString());
    }

    [Fact]
    public void RoundTripOfAwkwardValuesIsBitExact()
    {
        var rng = new Random(7);
        double R() => (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-12, 12));
        var n = 50;
        var s = new Structure(
            Enumerable.Range(0, n).Select(i => 1 + i % 118).ToArray(),
            Enumerable.Range(0, n).Select(_ => new Vec3(R(), R(), R())).ToArray(),
            new Cell(new Vec3(10.1, 0.3, -0.2), new Vec3(0.1 + 0.2, 9.7, 0), new Vec3(-1e-17, 1.0 / 3, 8.123456789012345), true, false, true))
        {
            Energy = 0.1 + 0.2,
            Forces = Enumerable.Range(0, n).Select(_ => new Vec3(R(), -0.0, double.Epsilon)).ToArray(),
        };
        s.Positions[0] = new Vec3(double.MaxValue, -double.MaxValue, 5e-324);
        s.Positions[1] = new Vec3(-0.0, Math.PI, Math.E);
        s.Info["integral"] = 1.0;
        s.Info["negzero"] = -0.0;
        s.Info["nan"] = double.NaN;
        s.Info["big"] = 1e300;
        s.Info["count"] = long.MinValue;
        s.Info["yes"] = true;
        s.Info["text"] = "a \"quoted\" back\\slash = [x] 'y'";
        s.Info["vec"] = new[] { 1.0, 2.0, 0.1 + 0.2 };
        s.Info["one"] = new[] { 0.5 };
        s.Info["longs"] = new long[] { 1, -2, long.MaxValue };
        s.Info["bools"] = new[] { true, false };
        s.Info["names"] = new[] { "a b", "c" };
        s.Info["key with space"] = 3L;
        s.Arrays["q"] = Enumerable.Range(0, n).Select(_ => (Array)new[] { R(), R() }).ToArray();
        s.Arrays["id"] = Enumerable.Range(0, n).Select(i => (Array)new long[] { i * 1000000007L }).ToArray();
        s.Arrays["fixed"] = Enumerable.Range(0, n).Select(i => (Array)new[] { i % 2 == 0 }).ToArray();
        s.Arrays["label"] = Enumerable.Range(0, n).Select(i => (Array)new[] { $"site{i}" }).ToArray();

        var w = new StringWriter();
        ExtendedXyz.Write(w, s);
        ExtendedXyz.Write(w, s);
        var back = ExtendedXyz.Read(new StringReader(w.ToString()), "rt.xyz").ToList();
        Assert.Equal(2, back.Count);
        AssertSame(s, back[1]);
    }

    [Theory]
    [InlineData("fe", "fe_test.xyz")]
    [InlineData("mlearn", "Mo_test.xyz")]
    [InlineData("molecules", "qm9_first100.xyz")]
    [InlineData("molecules", "qm9_derived_985.xyz")]
    public void RoundTripOfSharedDataThroughAFile(string folder, string file)
    {
        using var temp = new TempFolder();
        var original = ExtendedXyz.Read(TestData.File(folder, file)).ToList();
        var path = temp.Combine("copy.extxyz");
        ExtendedXyz.Write(path, original);
        Assert.Equal(new[] { "copy.extxyz" }, Directory.GetFiles(temp.Path).Select(Path.GetFileName)); // no temporary left
        var back = ExtendedXyz.Read(path).ToList();
        Assert.Equal(original.Count, back.Count);
        for (var i = 0; i < original.Count; i++) AssertSame(original[i], back[i]);
    }

    [Fact]
    public void FailedWriteLeavesTheOldFileAndNoTemporary()
    {
        using var temp = new TempFolder();
        var path = temp.File("out.xyz", "old content");
        static IEnumerable<Structure> Failing()
        {
            yield return new Structure([1], [Vec3.Zero]);
            throw new InputException("in.xyz:3: broken");
        }
        var e = Assert.Throws<InputException>(() => ExtendedXyz.Write(path, Failing()));
        Assert.Equal("in.xyz:3: broken", e.Message);
        Assert.Equal("old content", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void WriterRejectsWhatExtendedXyzCannotHold()
    {
        var s = new Structure([1], [Vec3.Zero]);
        s.Arrays["label"] = [new[] { "has space" }];
        Assert.Throws<ArgumentException>(() => ExtendedXyz.Write(new StringWriter(), s));
        var t = new Structure([1], [Vec3.Zero]) { Energy = 1 };
        t.Info["energy"] = 2.0;
        Assert.Throws<ArgumentException>(() => ExtendedXyz.Write(new StringWriter(), t));
        var u = new Structure([1], [Vec3.Zero]);
        u.Info["obj"] = new object();
        Assert.Throws<ArgumentException>(() => ExtendedXyz.Write(new StringWriter(), u));
    }

    /// <summary>Everything equal, doubles to the bit.</summary>
    internal static void AssertSame(Structure expected, Structure actual)
    {
        Assert.Equal(expected.AtomicNumbers, actual.AtomicNumbers);
        AssertBits(expected.Positions, actual.Positions);
        Assert.Equal(Bits(expected.Energy), Bits(actual.Energy));
        if (expected.Forces == null) Assert.Null(actual.Forces);
        else AssertBits(expected.Forces, actual.Forces!);
        if (expected.Cell == null) Assert.Null(actual.Cell);
        else
        {
            AssertBits([expected.Cell.A, expected.Cell.B, expected.Cell.C], [actual.Cell!.A, actual.Cell.B, actual.Cell.C]);
            Assert.Equal(expected.Cell.Pbc, actual.Cell.Pbc);
        }
        Assert.Equal(expected.Info.Keys, actual.Info.Keys);
        foreach (var (key, value) in expected.Info)
        {
            var other = actual.Info[key];
            Assert.Equal(value.GetType(), other.GetType());
            switch (value)
            {
                case double d: Assert.Equal(Bits(d), Bits((double)other)); break;
                case double[] d: Assert.Equal(d.Select(x => Bits(x)), ((double[])other).Select(x => Bits(x))); break;
                default: Assert.Equal(value, other); break;
            }
        }
        Assert.Equal(expected.Arrays.Keys, actual.Arrays.Keys);
        foreach (var (key, rows) in expected.Arrays)
        {
            var other = actual.Arrays[key];
            Assert.Equal(rows.Length, other.Length);
            for (var a = 0; a < rows.Length; a++)
            {
                Assert.Equal(rows[a].GetType(), other[a].GetType());
                if (rows[a] is double[] d) Assert.Equal(d.Select(x => Bits(x)), ((double[])other[a]).Select(x => Bits(x)));
                else Assert.Equal(rows[a], other[a]);
            }
        }
    }

    private static long? Bits(double? x) => x is { } v ? BitConverter.DoubleToInt64Bits(v) : null;

    private static void AssertBits(Vec3[] expected, Vec3[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            for (var k = 0; k < 3; k++)
                Assert.Equal(BitConverter.DoubleToInt64Bits(expected[i][k]), BitConverter.DoubleToInt64Bits(actual[i][k]));
    }
}
