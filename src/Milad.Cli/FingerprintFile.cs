using System.Text.Json;
using Milad.Fingerprints;
using Milad.IO;

namespace Milad.Cli;

/// <summary>
/// A molecule-mode fingerprint file as `milad fingerprint` writes it:
/// <c>{"descriptor": {..., "molecule_radius", "length"}, "frames": [{"index", "natoms", "formula", "fingerprint"}]}</c>.
/// Everything is checked on reading, so a bad file fails before any decoding starts, with one line naming
/// the file and the frame (the frame's position in "frames", from 0).
/// </summary>
internal sealed class FingerprintFile
{
    private FingerprintFile(string path, string? preset, DescriptorSettings settings, List<Frame> frames)
    {
        Path = path;
        Preset = preset;
        Settings = settings;
        Frames = frames;
    }

    /// <summary>One molecule's fingerprint; <see cref="NAtoms"/> and <see cref="Formula"/> are what the encoder saw, when written.</summary>
    public sealed record Frame(long Index, int? NAtoms, string? Formula, double[] Fingerprint);

    public string Path { get; }

    public string? Preset { get; }

    /// <summary>Molecule-mode settings: the cutoff is the file's "molecule_radius".</summary>
    public DescriptorSettings Settings { get; }

    public IReadOnlyList<Frame> Frames { get; }

    /// <summary>Reads and checks the file; <paramref name="length"/> gives the fingerprint length for the file's settings.</summary>
    public static FingerprintFile Read(string path, Func<DescriptorSettings, int> length)
    {
        if (Directory.Exists(path)) throw new InputException($"{path}: is a folder, not a fingerprint file");
        if (!File.Exists(path)) throw new InputException($"{path}: no such file");
        JsonDocument document;
        try
        {
            var bytes = File.ReadAllBytes(path);
            JsonFields.CheckUtf8(bytes, path);
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw InputException.AtLine(path, (e.LineNumber ?? 0) + 1, $"invalid JSON: {Reason(e.Message)}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("descriptor", out var descriptor) || descriptor.ValueKind != JsonValueKind.Object)
                throw new InputException($"{path}: not a milad fingerprint file (no \"descriptor\" object; write one with milad fingerprint ... --output FILE.json)");
            if (!root.TryGetProperty("frames", out var frames) || frames.ValueKind != JsonValueKind.Array)
                throw new InputException($"{path}: not a milad fingerprint file (no \"frames\" array)");

            foreach (var key in RequiredDescriptorKeys)
                if (!descriptor.TryGetProperty(key, out _))
                    throw new InputException($"{path}: descriptor: no \"{key}\"");
            DescriptorSettings settings;
            try
            {
                settings = DescriptorSettingsJson.Read(descriptor, "molecule_radius");
            }
            catch (InputException e)
            {
                throw new InputException($"{path}: {e.Message}");
            }
            int? written = null;
            string? preset = null;
            try
            {
                // Types first: a malformed "length" fails before the settings cost any work.
                if (descriptor.TryGetProperty("length", out var l)) written = JsonFields.Int(l, "descriptor.length", 0);
                if (descriptor.TryGetProperty("preset", out var p)) preset = JsonFields.String(p, "descriptor.preset");
            }
            catch (InputException e)
            {
                throw new InputException($"{path}: {e.Message}");
            }
            int expected;
            try
            {
                expected = length(settings);
            }
            catch (InputException e)
            {
                throw new InputException($"{path}: {e.Message}");
            }
            if (written is { } n && n != expected)
                throw new InputException($"{path}: descriptor: \"length\" is {n}, but n_max {settings.NMax} with {settings.InvariantSet} invariants gives {expected} (a file from another version of milad?)");

            var list = new List<Frame>(frames.GetArrayLength());
            var k = 0;
            foreach (var frame in frames.EnumerateArray())
            {
                list.Add(ReadFrame(frame, k, expected, settings, path));
                k++;
            }
            if (list.Count == 0) throw new InputException($"{path}: no frames");
            return new FingerprintFile(path, preset, settings, list);
        }
    }

    // Named here so a missing one is reported by name (the settings reader's KeyNotFoundException does not say which).
    private static readonly string[] RequiredDescriptorKeys = ["n_max", "invariants", "weights", "smooth_cutoff", "include_centre", "molecule_radius"];

    private static Frame ReadFrame(JsonElement frame, int k, int expected, DescriptorSettings settings, string path)
    {
        InputException Error(string what) => InputException.AtFrame(path, k, what);
        if (frame.ValueKind != JsonValueKind.Object) throw Error("not a JSON object");
        var isEnvironments = frame.TryGetProperty("environments", out _)
            || (frame.TryGetProperty("mode", out var mode) && mode.ValueKind == JsonValueKind.String && mode.GetString() == "environments");
        if (isEnvironments)
            throw Error("environments-mode fingerprints (one per atom) cannot be decoded into a molecule; write molecule-mode ones with milad fingerprint --mode molecule");
        if (!frame.TryGetProperty("fingerprint", out var values) || values.ValueKind != JsonValueKind.Array)
            throw Error("no \"fingerprint\" array");
        if (values.GetArrayLength() != expected)
            throw Error($"fingerprint of {values.GetArrayLength()} values, but the descriptor (n_max {settings.NMax}, {settings.InvariantSet} invariants) has {expected}");
        var fingerprint = new double[expected];
        var q = 0;
        foreach (var v in values.EnumerateArray())
        {
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out fingerprint[q]) || !double.IsFinite(fingerprint[q]))
                throw Error($"fingerprint value {q} is not a finite number ({Short(v.GetRawText())})");
            q++;
        }
        long index = k;
        int? natoms = null;
        string? formula = null;
        try
        {
            if (frame.TryGetProperty("index", out var i)) index = JsonFields.Long(i, "index");
            if (frame.TryGetProperty("natoms", out var a)) natoms = JsonFields.Int(a, "natoms", 0);
            if (frame.TryGetProperty("formula", out var f)) formula = JsonFields.String(f, "formula");
        }
        catch (InputException e)
        {
            throw Error(e.Message);
        }
        return new Frame(index, natoms, formula, fingerprint);
    }

    private static string Short(string text) => text.Length <= 40 ? text : text[..37] + "...";

    /// <summary>A JsonException's reason without the position it appends (the file's line is given instead).</summary>
    private static string Reason(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut < 0) cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd(' ', '|', '.');
    }
}
