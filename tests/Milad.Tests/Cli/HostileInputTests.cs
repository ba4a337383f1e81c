using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Milad.Tests.Cli;

/// <summary>
/// A corpus of hostile inputs through every command, each made in code in its own temporary folder: every one
/// must end with exit code 2, one line on stderr naming the file, line, frame or option, no output written, the
/// inputs untouched, and in bounded time (a hang guard, not a speed measurement).
/// </summary>
public class HostileInputTests
{
    /// <summary>
    /// One hostile case: its files are made in <c>dir</c> (which holds copies of the base files), and it returns the
    /// command line; every '|'-separated part of <see cref="Expect"/> must be in the error line.
    /// </summary>
    private sealed record Case(string Name, Func<string, string[]> Make, string Expect);

    private static readonly Case[] Cases = [.. CommandLineCases(), .. XyzCases(), .. MlearnCases(), .. FingerprintFileCases(), .. ModelFileCases(), .. ResourceCases()];

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases) data.Add(c.Name);
        return data;
    }

    [Fact]
    public void TheCorpusHasMoreThanAHundredDistinctCases()
    {
        Assert.True(Cases.Length >= 100, $"{Cases.Length} cases");
        Assert.Equal(Cases.Length, Cases.Select(c => c.Name).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void IsRefusedWithOneLineAndNothingWritten(string name)
    {
        var c = Cases.Single(x => x.Name == name);
        var dir = CliRunner.TempDirectory();
        foreach (var f in HostileFiles.Names) File.Copy(Path.Combine(HostileFiles.Directory, f), Path.Combine(dir, f));
        var args = c.Make(dir);
        var before = Snapshot(dir);

        var clock = Stopwatch.StartNew();
        var (exit, stdout, err) = CliRunner.Run(args);
        var seconds = clock.Elapsed.TotalSeconds;

        Assert.True(exit == 2, $"exit {exit}, stderr: {err}, stdout: {stdout}");
        var lines = err.TrimEnd('\n', '\r').Split('\n');
        Assert.True(lines.Length == 1, $"stderr has {lines.Length} lines: {err}");
        Assert.StartsWith("milad: error: ", lines[0]);
        foreach (var part in c.Expect.Split('|'))
            Assert.True(lines[0].Contains(part, StringComparison.Ordinal), $"'{part}' is not in: {lines[0]}");
        Assert.Equal(before, Snapshot(dir)); // nothing written, nothing replaced, no temporary file left
        Assert.True(seconds < 60, $"{seconds:F1} s");
    }

    /// <summary>A fingerprint of the right length is answered, whatever its numbers: values near 1e300 are not decoded, with a reason.</summary>
    [Fact]
    public void FingerprintValuesNearTheLargestDoubleAreNotDecodedWithAReason()
    {
        var dir = CliRunner.TempDirectory();
        var node = HostileFiles.Json("fp.json");
        var values = node["frames"]![0]!["fingerprint"]!.AsArray();
        for (var i = 0; i < values.Count; i++) values[i] = (i % 2 == 0 ? 1 : -1) * 1e300;
        var input = Write(dir, "huge.json", node.ToJsonString());
        var (exit, _, err) = CliRunner.Run("decode", input, "--output", P(dir, "out.xyz"), "--budget", "1");
        Assert.True(exit == 0, err);
        var frame = global::Milad.IO.StructureFiles.Read(P(dir, "out.xyz")).Single();
        Assert.Equal(false, frame.Info["decoded"]);
        Assert.Contains("not decodable", (string)frame.Info["reason"]);
    }

    /// <summary>--test is optional: the report then has train errors and no test section.</summary>
    [Fact]
    public void TrainWithoutATestSetReportsNoTestSection()
    {
        var dir = CliRunner.TempDirectory();
        var report = P(dir, "report.json");
        var (exit, stdout, err) = CliRunner.Run("train", "--train", P(HostileFiles.Directory, "mo.xyz"), "--model", P(dir, "m.json"), "--report", report,
            "--nmax", "4", "--cutoff", "4.5", "--folds", "2");
        Assert.True(exit == 0, err);
        Assert.DoesNotContain("test:", stdout);
        var root = JsonNode.Parse(File.ReadAllText(report))!.AsObject();
        Assert.True(root["train"]!["energy_rmse_mev_per_atom"]!.GetValue<double>() > 0);
        Assert.False(root.ContainsKey("test"));
    }

    /// <summary>--help calls the program milad (whatever runs it) and shows examples for every command.</summary>
    [Theory]
    [InlineData(new string[0], "milad [command]")]
    [InlineData(new[] { "fingerprint" }, "milad fingerprint <INPUT>")]
    [InlineData(new[] { "decode" }, "milad decode <FINGERPRINTS>")]
    [InlineData(new[] { "roundtrip" }, "milad roundtrip <INPUT>")]
    [InlineData(new[] { "train" }, "milad train [options]")]
    [InlineData(new[] { "predict" }, "milad predict <INPUT>")]
    [InlineData(new[] { "bench" }, "milad bench [options]")]
    public void HelpNamesMiladAndShowsExamples(string[] command, string usage)
    {
        var (exit, stdout, _) = CliRunner.Run([.. command, "--help"]);
        Assert.Equal(0, exit);
        Assert.Contains(usage, stdout);
        Assert.DoesNotContain(System.CommandLine.RootCommand.ExecutableName, stdout);
        var examples = stdout[stdout.IndexOf("Examples:", StringComparison.Ordinal)..];
        Assert.Contains($"  milad {(command.Length == 0 ? "" : command[0] + " ")}", examples);
    }

    /// <summary>Name and content hash of every file of the folder (and its subfolders).</summary>
    private static string Snapshot(string dir) => string.Join("\n",
        System.IO.Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => $"{Path.GetRelativePath(dir, f)} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))}"));

    private static string P(string dir, string name) => Path.Combine(dir, name);

    private static string Write(string dir, string name, string text)
    {
        File.WriteAllText(P(dir, name), text);
        return P(dir, name);
    }

    // ---- Command lines ----------------------------------------------------------------------------------

    private static IEnumerable<Case> CommandLineCases()
    {
        Case Fp(string name, string expect, params string[] extra) =>
            new(name, d => ["fingerprint", P(d, "water.xyz"), "--output", P(d, "out.json"), .. extra], expect);
        Case Train(string name, string expect, params string[] extra) =>
            new(name, d => ["train", "--train", P(d, "mo.xyz"), "--model", P(d, "m.json"), "--nmax", "4", "--cutoff", "4.5", .. extra], expect);

        yield return new("cli-misspelt-command", d => ["fingerprnt", P(d, "water.xyz"), "-o", P(d, "out.json")], "'fingerprnt' (did you mean fingerprint?)");
        yield return new("cli-no-command", _ => [], "no command");
        yield return new("cli-unknown-root-option", _ => ["--frobnicate"], "--frobnicate");
        yield return Fp("cli-nmax-not-integer", "--nmax: expected an integer, got 'abc'", "--nmax", "abc");
        yield return Fp("cli-nmax-too-large-integer", "--nmax: expected an integer", "--nmax", "99999999999");
        yield return Fp("cli-cutoff-not-number", "--cutoff: expected a number", "--cutoff", "five");
        yield return Fp("cli-unknown-option-before-output", "unknown option '--bogus'", "--bogus");
        yield return Fp("cli-misspelt-option", "(did you mean --cutoff?)", "--cutof", "3");
        yield return new("cli-missing-output", d => ["fingerprint", P(d, "water.xyz")], "--output");
        yield return Fp("cli-nmax-above-limit", "n_max must be <= 20", "--nmax", "40");
        yield return Fp("cli-nmax-negative", "n_max must be >= 0", "--nmax", "-1");
        yield return Fp("cli-cutoff-zero", "cutoff", "--cutoff", "0");
        yield return Fp("cli-cutoff-infinite", "cutoff", "--cutoff", "1e400");
        yield return Fp("cli-cutoff-huge", "cutoff", "--cutoff", "1e9");
        yield return Fp("cli-weights-not-number", "--weights", "--weights", "H=abc,O=8");
        yield return Fp("cli-weights-unknown-element", "Xx", "--weights", "Xx=1");
        yield return Fp("cli-weights-huge", "weight of H", "--weights", "H=1e300,O=8");
        yield return Fp("cli-weights-zero", "weight of H", "--weights", "H=0,O=8");
        yield return Fp("cli-second-weights-bad", "--second-weights", "--second-weights", "H=");
        yield return Fp("cli-unknown-preset", "nope", "--preset", "nope");
        yield return Fp("cli-unknown-mode", "crystal", "--mode", "crystal");
        yield return Fp("cli-threads-zero", "--threads", "--threads", "0");
        yield return Fp("cli-threads-huge", "--threads", "--threads", "1000000");
        yield return Fp("cli-bad-shard", "--shard", "--shard", "3/2");
        yield return new("cli-fingerprint-unknown-extension", d => ["fingerprint", P(d, "water.xyz"), "-o", P(d, "out.txt")], "out.txt");
        yield return new("cli-fingerprint-output-is-input", d => ["fingerprint", P(d, "mo.json"), "-o", P(d, "mo.json")], "would overwrite the input file");
        yield return new("cli-fingerprint-output-folder-missing", d => ["fingerprint", P(d, "water.xyz"), "-o", P(d, "no/out.json")], "no/out.json");
        yield return new("cli-fingerprint-output-is-folder", d =>
        {
            System.IO.Directory.CreateDirectory(P(d, "sub.json"));
            return ["fingerprint", P(d, "water.xyz"), "-o", P(d, "sub.json")];
        }, "is a folder");
        yield return new("cli-derivatives-to-npy", d => ["fingerprint", P(d, "water.xyz"), "-o", P(d, "out.npy"), "--derivatives"], "--derivatives");
        yield return new("cli-missing-input", d => ["fingerprint", P(d, "missing.xyz"), "-o", P(d, "out.json")], "missing.xyz");
        yield return new("cli-input-unknown-type", d =>
        {
            File.Copy(P(d, "water.xyz"), P(d, "water.pdb"));
            return ["fingerprint", P(d, "water.pdb"), "-o", P(d, "out.json")];
        }, "water.pdb");
        yield return new("cli-input-is-folder", d =>
        {
            System.IO.Directory.CreateDirectory(P(d, "folder.xyz"));
            return ["fingerprint", P(d, "folder.xyz"), "-o", P(d, "out.json")];
        }, "folder.xyz");
        yield return new("cli-decode-output-json", d => ["decode", P(d, "fp.json"), "-o", P(d, "out.json")], "out.json");
        yield return new("cli-decode-budget-zero", d => ["decode", P(d, "fp.json"), "-o", P(d, "out.xyz"), "--budget", "0"], "--budget");
        yield return new("cli-decode-budget-infinite", d => ["decode", P(d, "fp.json"), "-o", P(d, "out.xyz"), "--budget", "1e400"], "--budget");
        yield return new("cli-decode-tolerance-zero", d => ["decode", P(d, "fp.json"), "-o", P(d, "out.xyz"), "--tolerance", "0"], "--tolerance");
        yield return new("cli-decode-tolerance-one", d => ["decode", P(d, "fp.json"), "-o", P(d, "out.xyz"), "--tolerance", "1"], "--tolerance");
        yield return new("cli-roundtrip-tolerance-nan", d => ["roundtrip", P(d, "water.xyz"), "--report", P(d, "r.json"), "--tolerance", "NaN"], "--tolerance");
        yield return new("cli-decode-seed-not-integer", d => ["decode", P(d, "fp.json"), "-o", P(d, "out.xyz"), "--seed", "x"], "--seed: expected an integer");
        yield return new("cli-decode-unknown-option", d => ["decode", P(d, "fp.json"), "--fast", "-o", P(d, "out.xyz")], "--fast");
        yield return new("cli-decode-structure-file", d => ["decode", P(d, "water.xyz"), "-o", P(d, "out.xyz")], "water.xyz");
        yield return new("cli-roundtrip-report-txt", d => ["roundtrip", P(d, "water.xyz"), "--report", P(d, "r.txt")], "r.txt");
        yield return new("cli-roundtrip-plot-jpg", d => ["roundtrip", P(d, "water.xyz"), "--report", P(d, "r.json"), "--plot", P(d, "p.jpg")], "p.jpg");
        yield return new("cli-roundtrip-limit-zero", d => ["roundtrip", P(d, "water.xyz"), "--report", P(d, "r.json"), "--limit", "0"], "--limit");
        yield return new("cli-roundtrip-periodic", d => ["roundtrip", P(d, "mo.xyz"), "--report", P(d, "r.json")], "frame 0");
        yield return new("cli-roundtrip-report-is-input", d => ["roundtrip", P(d, "mo.json"), "--report", P(d, "mo.json")], "would overwrite the input file");
        yield return Train("cli-train-unknown-kind", "cubic", "--kind", "cubic");
        yield return Train("cli-train-learning-rate-huge", "--learning-rate", "--kind", "neural", "--learning-rate", "1e308");
        yield return Train("cli-train-hidden-zero", "--hidden", "--kind", "neural", "--hidden", "0");
        yield return Train("cli-train-hidden-huge", "--hidden", "--kind", "neural", "--hidden", "100000,100000");
        yield return Train("cli-train-quadratic-huge", "--quadratic-components", "--kind", "quadratic", "--quadratic-components", "100000");
        yield return Train("cli-train-folds-one", "--folds", "--folds", "1");
        yield return Train("cli-train-folds-fifty", "--folds", "--folds", "50");
        yield return Train("cli-train-energy-weights-negative", "--energy-weights", "--energy-weights", "-1");
        yield return Train("cli-train-magnetic-power-huge", "--magnetic-powers", "--magnetic-powers", "99");
        yield return Train("cli-train-pair-functions-huge", "--pair-functions", "--pair-cutoff", "5", "--pair-functions", "100000");
        yield return Train("cli-train-radial-exponent-nan", "radial exponent", "--radial-exponent", "NaN");
        yield return Train("cli-train-radial-exponent-ten", "radial exponent", "--radial-exponent", "10");
        yield return Train("cli-train-validation-too-large", "--validation", "--kind", "neural", "--validation", "0.9");
        yield return Train("cli-train-epochs-not-integer", "--epochs: expected an integer", "--epochs", "many");
        yield return new("cli-train-model-xyz", d => ["train", "--train", P(d, "mo.xyz"), "--model", P(d, "m.xyz")], "m.xyz");
        yield return new("cli-train-report-is-input", d => ["train", "--train", P(d, "mo.json"), "--model", P(d, "m.json"), "--report", P(d, "mo.json")], "would overwrite the input file");
        yield return new("cli-train-report-is-model", d => ["train", "--train", P(d, "mo.xyz"), "--model", P(d, "m.json"), "--report", P(d, "m.json")], "same file as --model");
        yield return new("cli-train-no-energies", d => ["train", "--train", P(d, "water.xyz"), "--model", P(d, "m.json")], "water.xyz: frame 0");
        yield return new("cli-train-test-without-energies", d => ["train", "--train", P(d, "mo.xyz"), "--test", P(d, "mols.xyz"), "--model", P(d, "m.json"),
            // The test file is read once the model is final: a small fit keeps the case quick.
            "--nmax", "4", "--cutoff", "4.5", "--folds", "2", "--search-budget", "0"], "mols.xyz: frame 0");
        yield return new("cli-train-test-species-unknown", d =>
        {
            // The test frames with one Mo atom made Nb: the model would not know it, and must not be written.
            var lines = File.ReadAllLines(P(d, "motest.xyz"));
            lines[2] = "Nb" + lines[2].TrimStart()[2..];
            File.WriteAllLines(P(d, "nb.xyz"), lines);
            return ["train", "--train", P(d, "mo.xyz"), "--test", P(d, "nb.xyz"), "--model", P(d, "m.json"), "--nmax", "4", "--cutoff", "4.5", "--folds", "2"];
        }, "Nb");
        yield return new("cli-predict-npy", d => ["predict", "--model", P(d, "model.json"), P(d, "motest.xyz"), "-o", P(d, "p.npy")], "p.npy");
        yield return new("cli-predict-output-is-input", d => ["predict", "--model", P(d, "model.json"), P(d, "motest.xyz"), "-o", P(d, "motest.xyz")], "would overwrite the input file");
        yield return new("cli-predict-missing-model", d => ["predict", "--model", P(d, "none.json"), P(d, "motest.xyz"), "-o", P(d, "p.xyz")], "none.json");
        yield return new("cli-predict-unknown-species", d => ["predict", "--model", P(d, "model.json"), P(d, "water.xyz"), "-o", P(d, "p.xyz")], "water.xyz: frame 0");
        yield return new("cli-predict-model-is-structure", d => ["predict", "--model", P(d, "mo.json"), P(d, "motest.xyz"), "-o", P(d, "p.xyz")], "mo.json");
        yield return new("cli-bench-threads-zero", _ => ["bench", "--threads", "0"], "--threads");
        yield return new("cli-bench-json-txt", d => ["bench", "--json", P(d, "b.txt"), "--only", "decode"], "b.txt");
        yield return new("cli-bench-unknown-benchmark", _ => ["bench", "--only", "nope"], "nope");
    }

    // ---- Extended xyz -----------------------------------------------------------------------------------

    private static IEnumerable<Case> XyzCases()
    {
        Case Xyz(string name, string text, string expect, params string[] extra) =>
            new(name, d => ["fingerprint", Write(d, "bad.xyz", text), "--output", P(d, "out.json"), "--nmax", "4", .. extra], "bad.xyz" + expect);
        const string lattice = "Lattice=\"3.2 0 0 0 3.2 0 0 0 3.2\" pbc=\"T T T\"";

        yield return Xyz("xyz-empty", "", ": no frames");
        yield return Xyz("xyz-blank-lines", "\n\n  \n", ": no frames");
        yield return Xyz("xyz-count-not-number", "three\nwater\nO 0 0 0\n", ":1:");
        yield return Xyz("xyz-count-negative", "-3\nwater\nO 0 0 0\n", ":1:");
        yield return Xyz("xyz-count-huge", "99999999999\nwater\nO 0 0 0\n", ":1:");
        yield return Xyz("xyz-count-too-many", "2000000000\nwater\nO 0 0 0\n", ":1:");
        yield return Xyz("xyz-truncated-atoms", "3\nwater\nO 0 0 0\nH 1 0 0\n", ":1:");
        yield return Xyz("xyz-no-comment", "3\n", ":1:");
        yield return Xyz("xyz-too-few-columns", "2\nx\nO 0 0\nH 1 0 0\n", ":3:");
        yield return Xyz("xyz-too-many-columns", "2\nx\nO 0 0 0 7\nH 1 0 0\n", ":3:");
        yield return Xyz("xyz-position-not-number", "2\nx\nO 0 abc 0\nH 1 0 0\n", ":3:");
        yield return Xyz("xyz-position-nan", "2\nx\nO 0 nan 0\nH 1 0 0\n", ":3:");
        yield return Xyz("xyz-position-infinite", "2\nx\nO 0 1e400 0\nH 1 0 0\n", ":3:");
        yield return Xyz("xyz-unknown-element", "2\nx\nXx 0 0 0\nH 1 0 0\n", ":3:");
        yield return Xyz("xyz-atomic-number-zero", "2\nx\n0 0 0 0\nH 1 0 0\n", ":3:");
        yield return Xyz("xyz-atomic-number-200", "2\nx\n200 0 0 0\nH 1 0 0\n", ":3:");
        yield return Xyz("xyz-lattice-eight-numbers", $"1\nLattice=\"1 0 0 0 1 0 0 1\"\nMo 0 0 0\n", ":2:");
        yield return Xyz("xyz-lattice-nan", $"1\nLattice=\"nan 0 0 0 1 0 0 0 1\"\nMo 0 0 0\n", ":2:");
        yield return Xyz("xyz-lattice-degenerate", $"1\nLattice=\"1 0 0 2 0 0 0 0 1\"\nMo 0 0 0\n", ":2:");
        yield return Xyz("xyz-pbc-without-lattice", "1\npbc=\"T T T\"\nMo 0 0 0\n", ":2:");
        yield return Xyz("xyz-pbc-bad", $"1\nLattice=\"3 0 0 0 3 0 0 0 3\" pbc=\"T maybe T\"\nMo 0 0 0\n", ":2:");
        yield return Xyz("xyz-properties-malformed", "1\nProperties=species:S\nMo 0 0 0\n", ":2:");
        yield return Xyz("xyz-properties-no-positions", "1\nProperties=species:S:1:charge:R:1\nMo 0\n", ":2:");
        yield return Xyz("xyz-unbalanced-quote", "1\nLattice=\"3 0 0 0 3 0 0 0 3\nMo 0 0 0\n", ":2:");
        yield return Xyz("xyz-integer-column-not-integer", "1\nProperties=species:S:1:pos:R:3:tag:I:1\nMo 0 0 0 x\n", ":3:");
        yield return Xyz("xyz-binary-garbage", "\u0001\u0002\u00ff\u0000garbage\n\u0007\n", ":1:");
        yield return Xyz("xyz-second-frame-bad", "1\nx\nO 0 0 0\n1\ny\nO 0 0\n", ":6:");
        yield return Xyz("xyz-zero-atoms", "0\nempty\n", ": frame 0");
        yield return Xyz("xyz-coincident-atoms", "2\nx\nO 0 0 0\nH 0 0 0\n", ": frame 0");
        yield return Xyz("xyz-outside-molecule-radius", "2\nx\nO 0 0 0\nH 100 0 0\n", ": frame 0");
        yield return Xyz("xyz-periodic-no-neighbours", "1\nLattice=\"100 0 0 0 100 0 0 0 100\" pbc=\"T T T\"\nMo 0 0 0\n", ": frame 0");
        yield return Xyz("xyz-periodic-coincident", $"2\n{lattice}\nMo 0 0 0\nMo 3.2 0 0\n", ": frame 0");
        yield return Xyz("xyz-molecule-with-weights-missing-species", "2\nx\nO 0 0 0\nH 1 0 0\n", ": frame 0", "--weights", "O=8");
    }

    // ---- mlearn JSON ------------------------------------------------------------------------------------

    private static IEnumerable<Case> MlearnCases()
    {
        Case Raw(string name, string text, string expect) =>
            new(name, d => ["fingerprint", Write(d, "bad.json", text), "--output", P(d, "out.json"), "--nmax", "4"], "bad.json" + expect);
        Case Item(string name, Action<JsonNode> change, string expect) => new(name, d =>
        {
            var node = HostileFiles.Json("mo.json");
            change(node[0]!);
            return ["fingerprint", Write(d, "bad.json", node.ToJsonString()), "--output", P(d, "out.json"), "--nmax", "4"];
        }, "bad.json: frame 0|" + expect);
        JsonNode Structure(JsonNode item) => item["structure"]!;
        JsonNode Site(JsonNode item) => item["structure"]!["sites"]![0]!;

        yield return Raw("mlearn-not-json", "this is not json", ":1:");
        yield return Raw("mlearn-object-not-array", "{\"structure\": 1}", ":1:");
        yield return Raw("mlearn-empty-array", "[]", ": no frames");
        yield return Raw("mlearn-truncated", HostileFiles.Text("mo.json")[..200], "");
        yield return Raw("mlearn-trailing-garbage", HostileFiles.Text("mo.json") + " xyz", "");
        yield return Raw("mlearn-deep-nesting", new string('[', 5000) + new string(']', 5000), "");
        yield return Raw("mlearn-item-number", "[5]", ": frame 0");
        yield return new("mlearn-string-not-utf8", d =>
        {
            var bytes = Encoding.UTF8.GetBytes(HostileFiles.Text("mo.json").Replace("\"tag\": \"", "\"tag\": \"\u00ff"));
            bytes[Array.IndexOf(bytes, (byte)0xC3)] = 0xBB;
            File.WriteAllBytes(P(d, "bad.json"), bytes);
            return ["fingerprint", P(d, "bad.json"), "--output", P(d, "out.json"), "--nmax", "4"];
        }, "bad.json:1: not UTF-8 text");
        yield return Item("mlearn-no-structure", i => i.AsObject().Remove("structure"), "structure");
        yield return Item("mlearn-lattice-number", i => Structure(i)["lattice"] = 5, "structure.lattice");
        yield return Item("mlearn-matrix-string", i => Structure(i)["lattice"]!["matrix"] = "x", "lattice.matrix");
        yield return Item("mlearn-matrix-two-rows", i => Structure(i)["lattice"]!["matrix"]!.AsArray().RemoveAt(2), "lattice.matrix");
        yield return Item("mlearn-matrix-entry-string", i => Structure(i)["lattice"]!["matrix"]![0]![0] = "1", "lattice.matrix[0]");
        yield return Item("mlearn-matrix-entry-infinite", i => Structure(i)["lattice"]!["matrix"]![0]![0] = JsonNode.Parse("1e400"), "lattice.matrix[0]");
        yield return Item("mlearn-matrix-degenerate", i => Structure(i)["lattice"]!["matrix"]![1] = Structure(i)["lattice"]!["matrix"]![0]!.DeepClone(), "degenerate");
        yield return Item("mlearn-sites-number", i => Structure(i)["sites"] = 5, "sites");
        yield return Item("mlearn-site-string", i => Structure(i)["sites"]![0] = "Mo", "site 0");
        yield return Item("mlearn-species-number", i => Site(i)["species"] = 5, "site 0");
        yield return Item("mlearn-species-entry-number", i => Site(i)["species"] = new JsonArray(5), "sites[0].species[0]");
        yield return Item("mlearn-species-empty", i => Site(i)["species"] = new JsonArray(), "site 0");
        yield return Item("mlearn-element-number", i => Site(i)["species"]![0]!["element"] = 42, "site 0");
        yield return Item("mlearn-element-unknown", i => Site(i)["species"]![0]!["element"] = "Xx", "Xx");
        yield return Item("mlearn-occupancy-string", i => Site(i)["species"]![0]!["occu"] = "x", "occu");
        yield return Item("mlearn-occupancy-half", i => Site(i)["species"]![0]!["occu"] = 0.5, "disordered");
        yield return Item("mlearn-xyz-two-numbers", i => Site(i)["xyz"] = new JsonArray(1, 2), "sites[0].xyz");
        yield return Item("mlearn-xyz-strings", i => Site(i)["xyz"] = new JsonArray("1", "2", "3"), "sites[0].xyz");
        yield return Item("mlearn-no-positions", i => { Site(i).AsObject().Remove("xyz"); Site(i).AsObject().Remove("abc"); }, "site 0");
        yield return Item("mlearn-num-atoms-string", i => i["num_atoms"] = "x", "num_atoms");
        yield return Item("mlearn-num-atoms-wrong", i => i["num_atoms"] = 3, "num_atoms");
        yield return Item("mlearn-outputs-number", i => i["outputs"] = 5, "outputs");
        yield return Item("mlearn-energy-string", i => i["outputs"]!["energy"] = "x", "outputs.energy");
        yield return Item("mlearn-energy-infinite", i => i["outputs"]!["energy"] = JsonNode.Parse("1e400"), "outputs.energy");
        yield return Item("mlearn-forces-short", i => i["outputs"]!["forces"]!.AsArray().RemoveAt(0), "outputs.forces");
        yield return Item("mlearn-force-entry-null", i => i["outputs"]!["forces"]![0]![1] = null, "outputs.forces[0]");
    }

    // ---- Fingerprint files (decode) ---------------------------------------------------------------------

    private static IEnumerable<Case> FingerprintFileCases()
    {
        Case Raw(string name, string text, string expect) =>
            new(name, d => ["decode", Write(d, "bad.json", text), "--output", P(d, "out.xyz"), "--budget", "1"], "bad.json" + expect);
        Case Fp(string name, Action<JsonNode> change, string expect) => new(name, d =>
        {
            var node = HostileFiles.Json("fp.json");
            change(node);
            return ["decode", Write(d, "bad.json", node.ToJsonString()), "--output", P(d, "out.xyz"), "--budget", "1"];
        }, "bad.json|" + expect);
        JsonNode D(JsonNode n) => n["descriptor"]!;
        JsonNode F(JsonNode n) => n["frames"]![0]!;

        yield return Raw("fp-not-json", "{", ":");
        yield return Raw("fp-array", "[1, 2]", ": not a milad fingerprint file");
        yield return Raw("fp-empty-file", "", ":");
        yield return Fp("fp-no-descriptor", n => n.AsObject().Remove("descriptor"), "not a milad fingerprint file");
        yield return Fp("fp-descriptor-number", n => n["descriptor"] = 5, "not a milad fingerprint file");
        yield return Fp("fp-no-frames", n => n.AsObject().Remove("frames"), "frames");
        yield return Fp("fp-frames-object", n => n["frames"] = new JsonObject(), "frames");
        yield return Fp("fp-frames-empty", n => n["frames"] = new JsonArray(), "no frames");
        yield return Fp("fp-no-nmax", n => D(n).AsObject().Remove("n_max"), "descriptor: no \"n_max\"");
        yield return Fp("fp-nmax-string", n => D(n)["n_max"] = "7", "descriptor.n_max");
        yield return Fp("fp-nmax-fraction", n => D(n)["n_max"] = 7.5, "descriptor.n_max");
        yield return Fp("fp-nmax-40", n => D(n)["n_max"] = 40, "n_max must be <= 20");
        yield return Fp("fp-nmax-above-decoder-limit", n => D(n)["n_max"] = 18, "the decoder takes n_max up to 16");
        yield return Fp("fp-nmax-negative", n => D(n)["n_max"] = -1, "n_max");
        yield return Fp("fp-invariants-number", n => D(n)["invariants"] = 5, "descriptor.invariants");
        yield return Fp("fp-invariants-unknown", n => D(n)["invariants"] = "all", "all");
        yield return Fp("fp-weights-number", n => D(n)["weights"] = 5, "descriptor.weights");
        yield return Fp("fp-weights-unknown-string", n => D(n)["weights"] = "mass", "descriptor.weights");
        yield return Fp("fp-weight-string", n => D(n)["weights"] = new JsonObject { ["H"] = "x" }, "descriptor.weights.H");
        yield return Fp("fp-weight-unknown-element", n => D(n)["weights"] = new JsonObject { ["Xx"] = 1 }, "Xx");
        yield return Fp("fp-weight-infinite", n => D(n)["weights"] = new JsonObject { ["H"] = JsonNode.Parse("1e400") }, "descriptor.weights.H");
        yield return Fp("fp-weight-huge", n => D(n)["weights"] = new JsonObject { ["H"] = 1e300 }, "weight of H");
        yield return Fp("fp-second-weights-number", n => D(n)["second_weights"] = 5, "descriptor.second_weights");
        yield return Fp("fp-smooth-cutoff-number", n => D(n)["smooth_cutoff"] = 5, "descriptor.smooth_cutoff");
        yield return Fp("fp-include-centre-string", n => D(n)["include_centre"] = "no", "descriptor.include_centre");
        yield return Fp("fp-radius-string", n => D(n)["molecule_radius"] = "7.5", "descriptor.molecule_radius");
        yield return Fp("fp-radius-zero", n => D(n)["molecule_radius"] = 0, "cutoff");
        yield return Fp("fp-length-string", n => D(n)["length"] = "x", "descriptor.length");
        yield return Fp("fp-length-wrong", n => D(n)["length"] = 3, "\"length\" is 3");
        yield return Fp("fp-preset-number", n => D(n)["preset"] = 7, "descriptor.preset");
        yield return Fp("fp-frame-number", n => n["frames"]![0] = 5, "frame 0");
        yield return Fp("fp-no-fingerprint", n => F(n).AsObject().Remove("fingerprint"), "frame 0");
        yield return Fp("fp-fingerprint-short", n => F(n)["fingerprint"]!.AsArray().RemoveAt(0), "frame 0");
        yield return Fp("fp-fingerprint-value-string", n => F(n)["fingerprint"]![3] = "x", "frame 0: fingerprint value 3");
        yield return Fp("fp-fingerprint-value-infinite", n => F(n)["fingerprint"]![3] = JsonNode.Parse("1e400"), "frame 0: fingerprint value 3");
        yield return Fp("fp-index-string", n => F(n)["index"] = "x", "frame 0: \"index\"");
        yield return Fp("fp-natoms-string", n => F(n)["natoms"] = "x", "frame 0: \"natoms\"");
        yield return Fp("fp-formula-number", n => F(n)["formula"] = 5, "frame 0: \"formula\"");
        yield return new("fp-string-not-utf8", d =>
        {
            var text = HostileFiles.Json("fp.json");
            text["frames"]![0]!["formula"] = "H2O";
            var bytes = Encoding.UTF8.GetBytes(text.ToJsonString().Replace("H2O", "H2\u00ff"));
            bytes[Array.IndexOf(bytes, (byte)0xC3)] = 0xBB; // an invalid UTF-8 byte in a string System.Text.Json reads lazily
            File.WriteAllBytes(P(d, "bad.json"), bytes);
            return ["decode", P(d, "bad.json"), "--output", P(d, "out.xyz")];
        }, "bad.json:1: not UTF-8 text");
        yield return Fp("fp-environments", n => F(n)["environments"] = new JsonArray(), "frame 0: environments");
    }

    // ---- Model files (predict) --------------------------------------------------------------------------

    private static IEnumerable<Case> ModelFileCases()
    {
        Case Raw(string name, string text, string expect) =>
            new(name, d => ["predict", "--model", Write(d, "bad.json", text), P(d, "motest.xyz"), "--output", P(d, "out.xyz")], "bad.json" + expect);
        Case Model(string name, Action<JsonNode> change, string expect) => new(name, d =>
        {
            var node = HostileFiles.Json("model.json");
            change(node);
            return ["predict", "--model", Write(d, "bad.json", node.ToJsonString()), P(d, "motest.xyz"), "--output", P(d, "out.xyz")];
        }, "bad.json|" + expect);
        JsonNode D(JsonNode n) => n["descriptor"]!;
        JsonNode Mo(JsonNode n) => n["species_models"]!["Mo"]!;

        yield return Raw("model-not-json", "{\"format\": ", "");
        yield return Raw("model-array", "[]", ": not a milad potential");
        yield return Model("model-format-wrong", n => n["format"] = "other", "not a milad potential");
        yield return Model("model-version-string", n => n["version"] = "1", "version");
        yield return Model("model-version-future", n => n["version"] = 99, "version 99");
        yield return Model("model-kind-number", n => n["kind"] = 5, "kind");
        yield return Model("model-kind-unknown", n => n["kind"] = "cubic", "cubic");
        yield return Model("model-descriptor-number", n => n["descriptor"] = 5, "descriptor");
        yield return Model("model-nmax-40", n => D(n)["n_max"] = 40, "n_max must be <= 20");
        yield return Model("model-cutoff-huge", n => D(n)["cutoff"] = 1e6, "cutoff");
        yield return Model("model-cutoff-string", n => D(n)["cutoff"] = "4.5", "descriptor.cutoff");
        yield return Model("model-length-string", n => D(n)["length"] = "x", "descriptor.length");
        yield return Model("model-length-wrong", n => D(n)["length"] = 3, "invariants");
        yield return Model("model-species-number", n => n["species"] = 5, "species");
        yield return Model("model-species-unknown", n => n["species"] = new JsonArray("Xx"), "Xx");
        yield return Model("model-species-models-number", n => n["species_models"] = 5, "Mo");
        yield return Model("model-species-model-missing", n => n["species_models"]!.AsObject().Remove("Mo"), "Mo");
        yield return Model("model-reference-energy-string", n => Mo(n)["reference_energy"] = "x", "reference_energy");
        yield return Model("model-linear-infinite", n => Mo(n)["linear"]![0] = JsonNode.Parse("1e400"), "linear[0]");
        yield return Model("model-linear-short", n => Mo(n)["linear"]!.AsArray().RemoveAt(0), "linear");
        yield return Model("model-linear-entry-string", n => Mo(n)["linear"]![0] = "x", "linear[0]");
        yield return Model("model-mean-number", n => Mo(n)["mean"] = 5, "mean");
        yield return Model("model-scale-zero", n => Mo(n)["scale"]![0] = 0, "scale");
        yield return Model("model-components-string", n => Mo(n)["components"] = "x", "components");
        yield return Model("model-components-negative", n => Mo(n)["components"] = -1, "components");
        yield return Model("model-quadratic-wrong-length", n => Mo(n)["quadratic"] = new JsonArray(1, 2), "quadratic");
        // Finite but enormous: the total energy overflows, which must be an error, not NaN written with exit 0.
        yield return new("model-energy-overflows", d =>
        {
            var node = HostileFiles.Json("model.json");
            Mo(node)["reference_energy"] = 1.7e308;
            return ["predict", "--model", Write(d, "bad.json", node.ToJsonString()), P(d, "motest.xyz"), "--output", P(d, "out.xyz")];
        }, "motest.xyz: frame 0: the model predicts a value that is not a finite number");
        yield return Model("model-pair-functions-huge", n =>
        {
            n["version"] = 2;
            n["pair"] = new JsonObject { ["cutoff"] = 5, ["functions"] = 100000000, ["inner"] = 1.5, ["neighbour_species"] = new JsonArray("Mo") };
        }, "functions");
    }

    // ---- Resource bombs ---------------------------------------------------------------------------------

    private static IEnumerable<Case> ResourceCases()
    {
        yield return new("bomb-tiny-cell", d => ["fingerprint",
            Write(d, "bad.xyz", "2\nLattice=\"0.01 0 0 0 0.01 0 0 0 0.01\" pbc=\"T T T\"\nMo 0 0 0\nMo 0.005 0.005 0.005\n"),
            "--output", P(d, "out.json"), "--nmax", "4"], "bad.xyz: frame 0: about");
        yield return new("bomb-atom-far-outside-cell", d => ["fingerprint",
            Write(d, "bad.xyz", "2\nLattice=\"3 0 0 0 3 0 0 0 3\" pbc=\"T T T\"\nMo 0 0 0\nMo 1e12 1.5 1.5\n"),
            "--output", P(d, "out.json"), "--nmax", "4"], "bad.xyz: frame 0: atom 1");
        yield return new("bomb-cutoff-huge-on-crystal", d => ["fingerprint", P(d, "mo.xyz"), "--output", P(d, "out.json"), "--nmax", "4", "--cutoff", "900"],
            "mo.xyz: frame 0");
        yield return new("bomb-jacobian-of-large-cell", d =>
        {
            // 512 atoms: the environments' Jacobians would hold 512 x 3 x 512 x (invariants) numbers, gigabytes.
            var text = new StringBuilder("512\nLattice=\"24 0 0 0 24 0 0 0 24\" pbc=\"T T T\"\n");
            for (var i = 0; i < 8; i++)
                for (var j = 0; j < 8; j++)
                    for (var k = 0; k < 8; k++)
                        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"Mo {3 * i} {3 * j} {3 * k}\n");
            return ["fingerprint", Write(d, "big.xyz", text.ToString()), "--output", P(d, "out.json"), "--derivatives"];
        }, "big.xyz: frame 0: the Jacobian");
        yield return new("bomb-train-pair-cutoff-huge", d => ["train", "--train", P(d, "mo.xyz"), "--model", P(d, "m.json"), "--nmax", "4", "--cutoff", "4.5",
            "--pair-cutoff", "900"], "mo.xyz");
        yield return new("bomb-predict-model-cutoff-huge", d =>
        {
            var node = HostileFiles.Json("model.json");
            node["descriptor"]!["cutoff"] = 900;
            return ["predict", "--model", Write(d, "big.json", node.ToJsonString()), P(d, "motest.xyz"), "--output", P(d, "out.xyz")];
        }, "motest.xyz: frame 0");
        yield return new("bomb-roundtrip-nmax-40", d => ["roundtrip", P(d, "water.xyz"), "--report", P(d, "r.json"), "--nmax", "40"], "n_max");
        yield return new("bomb-roundtrip-nmax-18", d => ["roundtrip", P(d, "water.xyz"), "--report", P(d, "r.json"), "--nmax", "18"], "the decoder takes n_max up to 16");
        yield return new("bomb-train-nmax-40", d => ["train", "--train", P(d, "mo.xyz"), "--model", P(d, "m.json"), "--nmax", "40"], "n_max");
        yield return new("bomb-train-cutoff-huge", d => ["train", "--train", P(d, "mo.xyz"), "--model", P(d, "m.json"), "--nmax", "4", "--cutoff", "900"], "mo.xyz");
    }
}
