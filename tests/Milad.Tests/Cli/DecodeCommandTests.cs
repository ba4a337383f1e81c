using System.Text.Json;
using System.Text.Json.Nodes;
using Milad.Cli;
using Milad.Decoding;
using Milad.Fingerprints;
using Milad.IO;
using Milad.Structures;
using Xunit.Abstractions;

namespace Milad.Tests.Cli;

public class DecodeCommandTests(ITestOutputHelper output)
{
    // Example molecules the paper preset decodes in well under a second each: linear, planar, octahedral,
    // and both enantiomers of CHFClBr (only the pseudoscalars tell them apart). Benzene is left out: at
    // n_max 7 it is not decoded and would spend the whole budget.
    private static readonly string[] Names = ["water", "acetylene", "carbon dioxide", "ethylene", "sulfur hexafluoride", "methanol"];

    private static string ExampleSubset(string dir)
    {
        var all = StructureFiles.Read(Path.Combine(TestData.RepositoryRoot, "examples", "molecules.xyz")).ToList();
        var chosen = all.Where(s => s.Info.TryGetValue("name", out var n) && (Names.Contains((string)n) || ((string)n).Contains("bromochlorofluoro"))).ToList();
        Assert.Equal(Names.Length + 2, chosen.Count);
        var path = Path.Combine(dir, "molecules.xyz");
        ExtendedXyz.Write(path, chosen);
        return path;
    }

    private static double RelativeDistance(double[] a, double[] b)
    {
        double diff = 0, norm = 0;
        for (var i = 0; i < a.Length; i++)
        {
            diff += (a[i] - b[i]) * (a[i] - b[i]);
            norm += b[i] * b[i];
        }
        return Math.Sqrt(diff / norm);
    }

    [Fact]
    public void DecodedExampleMoleculesReencodeToTheirFingerprints()
    {
        var dir = CliRunner.TempDirectory();
        var fingerprints = Path.Combine(dir, "fp.json");
        var decoded = Path.Combine(dir, "decoded.xyz");
        var (exit, _, err) = CliRunner.Run("fingerprint", ExampleSubset(dir), "--output", fingerprints, "--preset", "paper");
        Assert.True(exit == 0, err);
        (exit, var stdout, err) = CliRunner.Run("decode", fingerprints, "--output", decoded, "--budget", "5");
        Assert.True(exit == 0, err);
        output.WriteLine(stdout);

        using var doc = JsonDocument.Parse(File.ReadAllText(fingerprints));
        var frames = doc.RootElement.GetProperty("frames");
        var molecules = StructureFiles.Read(decoded).ToList();
        Assert.Equal(frames.GetArrayLength(), molecules.Count); // one frame per input frame, none skipped
        var descriptor = new Descriptor(Presets.Get("paper"));
        var decodedCount = 0;
        for (var i = 0; i < molecules.Count; i++)
        {
            var m = molecules[i];
            Assert.Equal((long)i, m.Info["index"]); // same order
            Assert.True(m.Info.ContainsKey("seconds"));
            if (m.Info["decoded"] is not true)
            {
                Assert.False(string.IsNullOrWhiteSpace(m.Info["reason"] as string));
                output.WriteLine($"frame {i} not decoded: {m.Info["reason"]}");
                continue;
            }
            decodedCount++;
            var expected = frames[i].GetProperty("fingerprint").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var again = descriptor.Encode(m).Values;
            var distance = RelativeDistance(again, expected);
            output.WriteLine($"frame {i} {m.Formula}: re-encoded to {distance:E2} (decoder says {m.Info["residual"]})");
            Assert.Equal(frames[i].GetProperty("formula").GetString(), m.Formula);
            Assert.True(distance < 1e-5, $"frame {i}: decoded structure re-encodes to {distance:E2} of the fingerprint");
        }
        // The CLI is tested here, not the decoder's reach; but a run where nothing decodes tests nothing.
        Assert.True(decodedCount >= molecules.Count / 2, $"only {decodedCount} of {molecules.Count} decoded");
    }

    [Fact]
    public void UndecodableFrameIsWrittenWithReason()
    {
        var dir = CliRunner.TempDirectory();
        var fingerprints = Path.Combine(dir, "fp.json");
        var (exit, _, err) = CliRunner.Run("fingerprint", ExampleSubset(dir), "--output", fingerprints, "--preset", "paper");
        Assert.True(exit == 0, err);
        // Water's fingerprint with every invariant scaled by a random 1-1.3: no arrangement of atoms has it.
        var root = JsonNode.Parse(File.ReadAllText(fingerprints))!;
        var frames = root["frames"]!.AsArray();
        var rng = new Random(3);
        var noisy = new JsonArray(frames[0]!["fingerprint"]!.AsArray().Select(v => (JsonNode?)JsonValue.Create(v!.GetValue<double>() * (1 + 0.3 * rng.NextDouble()))).ToArray());
        frames[0]!["fingerprint"] = noisy;
        while (frames.Count > 1) frames.RemoveAt(1);
        File.WriteAllText(fingerprints, root.ToJsonString());

        var decoded = Path.Combine(dir, "decoded.xyz");
        (exit, _, err) = CliRunner.Run("decode", fingerprints, "--output", decoded, "--work", "1000", "--threads", "1");
        Assert.True(exit == 0, err);
        var frame = Assert.Single(StructureFiles.Read(decoded));
        Assert.Equal(false, frame.Info["decoded"]);
        Assert.Contains("not decodable", (string)frame.Info["reason"]);
    }

