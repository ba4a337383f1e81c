using System.Text.Json;

namespace Milad.Fingerprints;

/// <summary>
/// Descriptor settings as a JSON object (in fingerprint files and model files):
/// <c>{"n_max", "invariants", "cutoff", "weights" (object by symbol, or "atomic-number"), "second_weights" (optional object by symbol), "smooth_cutoff", "include_centre"}</c>.
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
    }

    /// <summary>Reads settings from a JSON object; <paramref name="cutoffKey"/> names the radius to use. Throws <see cref="InputException"/> on a malformed object.</summary>
    public static DescriptorSettings Read(JsonElement e, string cutoffKey = "cutoff")
    {
        try
        {
            var weights = e.GetProperty("weights");
            var s = new DescriptorSettings
            {
                NMax = e.GetProperty("n_max").GetInt32(),
                InvariantSet = e.GetProperty("invariants").GetString()!,
                Cutoff = e.GetProperty(cutoffKey).GetDouble(),
                Weights = weights.ValueKind == JsonValueKind.Object
                    ? weights.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble())
                    : weights.GetString() == "atomic-number" ? null : throw new InputException($"descriptor: unknown weights '{weights.GetString()}'"),
                SecondWeights = e.TryGetProperty("second_weights", out var second)
                    ? second.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble())
                    : null,
                SmoothCutoff = e.GetProperty("smooth_cutoff").GetBoolean(),
                IncludeCentre = e.GetProperty("include_centre").GetBoolean(),
            };
            s.Validate();
            return s;
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InputException($"descriptor settings: {ex.Message}");
        }
    }
}
