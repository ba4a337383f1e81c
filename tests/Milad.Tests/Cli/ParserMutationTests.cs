using System.Text;
using Milad.Cli;
using Milad.Tests.Potentials;
using Decoder = Milad.Decoding.Decoder;
using Milad.Fingerprints;
using Milad.IO;
using Milad.Potentials;
using Milad.Structures;

namespace Milad.Tests.Cli;

/// <summary>
/// Mutation test of every parser, in process: real files (small slices of ../shared/data, and files milad itself
/// writes) with seeded random byte flips, truncations, deletions, insertions of hostile tokens and values replaced by
/// values of another JSON type. Whatever
/// comes of a mutated file, reading it (and using what was read: encoding the frames, decoding a fingerprint,
/// predicting with a model) either works or throws <see cref="InputException"/>; never another exception, and
/// never a hang (each case runs under a time limit).
/// </summary>
public partial class ParserMutationTests
{
    private const int Mutants = 400;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    // Settings small enough that encoding a mutated frame costs milliseconds.
    private static readonly Descriptor Molecule = new(new DescriptorSettings { NMax = 3, Cutoff = 7.5 });
    private static readonly Descriptor Environments = new(new DescriptorSettings { NMax = 3, Cutoff = 4 });

    [Fact]
    public void ExtendedXyzMutants()
    {
        var qm9 = string.Join('\n', File.ReadLines(TestData.File("molecules", "qm9_first100.xyz")).Take(18)) + "\n";
        var boxed = string.Join('\n', File.ReadLines(TestData.File("molecules", "qm9_derived_985.xyz")).Take(2 + 13)) + "\n";
        var fe = FirstFrames(TestData.File("fe", "fe_train.xyz"), s => s.Count <= 4, 2); // stress_kbar, magmom
        var written = new StringWriter();
        foreach (var s in PotentialTestData.Mo(2).Frames) global::Milad.IO.ExtendedXyz.Write(written, s); // as milad writes it
        var sources = new[] { qm9, boxed, fe, written.ToString() }.Select(Encoding.UTF8.GetBytes).ToArray();
        Check(sources, bytes =>
        {
            using var reader = new StreamReader(new MemoryStream(bytes));
            foreach (var s in global::Milad.IO.ExtendedXyz.Read(reader, "mutant.xyz")) Use(s);
        });
    }

    [Fact]
    public void MlearnJsonMutants()
    {
        var source = File.ReadAllBytes(Path.Combine(HostileFiles.Directory, "mo.json"));
        Check([source], bytes =>
        {
            using var stream = new MemoryStream(bytes);
            foreach (var s in global::Milad.IO.MlearnJson.Read(stream, "mutant.json")) Use(s);
        });
    }

    [Fact]
    public void FingerprintJsonMutants()
    {
        var dir = CliRunner.TempDirectory();
        var molecules = Path.Combine(HostileFiles.Directory, "mols.xyz");
        var written = Path.Combine(dir, "fp.json");
        var (exit, _, err) = CliRunner.Run("fingerprint", molecules, "--output", written, "--preset", "paper", "--nmax", "3");
        Assert.True(exit == 0, err);
        var source = File.ReadAllBytes(written);
        var lengths = new Dictionary<(int, string, bool), int>();
        var decoder = new Decoder(new DescriptorSettings { NMax = 3, InvariantSet = "complete", Cutoff = 7.5 });
        var path = Path.Combine(dir, "mutant.json");
        Check([source], bytes =>
        {
            File.WriteAllBytes(path, bytes);
            var file = FingerprintFile.Read(path, s =>
            {
                var key = (s.NMax, s.InvariantSet, s.SecondWeights != null);
                lock (lengths)
                    if (!lengths.TryGetValue(key, out var n)) lengths[key] = n = new Descriptor(s).Length;
                return lengths[key];
            });
            // Whatever numbers a fingerprint of the right length holds, the decoder answers (decoded or not, with a reason).
            if (file.Settings == decoder.Settings)
                foreach (var frame in file.Frames.Take(1))
                    Assert.False(string.IsNullOrEmpty(decoder.Decode(frame.Fingerprint, TimeSpan.FromSeconds(0.05)).Reason));
        }, parallel: false);
    }

