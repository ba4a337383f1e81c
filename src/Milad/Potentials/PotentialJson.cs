using System.Text.Json;
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

    public static double[] ReadArray(JsonElement e, string name, int expectedLength)
    {
        var a = Get(e, name);
        if (a.ValueKind != JsonValueKind.Array) throw new InputException($"'{name}' is not an array");
        var result = new double[a.GetArrayLength()];
        if (expectedLength >= 0 && result.Length != expectedLength)
            throw new InputException($"'{name}' has {result.Length} numbers, expected {expectedLength}");
        var i = 0;
        foreach (var x in a.EnumerateArray())
        {
            if (x.ValueKind != JsonValueKind.Number) throw new InputException($"'{name}'[{i}] is not a number");
            result[i++] = x.GetDouble();
        }
        return result;
    }

    public static int ReadInt(JsonElement e, string name)
    {
        var x = Get(e, name);
        return x.ValueKind == JsonValueKind.Number && x.TryGetInt32(out var v) ? v : throw new InputException($"'{name}' is not an integer");
    }

    public static double ReadDouble(JsonElement e, string name)
    {
        var x = Get(e, name);
        return x.ValueKind == JsonValueKind.Number ? x.GetDouble() : throw new InputException($"'{name}' is not a number");
    }

    public static string ReadString(JsonElement e, string name)
    {
        var x = Get(e, name);
        return x.ValueKind == JsonValueKind.String ? x.GetString()! : throw new InputException($"'{name}' is not a string");
    }

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
            maps[s] = new FeatureMap(ReadArray(m, "mean", length), ReadArray(m, "scale", length), [], 0);
            coefficients[s] = ReadArray(m, coefficientName, coefficientLength);
        }
        return (maps, coefficients);
    }

    public static JsonElement Get(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v : throw new InputException($"missing '{name}'");
}
