using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Milad.IO;
using Milad.Structures;
using Milad.Tests.Potentials;

namespace Milad.Tests.Cli;

/// <summary>
/// `--shard I/N` and `milad fingerprint --threads`: the pieces of N shards, concatenated, are the unsharded
/// output byte for byte, and the output does not depend on the number of threads.
/// </summary>
public partial class ShardCommandTests
{
    private static List<Structure> Examples() =>
        StructureFiles.Read(Path.Combine(TestData.RepositoryRoot, "examples", "molecules.xyz")).ToList();

    /// <summary>Five molecules in two files (3 + 2), so frame indices run across inputs.</summary>
    private static string[] MoleculeInputs(string dir)
    {
        var all = Examples();
        var a = Path.Combine(dir, "a.xyz");
        var b = Path.Combine(dir, "b.xyz");
        ExtendedXyz.Write(a, all.Take(3));
        ExtendedXyz.Write(b, all.Skip(3).Take(2));
        return [a, b];
    }

    /// <summary>Two periodic Mo frames (one fingerprint per atom) and one molecule, in one file.</summary>
    private static string[] EnvironmentInputs(string dir)
    {
        var mo = StructureFiles.Read(TestData.File("mlearn", "Mo_test.xyz")).Take(2).ToList();
        var path = Path.Combine(dir, "mo.xyz");
        ExtendedXyz.Write(path, [mo[0], Examples()[0], mo[1]]);
        return [path];
    }

    /// <summary>Runs one command per shard (N = 1 is unsharded) and returns the pieces' bytes in shard order.</summary>
    private static List<byte[]> RunShards(int n, string output, Func<string, string[]> args)
    {
        var pieces = new List<byte[]>();
        for (var i = 1; i <= n; i++)
        {
            var path = n == 1 ? output : $"{output}.{i}{Path.GetExtension(output)}";
            var shardArgs = n == 1 ? args(path) : [.. args(path), "--shard", $"{i}/{n}"];
            var (exit, _, err) = CliRunner.Run(shardArgs);
            Assert.True(exit == 0, $"shard {i}/{n}: {err}");
            pieces.Add(File.ReadAllBytes(path));
        }
        return pieces;
    }

    private static byte[] Concatenate(IEnumerable<byte[]> pieces) => pieces.SelectMany(p => p).ToArray();

