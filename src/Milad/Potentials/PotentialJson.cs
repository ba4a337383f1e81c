using System.Text.Json;
using Milad.IO;
using Milad.Structures;

namespace Milad.Potentials;

/// <summary>Small helpers for the model file: numbers are written shortest-round-trip, so a model reads back bit for bit.</summary>
internal static class PotentialJson
{
    public static void WriteArray(Utf8JsonWriter w, string name, ReadOnlySpan<double> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }

    /// <summary>A list of finite numbers (of <paramref name="expectedLength"/> unless it is negative).</summary>
    public static double[] ReadArray(JsonElement e, string name, int expectedLength) =>
        JsonFields.Numbers(Get(e, name), name, expectedLength);

    public static int ReadInt(JsonElement e, string name, int min = int.MinValue, int max = int.MaxValue) =>
        JsonFields.Int(Get(e, name), name, min, max);

    /// <summary>A finite number.</summary>
    public static double ReadDouble(JsonElement e, string name) => JsonFields.Number(Get(e, name), name);

    public static string ReadString(JsonElement e, string name) => JsonFields.String(Get(e, name), name);

    /// <summary>
    /// "species_models": {"Fe": {mean, scale, [coefficientName]}, ...}: the per-species part of an additive term
    /// (pair, magnetic) whose inputs are standardised without projection.
    /// </summary>
    public static void WriteSpeciesModels(Utf8JsonWriter w, IReadOnlyList<int> species, FeatureMap[] maps, string coefficientName, double[][] coefficients)
    {
        w.WriteStartObject("species_models");
        for (var s = 0; s < species.Count; s++)
        {
            w.WriteStartObject(Elements.Symbol(species[s]));
            WriteArray(w, "mean", maps[s].Mean);
            WriteArray(w, "scale", maps[s].Scale);
            WriteArray(w, coefficientName, coefficients[s]);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    /// <summary>Reads what <see cref="WriteSpeciesModels"/> wrote: inputs of <paramref name="length"/>, coefficients of <paramref name="coefficientLength"/>.</summary>
    public static (FeatureMap[] Maps, double[][] Coefficients) ReadSpeciesModels(JsonElement e, int[] species, int length, string coefficientName, int coefficientLength)
    {
        var models = Get(e, "species_models");
        var maps = new FeatureMap[species.Length];
        var coefficients = new double[species.Length][];
        for (var s = 0; s < species.Length; s++)
        {
            var m = Get(models, Elements.Symbol(species[s]));
            maps[s] = new FeatureMap(ReadArray(m, "mean", length), ReadScale(m, length), [], 0);
            coefficients[s] = ReadArray(m, coefficientName, coefficientLength);
        }
        return (maps, coefficients);
    }

    /// <summary>"scale": positive numbers (features are divided by them).</summary>
    public static double[] ReadScale(JsonElement e, int length)
    {
        var scale = ReadArray(e, "scale", length);
        for (var i = 0; i < scale.Length; i++)
            if (!(scale[i] > 0)) throw new InputException($"\"scale\"[{i}] must be positive, got {scale[i]}");
        return scale;
    }

    public static JsonElement Get(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v : throw new InputException($"missing '{name}'");
}
