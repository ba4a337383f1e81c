using System.Buffers;
using System.Text;
using System.Text.Json;
using Milad.Cli;

namespace Milad.Tests.Cli;

/// <summary>`milad fingerprint` writes the same bytes whatever the number of threads, and JSON as Utf8JsonWriter would.</summary>
public class FingerprintOutputTests
{
    private static readonly JsonWriterOptions Compact = new() { Indented = false, SkipValidation = true };

    [Fact]
    public void FrameJsonIsWhatUtf8JsonWriterWrites()
    {
        var random = new Random(11);
        var values = new List<double> { 0.0, -0.0, 1, -1, 0.1, 1e15, 1e16, 1e-5, 1e-4, 123456789012345680, double.Epsilon, double.MaxValue, double.MinValue, 5e-324, 1.5e300 };
        for (var k = 0; k < 100_000; k++)
        {
            var x = BitConverter.Int64BitsToDouble(random.NextInt64());
            if (double.IsFinite(x)) values.Add(x);
            values.Add((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-20, 21)));
        }
        var expected = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(expected, Compact))
        {
            w.WriteStartObject();
            w.WriteNumber("index", 123456789012L);
            w.WriteString("formula", "C7H10N2O");
            w.WriteString("odd", "a+b<c>&'é\"");
            w.WriteStartArray("fingerprint");
            foreach (var v in values) w.WriteNumberValue(v);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        using var got = new PooledBytes(16);
        got.Write("{\"index\":"u8);
        JsonText.Integer(got, 123456789012L);
        got.Write(",\"formula\":"u8);
        JsonText.String(got, "C7H10N2O");
        got.Write(",\"odd\":"u8);
        JsonText.String(got, "a+b<c>&'é\"");
        got.Write(",\"fingerprint\":"u8);
        JsonText.Numbers(got, values.ToArray());
        got.Write((byte)'}');
        Assert.Equal(Encoding.UTF8.GetString(expected.WrittenSpan), Encoding.UTF8.GetString(got.WrittenSpan));
    }

    [Fact]
    public void NonFiniteNumbersAreRefusedAsUtf8JsonWriterRefusesThem()
    {
        using var bytes = new PooledBytes();
        Assert.ThrowsAny<ArgumentException>(() => JsonText.Numbers(bytes, [1.0, double.NaN]));
    }

    [Theory]
    [InlineData(".json")]
    [InlineData(".npy")]
    [InlineData(".csv")]
    public void SameBytesForAnyThreadCount(string extension)
    {
        // Molecules and periodic cells mixed, more frames than one block holds.
        var dir = CliRunner.TempDirectory();
        var input = Path.Combine(dir, "mixed.xyz");
        var molecules = File.ReadAllText(TestData.File("molecules", "qm9_first100.xyz"));
        var cells = string.Join("", File.ReadLines(TestData.File("mlearn", "Mo_test.xyz")).Take(3 * 55).Select(l => l + "\n"));
        File.WriteAllText(input, molecules + cells + molecules);
        byte[]? first = null;
        foreach (var threads in new[] { 1, 2, 3, 5 })
        {
            var output = Path.Combine(dir, $"out{threads}{extension}");
            var (exit, _, err) = CliRunner.Run("fingerprint", input, "--output", output, "--preset", "compact", "--threads", threads.ToString());
            Assert.True(exit == 0, err);
            var bytes = File.ReadAllBytes(output);
            if (first == null) first = bytes;
            else Assert.True(first.AsSpan().SequenceEqual(bytes), $"{threads} threads wrote other bytes than 1 thread");
        }
    }

    [Fact]
    public void TheFirstBadFrameIsReportedForAnyThreadCount()
    {
        // Frame 150 has two atoms on top of each other (an encoding error), frame 190 a malformed line (a parse error).
        var dir = CliRunner.TempDirectory();
        var input = Path.Combine(dir, "bad.xyz");
        var text = new StringBuilder();
        for (var f = 0; f < 200; f++)
        {
            text.Append("3\nProperties=species:S:1:pos:R:3\n");
            text.Append(f == 150 ? "O 0 0 0\nH 0 0 0\n" : "O 0 0 0\nH 0.96 0 0\n");
            text.Append(f == 190 ? "H -0.24 oops 0\n" : "H -0.24 0.93 0\n");
        }
        File.WriteAllText(input, text.ToString());
        foreach (var threads in new[] { 1, 2, 4 })
        {
            var output = Path.Combine(dir, "out.npy");
            var (exit, _, err) = CliRunner.Run("fingerprint", input, "--output", output, "--threads", threads.ToString());
            Assert.Equal(2, exit);
            Assert.Contains("frame 150", err);
            Assert.Contains("on top of each other", err);
            Assert.False(File.Exists(output));
        }

        // Without frame 150's problem the parse error is next: its line (frame 190 starts at line 951) in any block.
        File.WriteAllText(input, text.ToString().Replace("O 0 0 0\nH 0 0 0\n", "O 0 0 0\nH 0.96 0 0\n"));
        foreach (var threads in new[] { 1, 2, 4 })
        {
            var (exit, _, err) = CliRunner.Run("fingerprint", input, "--output", Path.Combine(dir, "out.npy"), "--threads", threads.ToString());
            Assert.Equal(2, exit);
            Assert.Contains("bad.xyz:955: column 3 (pos): 'oops' is not a number", err);
        }
    }
}