    [Fact]
    public void ModelJsonMutants()
    {
        var dir = CliRunner.TempDirectory();
        var source = File.ReadAllBytes(Path.Combine(HostileFiles.Directory, "model.json"));
        var frame = PotentialTestData.Mo(1).Frames[0];
        var path = Path.Combine(dir, "mutant.json");
        Check([source], bytes =>
        {
            File.WriteAllBytes(path, bytes);
            _ = PotentialFile.Read(path).Predict(frame);
        }, parallel: false);
    }

    /// <summary>The first <paramref name="count"/> frames of a file that <paramref name="keep"/> accepts, as milad writes them.</summary>
    private static string FirstFrames(string path, Func<Structure, bool> keep, int count)
    {
        var w = new StringWriter();
        foreach (var s in StructureFiles.Read(path).Where(keep).Take(count)) global::Milad.IO.ExtendedXyz.Write(w, s);
        return w.ToString();
    }

    /// <summary>What a command does with a frame it read: encode it (molecule or environments).</summary>
    private static void Use(Structure s)
    {
        if (s.IsPeriodic) Environments.EncodeEnvironments(s);
        else Molecule.Encode(new Structure(s.AtomicNumbers, s.Positions));
    }

    /// <summary>Every mutant of every source through <paramref name="parse"/>: only InputException may leave it, and in bounded time.</summary>
    private static void Check(byte[][] sources, Action<byte[]> parse, bool parallel = true)
    {
        var failures = new List<string>();
        var cases = Enumerable.Range(0, Mutants).SelectMany(seed => sources.Select((s, k) => (Seed: seed, Source: k))).ToArray();
        void Run((int Seed, int Source) c)
        {
            var (bytes, what) = Mutate(sources[c.Source], new Random(1000 * c.Source + c.Seed));
            var task = Task.Run(() =>
            {
                try { parse(bytes); }
                catch (InputException) { }
            });
            string? failure = null;
            try
            {
                if (!task.Wait(Limit)) failure = $"no answer within {Limit.TotalSeconds} s";
            }
            catch (AggregateException e)
            {
                var inner = e.InnerException!;
                failure = $"{inner.GetType().Name}: {inner.Message} {inner.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}";
            }
            if (failure != null)
                lock (failures) failures.Add($"source {c.Source} seed {c.Seed} ({what}): {failure}");
        }
        if (parallel) Parallel.ForEach(cases, new ParallelOptions { MaxDegreeOfParallelism = 2 }, Run);
        else foreach (var c in cases) Run(c);
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Length} mutants:\n" + string.Join("\n", failures.Take(20)));
    }

    private static readonly byte[] Palette = Encoding.ASCII.GetBytes("0123456789-+.eE\"',:;[]{} \n\t=TFxnN");

    private static readonly string[] Tokens =
        ["1e400", "-1e400", "1e300", "-1", "0", "-0", "NaN", "Infinity", "nan", "inf", "99999999999", "2147483648", "\"x\"", "null", "true",
         "[", "]", "{", "}", ",", "\n", "\"", "Lattice=\"0.01 0 0 0 0.01 0 0 0 0.01\" ", "pbc=\"T T T\" ", "Properties=species:S:1 ", "1e12", "\uFEFF"];

    private static readonly string[] Values =
        ["\"x\"", "\"7\"", "5", "-1", "0", "0.5", "1e400", "-1e400", "1e300", "2147483648", "null", "true", "{}", "[]", "[5]", "{\"a\": 1}", "[[1, 2, 3]]"];

    /// <summary>A JSON number or string (or an xyz number).</summary>
    [System.Text.RegularExpressions.GeneratedRegex("-?[0-9][0-9.eE+-]*|\"[^\"\\n]*\"")]
    private static partial System.Text.RegularExpressions.Regex ValueToken();

    /// <summary>The document with one value (an object's field half the time) replaced by one of <see cref="Values"/>; null if it is not JSON.</summary>
    private static (byte[] Bytes, string What)? ReplaceJsonValue(byte[] bytes, Random random)
    {
        System.Text.Json.Nodes.JsonNode? root;
        if (!System.Text.Unicode.Utf8.IsValid(bytes)) return null; // JsonNode would throw on its strings
        try { root = System.Text.Json.Nodes.JsonNode.Parse(bytes); }
        catch (System.Text.Json.JsonException) { return null; }
        if (root == null) return null;
        var fields = new List<(System.Text.Json.Nodes.JsonNode Parent, string? Key, int Index)>();
        var all = new List<(System.Text.Json.Nodes.JsonNode Parent, string? Key, int Index)>();
        void Walk(System.Text.Json.Nodes.JsonNode node)
        {
            if (node is System.Text.Json.Nodes.JsonObject o)
                foreach (var (key, child) in o.ToArray())
                {
                    fields.Add((o, key, -1));
                    all.Add((o, key, -1));
                    if (child != null) Walk(child);
                }
            else if (node is System.Text.Json.Nodes.JsonArray a)
                for (var i = 0; i < a.Count; i++)
                {
                    all.Add((a, null, i));
                    if (a[i] != null) Walk(a[i]!);
                }
        }
        // An earlier mutation (an inserted slice) may have repeated a key: JsonNode parses that but cannot list it.
        try { Walk(root); }
        catch (ArgumentException) { return null; }
        if (all.Count == 0) return null;
        var (parent, name, index) = fields.Count > 0 && random.Next(2) == 0 ? fields[random.Next(fields.Count)] : all[random.Next(all.Count)];
        var value = Values[random.Next(Values.Length)];
        var node = System.Text.Json.Nodes.JsonNode.Parse(value == "1e400" || value == "-1e400" ? "0" : value);
        if (name != null) parent[name] = node;
        else parent[index] = node;
        var json = root.ToJsonString();
        // JsonNode cannot hold 1e400: it is spliced in as text.
        if (value is "1e400" or "-1e400")
        {
            var marker = name != null ? $"\"{name}\":0" : null;
            if (marker != null && json.Contains(marker, StringComparison.Ordinal))
                json = json.Replace(marker, $"\"{name}\":{value}");
        }
        return (Encoding.UTF8.GetBytes(json), $"set {(name != null ? $"\"{name}\"" : $"[{index}]")} to {value}");
    }

    /// <summary>One to four seeded mutations of <paramref name="source"/>, and what they were (to reproduce a failure).</summary>
    private static (byte[] Bytes, string What) Mutate(byte[] source, Random random)
    {
        var bytes = new List<byte>(source);
        var what = new List<string>();
        for (var m = random.Next(1, 5); m > 0 && bytes.Count > 0; m--)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(8))
            {
                case 5 or 6 or 7:
                    // A value of another JSON type (or out of range) where a value was: a field of a JSON object half the
                    // time (few, and each read by a different line of code), else any value; in text, any number or string.
                    if (ReplaceJsonValue(bytes.ToArray(), random) is { } replaced)
                    {
                        bytes = [.. replaced.Bytes];
                        what.Add(replaced.What);
                        break;
                    }
                    var text = Encoding.Latin1.GetString(bytes.ToArray());
                    var value = ValueToken().Match(text, at);
                    if (!value.Success) goto case 0;
                    var replacement = Values[random.Next(Values.Length)];
                    bytes.RemoveRange(value.Index, value.Length);
                    bytes.InsertRange(value.Index, Encoding.UTF8.GetBytes(replacement));
                    what.Add($"replace {value.Index} '{value.Value}' by '{replacement}'");
                    break;
                case 0:
                    bytes[at] = random.Next(4) == 0 ? (byte)random.Next(256) : Palette[random.Next(Palette.Length)];
                    what.Add($"flip {at}");
                    break;
                case 1:
                    bytes.RemoveRange(at, bytes.Count - at);
                    what.Add($"truncate {at}");
                    break;
                case 2:
                    var n = Math.Min(random.Next(1, 17), bytes.Count - at);
                    bytes.RemoveRange(at, n);
                    what.Add($"delete {at}+{n}");
                    break;
                case 3:
                    var token = Tokens[random.Next(Tokens.Length)];
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(token));
                    what.Add($"insert {at} '{token.Replace("\n", "\\n")}'");
                    break;
                default:
                    // A slice of the file itself, elsewhere: repeated keys, lines and brackets.
                    var from = random.Next(bytes.Count);
                    var length = Math.Min(random.Next(1, 65), bytes.Count - from);
                    bytes.InsertRange(at, bytes.GetRange(from, length));
                    what.Add($"copy {from}+{length} to {at}");
                    break;
            }
        }
        return (bytes.ToArray(), string.Join(", ", what));
    }
}
