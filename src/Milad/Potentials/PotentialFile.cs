using System.Text.Json;
using Milad.Fingerprints;
using Milad.IO;
using Milad.Structures;

namespace Milad.Potentials;

/// <summary>
/// The model file: versioned JSON with everything prediction needs, so a model predicts exactly as it was
/// trained on any machine (numbers are written shortest-round-trip and read back bit for bit):
/// <code>
/// {"format": "milad-potential", "version": 1, "kind": "linear" | "quadratic" | "neural",
///  "descriptor": {n_max, invariants, cutoff, weights, smooth_cutoff, include_centre, [radial_exponent (version 4),] length},
///  "species": ["Ni", ...],
///  "species_models": {"Ni": {reference_energy, mean, scale, components, projection, linear, quadratic
///                            [, network: {components, mean, scale, projection, activation, layers: [{inputs, outputs, weights, bias}]}]}},
///  ["pair": {cutoff, functions, inner, neighbour_species, species_models: {"Ni": {mean, scale, linear}}},]   (version 2 and later)
///  ["magnetic": {moments: "magmom", powers: [2, 4], species_models: {"Fe": {mean, scale, coefficients}}},]   (version 3)
///  "training": {...facts about the fit...}}
/// </code>
/// </summary>
public static class PotentialFile
{
    public const string Format = "milad-potential";

    /// <summary>
    /// The newest file version this build writes and reads: 2 adds the optional "pair" term, 3 the optional "magnetic"
    /// term, 4 the descriptor's "radial_exponent". A model is written with the lowest version that holds it (1 without
    /// any), so older builds read what they can predict with and refuse the rest.
    /// </summary>
    public const int Version = 4;

    public static void Write(Stream stream, Potential potential)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("format", Format);
        w.WriteNumber("version", potential.Descriptor.Settings.RadialExponent != 1 ? 4 : potential.Magnetic != null ? 3 : potential.Pair != null ? 2 : 1);
        w.WriteString("kind", potential.Kind);
        w.WriteStartObject("descriptor");
        DescriptorSettingsJson.WriteProperties(w, potential.Descriptor.Settings);
        w.WriteNumber("length", potential.Descriptor.Length);
        w.WriteEndObject();
        w.WriteStartArray("species");
        foreach (var z in potential.Species) w.WriteStringValue(Elements.Symbol(z));
        w.WriteEndArray();
        w.WriteStartObject("species_models");
        for (var s = 0; s < potential.Species.Count; s++)
        {
            w.WriteStartObject(Elements.Symbol(potential.Species[s]));
            potential.WriteSpeciesModel(w, s);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        potential.Pair?.Write(w, potential.Species);
        potential.Magnetic?.Write(w, potential.Species);
        if (potential.TrainingInfo != null)
        {
            w.WritePropertyName("training");
            w.WriteRawValue(potential.TrainingInfo);
        }
        w.WriteEndObject();
    }

    /// <summary>Reads a model file; anything wrong (not a model, another version, a malformed entry) is a one-line <see cref="InputException"/>.</summary>
    public static Potential Read(string path)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: no such model file");
        JsonDocument doc;
        try
        {
            var bytes = File.ReadAllBytes(path);
            JsonFields.CheckUtf8(bytes, path);
            doc = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new InputException($"{path}: not a JSON model file ({e.Message.Split('\n')[0]})");
        }
        using (doc)
        {
            try
            {
                return Read(doc.RootElement);
            }
            catch (InputException e)
            {
                throw new InputException($"{path}: {e.Message}");
            }
        }
    }

    internal static Potential Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != Format)
            throw new InputException($"not a milad potential (no \"format\": \"{Format}\")");
        var version = PotentialJson.Get(root, "version");
        if (version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var v) || v < 1 || v > Version)
            throw new InputException($"model file version {version.GetRawText()} is not supported by this milad (it reads versions 1 to {Version}); retrain the model with this version");
        var kind = PotentialJson.ReadString(root, "kind");
        var descriptorElement = PotentialJson.Get(root, "descriptor");
        var settings = DescriptorSettingsJson.Read(descriptorElement);
        if (settings.RadialExponent != 1 && v < 4)
            throw new InputException($"descriptor.radial_exponent needs model file version 4, the file says {v}");
        int? written = descriptorElement.TryGetProperty("length", out var length) ? JsonFields.Int(length, "descriptor.length", 0) : null;
        var descriptor = new Descriptor(settings);
        if (written is { } n && n != descriptor.Length)
            throw new InputException($"the descriptor has {descriptor.Length} invariants in this milad but {n} in the model file");
        var speciesElement = PotentialJson.Get(root, "species");
        if (speciesElement.ValueKind != JsonValueKind.Array || speciesElement.GetArrayLength() == 0) throw new InputException("'species' is not a list of elements");
        var species = speciesElement.EnumerateArray().Select(e =>
            e.ValueKind == JsonValueKind.String && Elements.TryGetAtomicNumber(e.GetString()!, out var z) ? z : throw new InputException($"unknown species {e.GetRawText()}")).ToArray();
        var models = PotentialJson.Get(root, "species_models");
        var perSpecies = species.Select(z => PotentialJson.Get(models, Elements.Symbol(z))).ToArray();
        var pair = v >= 2 && root.TryGetProperty("pair", out var pairElement) ? PairTerm.Read(pairElement, species) : null;
        var magnetic = v >= 3 && root.TryGetProperty("magnetic", out var magneticElement) ? MagneticTerm.Read(magneticElement, species, descriptor.Length) : null;
        Potential potential = kind switch
        {
            "linear" or "quadratic" => new PolynomialPotential(descriptor, species,
                perSpecies.Select(e => PolynomialPotential.ReadSpeciesModel(e, descriptor.Length)).ToArray()) { Pair = pair, Magnetic = magnetic },
            "neural" => new NeuralPotential(descriptor, species,
                perSpecies.Select(e => NeuralPotential.ReadSpeciesModel(e, descriptor.Length)).ToArray()) { Pair = pair, Magnetic = magnetic },
            _ => throw new InputException($"unknown model kind '{kind}'"),
        };
        if (root.TryGetProperty("training", out var training)) potential.TrainingInfo = training.GetRawText();
        return potential;
    }
}