    [Fact]
    public void FrameWithoutCandidateHasNoAtomsAndReadsBack()
    {
        var frame = new FingerprintFile.Frame(7, 3, "H2O", new double[4]);
        var written = DecodeCommand.DecodedFrame(frame, new DecodeResult(null, false, "no candidate atoms\n(moments residual 1)", double.PositiveInfinity, 0.25));
        var writer = new StringWriter();
        ExtendedXyz.Write(writer, written);
        var back = Assert.Single(ExtendedXyz.Read(new StringReader(writer.ToString()), "mem"));
        Assert.Equal(0, back.Count);
        Assert.Equal(false, back.Info["decoded"]);
        Assert.Equal(7L, back.Info["index"]);
        Assert.Equal("no candidate atoms (moments residual 1)", back.Info["reason"]);
        Assert.False(back.Info.ContainsKey("residual")); // infinity has no place in the file
        Assert.Equal("H2O", back.Info["input_formula"]);
    }

    /// <summary>Bad fingerprint files, made from a good one by <c>edit</c>; the error must name the file and what.</summary>
    public static TheoryData<string, string> BadFiles => new()
    {
        { "malformed", "invalid JSON" },
        { "wrong-length", "frame 1: fingerprint of 100 values" },
        { "environments", "frame 0: environments-mode" },
        { "no-descriptor", "no \"descriptor\"" },
        { "no-nmax", "descriptor: no \"n_max\"" },
        { "no-fingerprint", "frame 1: no \"fingerprint\"" },
        { "not-a-number", "frame 0: fingerprint value 5 is not a finite number" },
        { "no-frames", "no frames" },
        { "bad-length-field", "\"length\" is 17" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void BadFingerprintFileIsOneLineExitTwoAndNoOutput(string kind, string expected)
    {
        var dir = CliRunner.TempDirectory();
        var good = Path.Combine(dir, "good.json");
        var (exit, _, err) = CliRunner.Run("fingerprint", Path.Combine(TestData.RepositoryRoot, "examples", "molecules.xyz"), "--output", good, "--preset", "compact", "--nmax", "3");
        Assert.True(exit == 0, err);
        var text = File.ReadAllText(good);
        var root = JsonNode.Parse(text)!;
        var frames = root["frames"]!.AsArray();
        switch (kind)
        {
            case "malformed": text = text[..(text.Length / 2)]; break;
            case "wrong-length": frames[1]!["fingerprint"] = new JsonArray(Enumerable.Range(0, 100).Select(i => (JsonNode?)JsonValue.Create(1.0)).ToArray()); break;
            case "environments":
                var env = frames[0]!.AsObject();
                var fp = env["fingerprint"]!.DeepClone();
                env.Remove("fingerprint");
                env["mode"] = "environments";
                env["environments"] = new JsonArray(new JsonObject { ["atom"] = 0, ["species"] = "O", ["fingerprint"] = fp });
                break;
            case "no-descriptor": root.AsObject().Remove("descriptor"); break;
            case "no-nmax": root["descriptor"]!.AsObject().Remove("n_max"); break;
            case "no-fingerprint": frames[1]!.AsObject().Remove("fingerprint"); break;
            case "not-a-number": frames[0]!["fingerprint"]![5] = "1.0"; break;
            case "no-frames": frames.Clear(); break;
            case "bad-length-field": root["descriptor"]!["length"] = 17; break;
        }
        if (kind != "malformed") text = root.ToJsonString();
        var input = Path.Combine(dir, kind + ".json");
        File.WriteAllText(input, text);
        var decoded = Path.Combine(dir, "decoded.xyz");
        (exit, _, err) = CliRunner.Run("decode", input, "--output", decoded);
        Assert.Equal(2, exit);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
        Assert.Contains(input, err);
        Assert.Contains(expected, err);
        Assert.False(File.Exists(decoded));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public void MissingInputMissingOutputFolderAndBadOptions()
    {
        var dir = CliRunner.TempDirectory();
        var good = Path.Combine(dir, "good.json");
        var (exit, _, err) = CliRunner.Run("fingerprint", Path.Combine(TestData.RepositoryRoot, "examples", "molecules.xyz"), "--output", good, "--preset", "compact", "--nmax", "3");
        Assert.True(exit == 0, err);
        var cases = new (string[] Args, string Expected)[]
        {
            (["decode", Path.Combine(dir, "absent.json"), "--output", Path.Combine(dir, "o.xyz")], "absent.json: no such file"),
            (["decode", good, "--output", Path.Combine(dir, "no", "such", "o.xyz")], "output directory does not exist"),
            (["decode", good, "--output", Path.Combine(dir, "o.json")], "extended xyz"),
            (["decode", good, "--output", Path.Combine(dir, "o.xyz"), "--budget", "0"], "--budget"),
            (["decode", good, "--output", Path.Combine(dir, "o.xyz"), "--threads", "0"], "--threads"),
            (["decode", good], "--output"),
        };
        foreach (var (args, expected) in cases)
        {
            (exit, _, err) = CliRunner.Run(args);
            Assert.Equal(2, exit);
            Assert.Single(err.TrimEnd('\n').Split('\n'));
            Assert.Contains(expected, err);
        }
        Assert.Equal(["good.json"], Directory.GetFiles(dir).Select(Path.GetFileName));
        (exit, _, _) = CliRunner.Run("decode", "--help");
        Assert.Equal(0, exit);
    }
}