    [Theory]
    [InlineData(".json", "molecule")]
    [InlineData(".csv", "molecule")]
    [InlineData(".npy", "molecule")]
    [InlineData(".json", "environments")]
    [InlineData(".csv", "environments")]
    [InlineData(".npy", "environments")]
    public void FingerprintShardsConcatenateToTheUnshardedFile(string extension, string mode)
    {
        var dir = CliRunner.TempDirectory();
        var inputs = mode == "molecule" ? MoleculeInputs(dir) : EnvironmentInputs(dir);
        var frames = inputs.Sum(i => StructureFiles.Read(i).Count());
        string[] Args(string output, int threads) =>
            ["fingerprint", .. inputs, "--output", output, "--preset", "compact", "--nmax", "3", "--threads", threads.ToString()];

        var whole = Path.Combine(dir, "whole" + extension);
        var reference = RunShards(1, whole, o => Args(o, 1))[0];
        // Threads change nothing: two threads encode the frames of a batch side by side.
        var twoThreads = RunShards(1, Path.Combine(dir, "two" + extension), o => Args(o, 2))[0];
        Assert.Equal(reference, twoThreads);

        foreach (var n in new[] { 2, 3, frames + 2 })
        {
            var pieces = RunShards(n, Path.Combine(dir, $"n{n}{extension}"), o => Args(o, 2));
            Assert.Equal(reference, Concatenate(pieces));
            if (n > frames) // some shards have no frames: they write nothing but their part of the format's start and end
                Assert.Contains(pieces.Skip(1).SkipLast(1), p => p.Length == 0);
        }

        // The whole file is what its format says: every frame, global indices, the total row count.
        var rows = mode == "molecule" ? frames : inputs.SelectMany(i => StructureFiles.Read(i)).Sum(s => s.IsPeriodic ? s.Count : 1);
        if (extension == ".json")
        {
            using var doc = JsonDocument.Parse(reference);
            var indices = doc.RootElement.GetProperty("frames").EnumerateArray().Select(f => f.GetProperty("index").GetInt32());
            Assert.Equal(Enumerable.Range(0, frames), indices);
        }
        else if (extension == ".csv")
            Assert.Equal(rows + 1, Encoding.UTF8.GetString(reference).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        else
            Assert.Contains($"'shape': ({rows}, ", Encoding.ASCII.GetString(reference, 0, 128));
    }

    [Fact]
    public void JsonPiecesAreNotJsonButTheFirstHoldsTheDescriptor()
    {
        var dir = CliRunner.TempDirectory();
        var inputs = MoleculeInputs(dir);
        var pieces = RunShards(2, Path.Combine(dir, "fp.json"), o => ["fingerprint", .. inputs, "--output", o, "--preset", "compact", "--nmax", "3"]);
        var first = Encoding.UTF8.GetString(pieces[0]);
        var second = Encoding.UTF8.GetString(pieces[1]);
        Assert.StartsWith("{\"descriptor\":", first);
        Assert.EndsWith("}", first);
        Assert.StartsWith(",{\"index\":2,", second); // shard 2 of 5 frames starts at frame 2
        Assert.EndsWith("]}", second);
    }

    [Fact]
    public void AFrameErrorInAShardNamesItsFileAndFrameAndTheFirstBadFrameWins()
    {
        var dir = CliRunner.TempDirectory();
        var good = Examples().Take(3).ToList();
        var a = Path.Combine(dir, "a.xyz");
        var b = Path.Combine(dir, "b.xyz");
        ExtendedXyz.Write(a, good);
        // b: frame 0 and frame 1 both have two atoms on top of each other.
        var bad = new Structure([1, 1], [new(0, 0, 0), new(0, 0, 0)]);
        ExtendedXyz.Write(b, [bad, bad, good[0]]);
        var output = Path.Combine(dir, "fp.json");
        var (exit, _, err) = CliRunner.Run("fingerprint", a, b, "--output", output, "--shard", "2/2", "--threads", "2");
        Assert.Equal(2, exit);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.Contains($"{b}: frame 0:", err);
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
        // Shard 1 (frames 0-2, all in a.xyz) does not see the bad frames.
        (exit, _, err) = CliRunner.Run("fingerprint", a, b, "--output", output, "--shard", "1/2");
        Assert.True(exit == 0, err);
    }

    /// <summary>More frames than a batch (64), so the next batch is read while one is encoded.</summary>
    [Fact]
    public void ManyFramesGiveTheSameBytesForAnyThreadsAndShards()
    {
        var dir = CliRunner.TempDirectory();
        var all = Examples();
        var input = Path.Combine(dir, "many.xyz");
        ExtendedXyz.Write(input, Enumerable.Range(0, 150).Select(k => all[k % all.Count]));
        string[] Args(string o, int threads) => ["fingerprint", input, "--output", o, "--preset", "compact", "--nmax", "2", "--threads", threads.ToString()];
        var reference = RunShards(1, Path.Combine(dir, "one.csv"), o => Args(o, 1))[0];
        Assert.Equal(reference, RunShards(1, Path.Combine(dir, "two.csv"), o => Args(o, 2))[0]);
        Assert.Equal(reference, Concatenate(RunShards(3, Path.Combine(dir, "s.csv"), o => Args(o, 2))));
        Assert.Equal(151, Encoding.UTF8.GetString(reference).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void TheFirstBadFrameIsReportedWhateverTheThreads(int threads)
    {
        var dir = CliRunner.TempDirectory();
        var all = Examples();
        var frames = Enumerable.Range(0, 150).Select(k => all[k % all.Count]).ToList();
        frames[100] = new Structure([1, 1], [new(0, 0, 0), new(0, 0, 0)]); // atoms on top of each other
        var input = Path.Combine(dir, "many.xyz");
        ExtendedXyz.Write(input, frames.Take(140));
        File.AppendAllText(input, "2\n\nH 0 0 0\nH 0 0\n"); // frame 140: an atom line with two coordinates
        var output = Path.Combine(dir, "fp.npy");
        var (exit, _, err) = CliRunner.Run("fingerprint", input, "--output", output, "--preset", "compact", "--nmax", "2", "--threads", threads.ToString());
        Assert.Equal(2, exit);
        Assert.StartsWith($"milad: error: {input}: frame 100:", err);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.False(File.Exists(output));
    }

    [Theory]
    [InlineData("0/2")]
    [InlineData("3/2")]
    [InlineData("x")]
    [InlineData("1/0")]
    [InlineData("1/2/3")]
    public void BadShardIsOneLineAndExitCode2(string shard)
    {
        var dir = CliRunner.TempDirectory();
        var input = MoleculeInputs(dir)[0];
        var output = Path.Combine(dir, "out.xyz");
        string[][] commands =
        [
            ["fingerprint", input, "--output", Path.Combine(dir, "fp.json")],
            ["decode", Path.Combine(dir, "missing.json"), "--output", output],
            ["predict", "--model", Path.Combine(dir, "missing.json"), input, "--output", output],
            ["roundtrip", input, "--report", Path.Combine(dir, "report.json")],
        ];
        foreach (var command in commands)
        {
            var (exit, stdout, err) = CliRunner.Run([.. command, "--shard", shard]);
            Assert.Equal(2, exit);
            Assert.Equal("", stdout);
            var lines = err.TrimEnd().Split('\n');
            Assert.Single(lines);
            Assert.Contains("--shard", lines[0]);
            Assert.Contains(shard, lines[0]);
        }
        Assert.Equal([input], Directory.GetFiles(dir).Where(f => !f.EndsWith("b.xyz", StringComparison.Ordinal)));
    }

    [Fact]
    public void DecodeShardsConcatenateToTheUnshardedFile()
    {
        var dir = CliRunner.TempDirectory();
        // Three molecules the paper preset decodes in a fraction of a second.
        var names = new[] { "water", "acetylene", "carbon dioxide" };
        var molecules = Examples().Where(s => names.Contains((string)s.Info["name"])).ToList();
        var input = Path.Combine(dir, "m.xyz");
        ExtendedXyz.Write(input, molecules);
        var fingerprints = Path.Combine(dir, "fp.json");
        var (exit, _, err) = CliRunner.Run("fingerprint", input, "--output", fingerprints, "--preset", "paper");
        Assert.True(exit == 0, err);

        // A generous budget: a result that depends on the wall clock would differ between runs.
        string[] Args(string o) => ["decode", fingerprints, "--output", o, "--budget", "60", "--threads", "1"];
        var reference = WithoutSeconds(RunShards(1, Path.Combine(dir, "whole.xyz"), Args)[0]);
        Assert.Equal(3, StructureFiles.Read(Path.Combine(dir, "whole.xyz")).Count(s => (bool)s.Info["decoded"]));
        foreach (var n in new[] { 2, 3, 5 })
        {
            var pieces = RunShards(n, Path.Combine(dir, $"n{n}.xyz"), Args);
            Assert.Equal(reference, WithoutSeconds(Concatenate(pieces)));
            if (n == 5) Assert.Contains(pieces, p => p.Length == 0);
        }
    }

    /// <summary>The decoding time per frame is wall time, the one part of decode's output that differs between runs.</summary>
    private static string WithoutSeconds(byte[] xyz) => SecondsField().Replace(Encoding.UTF8.GetString(xyz), "seconds=_");

    [GeneratedRegex(@"seconds=[0-9.eE+-]+")]
    private static partial Regex SecondsField();

    [Fact]
    public void PredictShardsConcatenateToTheUnshardedFile()
    {
        var dir = CliRunner.TempDirectory();
        var frames = PotentialTestData.Mo(7).Frames;
        var train = Path.Combine(dir, "train.xyz");
        var test = Path.Combine(dir, "test.xyz");
        ExtendedXyz.Write(train, frames.Take(4));
        ExtendedXyz.Write(test, frames.Skip(4));
        var model = Path.Combine(dir, "model.json");
        var (exit, _, err) = CliRunner.Run("train", "--train", train, "--test", test, "--model", model, "--kind", "linear",
            "--nmax", "3", "--cutoff", "4.5", "--folds", "2");
        Assert.True(exit == 0, err);

        string[] Args(string o) => ["predict", "--model", model, test, "--output", o];
        var reference = RunShards(1, Path.Combine(dir, "whole.xyz"), Args)[0];
        Assert.Equal(3, StructureFiles.Read(Path.Combine(dir, "whole.xyz")).Count(s => s.Energy is { } e && double.IsFinite(e)));
        foreach (var n in new[] { 2, 3, 5 })
        {
            var pieces = RunShards(n, Path.Combine(dir, $"n{n}.xyz"), Args);
            Assert.Equal(reference, Concatenate(pieces));
            if (n == 5) Assert.Contains(pieces, p => p.Length == 0);
        }
    }

    [Fact]
    public void RoundtripShardReportsItsBlockWithGlobalIndices()
    {
        var dir = CliRunner.TempDirectory();
        var names = new[] { "water", "acetylene", "carbon dioxide" };
        var input = Path.Combine(dir, "m.xyz");
        ExtendedXyz.Write(input, Examples().Where(s => names.Contains((string)s.Info["name"])));
        var report = Path.Combine(dir, "r.json");
        var (exit, stdout, err) = CliRunner.Run("roundtrip", input, input, "--report", report, "--preset", "paper", "--threads", "1",
            "--limit", "5", "--shard", "2/2");
        Assert.True(exit == 0, err);
        Assert.Contains("shard 2/2: frames 2 to 4 of 5", stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(report));
        var results = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([2, 3, 4], results.Select(r => r.GetProperty("index").GetInt32()));
        Assert.Equal([2, 0, 1], results.Select(r => r.GetProperty("frame").GetInt32()));
        Assert.Equal(3, doc.RootElement.GetProperty("summary").GetProperty("molecules").GetInt32());
        var shard = doc.RootElement.GetProperty("shard");
        Assert.Equal(2, shard.GetProperty("first").GetInt32());
        Assert.Equal(5, shard.GetProperty("total").GetInt32());
    }
}
