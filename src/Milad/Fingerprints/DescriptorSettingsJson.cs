using System.Text.Json;
using Milad.IO;

namespace Milad.Fingerprints;

/// <summary>
/// Descriptor settings as a JSON object (in fingerprint files and model files):
/// <c>{"n_max", "invariants", "cutoff", "weights" (object by symbol, or "atomic-number"), "second_weights" (optional object by symbol), "smooth_cutoff", "include_centre", "radial_exponent" (optional, 1 when absent)}</c>.
/// </summary>
public static class DescriptorSettingsJson
{
    /// <summary>Writes the settings' properties into the current JSON object (no braces), with the resulting fingerprint length.</summary>
    public static void WriteProperties(Utf8JsonWriter w, DescriptorSettings s, bool includeCutoff = true)
    {
        w.WriteNumber("n_max", s.NMax);
        w.WriteString("invariants", s.InvariantSet);
        if (includeCutoff) w.WriteNumber("cutoff", s.Cutoff);
        if (s.Weights == null) w.WriteString("weights", "atomic-number");
        else
        {
            w.WriteStartObject("weights");
            foreach (var (symbol, weight) in s.Weights) w.WriteNumber(symbol, weight);
            w.WriteEndObject();
        }
        if (s.SecondWeights != null)
        {
            w.WriteStartObject("second_weights");
            foreach (var (symbol, weight) in s.SecondWeights) w.WriteNumber(symbol, weight);
            w.WriteEndObject();
        }
        w.WriteBoolean("smooth_cutoff", s.SmoothCutoff);
        w.WriteBoolean("include_centre", s.IncludeCentre);
        if (s.RadialExponent != 1) w.WriteNumber("radial_exponent", s.RadialExponent);
    }

    /// <summary>
    /// Reads settings from a JSON object; <paramref name="cutoffKey"/> names the radius to use. A missing field,
    /// a value of the wrong JSON type or out of range is a one-line <see cref="InputException"/> naming the field
    /// ("descriptor.n_max must be an integer, got a string ("7")").
    /// </summary>
    public static DescriptorSettings Read(JsonElement e, string cutoffKey = "cutoff")
    {
        JsonFields.Object(e, "descriptor");
        JsonElement Field(string name) => JsonFields.Get(e, name, $"descriptor.{name}");
        var weights = Field("weights");
        var s = new DescriptorSettings
        {
            NMax = JsonFields.Int(Field("n_max"), "descriptor.n_max"),
            InvariantSet = JsonFields.String(Field("invariants"), "descriptor.invariants"),
            Cutoff = JsonFields.Number(Field(cutoffKey), $"descriptor.{cutoffKey}"),
            Weights = weights.ValueKind == JsonValueKind.String && weights.GetString() == "atomic-number"
                ? null
                : Table(weights, "descriptor.weights"),
            SecondWeights = JsonFields.TryGet(e, "second_weights", out var second) ? Table(second, "descriptor.second_weights") : null,
            SmoothCutoff = JsonFields.Bool(Field("smooth_cutoff"), "descriptor.smooth_cutoff"),
            IncludeCentre = JsonFields.Bool(Field("include_centre"), "descriptor.include_centre"),
            RadialExponent = JsonFields.TryGet(e, "radial_exponent", out var exponent) ? JsonFields.Number(exponent, "descriptor.radial_exponent") : 1,
        };
        try
        {
            s.Validate();
        }
        catch (InputException ex)
        {
            throw new InputException($"descriptor: {ex.Message}");
        }
        return s;
    }

    /// <summary>{"H": 1, "C": 6}: an object of finite numbers by element symbol (checked further by Validate).</summary>
    private static Dictionary<string, double> Table(JsonElement e, string label)
    {
        if (e.ValueKind != JsonValueKind.Object) throw JsonFields.Wrong(label, "an object of weights by element (or \"atomic-number\")", e);
        var table = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var p in e.EnumerateObject()) table[p.Name] = JsonFields.Number(p.Value, $"{label}.{p.Name}");
        return table;
    }
}
