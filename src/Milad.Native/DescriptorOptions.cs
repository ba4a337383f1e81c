using System.Text.Json;
using Milad.Fingerprints;
using Milad.Structures;

namespace Milad.Native;

/// <summary>
/// The settings JSON of milad_descriptor_create: either the command line's options,
/// <c>{"preset": "default", "mode": "molecule", "nmax": 9, "cutoff": 5.0, "weights": {"H": 1, "C": 6},
/// "second_weights": {...}, "include_centre": false}</c> (every key optional; the settings are those `milad fingerprint`
/// builds from the same options), or a full settings object as the library writes it (it has "n_max": the
/// "descriptor" of a fingerprint file or a model file; its cutoff is "cutoff", else "molecule_radius" or
/// "environment_cutoff" by "mode").
/// </summary>
internal static class DescriptorOptions
{
    private static readonly string[] OptionKeys = ["preset", "mode", "nmax", "cutoff", "weights", "second_weights", "include_centre"];

    public static DescriptorSettings Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new InputException($"descriptor settings: invalid JSON ({e.Message.Split('\n')[0]})");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InputException("descriptor settings: not a JSON object");
            var mode = root.TryGetProperty("mode", out var m) ? Text(m, "mode") : "molecule";
            if (mode is not ("molecule" or "environments")) throw new InputException($"descriptor settings: mode must be \"molecule\" or \"environments\", got \"{mode}\"");
            var settings = root.TryGetProperty("n_max", out _) ? Full(root, mode) : FromOptions(root, mode);
            settings.Validate();
            return settings;
        }
    }

    private static DescriptorSettings Full(JsonElement root, string mode)
    {
        var key = root.TryGetProperty("cutoff", out _) ? "cutoff" : mode == "environments" ? "environment_cutoff" : "molecule_radius";
        if (!root.TryGetProperty(key, out _)) throw new InputException($"descriptor settings: no \"{key}\"");
        foreach (var required in new[] { "invariants", "weights", "smooth_cutoff", "include_centre" })
            if (!root.TryGetProperty(required, out _)) throw new InputException($"descriptor settings: no \"{required}\"");
        DescriptorSettings settings;
        try
        {
            settings = DescriptorSettingsJson.Read(root, key);
        }
        catch (InputException e) when (!e.Message.StartsWith("descriptor", StringComparison.Ordinal))
        {
            throw new InputException($"descriptor settings: {e.Message}");
        }
        if (root.TryGetProperty("length", out var length))
        {
            var expected = new Descriptor(settings).Length;
            if (!length.TryGetInt32(out var n) || n != expected)
                throw new InputException($"descriptor settings: \"length\" is {length.GetRawText()}, but n_max {settings.NMax} with {settings.InvariantSet} invariants gives {expected} (settings from another version of milad?)");
        }
        return settings;
    }

    private static DescriptorSettings FromOptions(JsonElement root, string mode)
    {
        foreach (var p in root.EnumerateObject())
            if (Array.IndexOf(OptionKeys, p.Name) < 0)
                throw new InputException($"descriptor settings: unknown key \"{p.Name}\" (expected {string.Join(", ", OptionKeys)}, or a full settings object with \"n_max\")");
        var preset = root.TryGetProperty("preset", out var p0) ? Text(p0, "preset") : "default";
        var s = Presets.Get(preset, mode);
        if (root.TryGetProperty("nmax", out var nmax))
        {
            if (nmax.ValueKind != JsonValueKind.Number || !nmax.TryGetInt32(out var n)) throw new InputException($"descriptor settings: nmax must be an integer, got {nmax.GetRawText()}");
            s = s with { NMax = n };
        }
        if (root.TryGetProperty("cutoff", out var cutoff))
        {
            if (cutoff.ValueKind != JsonValueKind.Number) throw new InputException($"descriptor settings: cutoff must be a number, got {cutoff.GetRawText()}");
            s = s with { Cutoff = cutoff.GetDouble() };
        }
        if (root.TryGetProperty("weights", out var w)) s = s with { Weights = Weights(w, "weights") };
        if (root.TryGetProperty("second_weights", out var w2)) s = s with { SecondWeights = Weights(w2, "second_weights") };
        if (root.TryGetProperty("include_centre", out var centre))
        {
            if (centre.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) throw new InputException($"descriptor settings: include_centre must be true or false, got {centre.GetRawText()}");
            if (centre.GetBoolean()) s = s with { IncludeCentre = true };
        }
        return s;
    }

    private static string Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new InputException($"descriptor settings: {name} must be a string, got {e.GetRawText()}");

    /// <summary>{"H": 1, "C": 6} by symbol (as --weights H=1,C=6), or null for JSON null.</summary>
    private static IReadOnlyDictionary<string, double>? Weights(JsonElement e, string name)
    {
        if (e.ValueKind == JsonValueKind.Null) return null;
        if (e.ValueKind != JsonValueKind.Object) throw new InputException($"descriptor settings: {name} must be an object of element: weight, got {e.GetRawText()}");
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var p in e.EnumerateObject())
        {
            if (!Elements.TryGetAtomicNumber(p.Name, out var z)) throw new InputException($"descriptor settings: {name}: unknown element '{p.Name}'");
            if (p.Value.ValueKind != JsonValueKind.Number) throw new InputException($"descriptor settings: {name}: the weight of {p.Name} is not a number");
            result[Elements.Symbol(z)] = p.Value.GetDouble();
        }
        return result;
    }
}
