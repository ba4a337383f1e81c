using Milad.IO;
using System.Numerics.Tensors;
using System.Text.Json;
using Milad.Fingerprints;

namespace Milad.Potentials;

/// <summary>
/// Behler-Parrinello atomic energies: per species, a linear baseline in the standardised fingerprint plus
/// a feed-forward network of its whitened principal components,
/// <c>E_i = e0_s + w_s . x_i + NN_s(p_i)</c>. Why the baseline: the closed-form ridge fit already gets
/// most of the energy and forces right with every invariant; the network (trained by
/// <see cref="NeuralTrainer"/>) only has to learn what is left, which makes its training short and its
/// early stopping safe.
/// </summary>
public sealed class NeuralPotential : Potential
{
    private readonly SpeciesModel[] _models;

    /// <summary>One species: the linear baseline, the network's input map (same standardisation, K components) and the network.</summary>
    public sealed record SpeciesModel(PolynomialPotential.SpeciesModel Baseline, FeatureMap Inputs, NeuralNetwork Network);

    public NeuralPotential(Descriptor descriptor, int[] species, SpeciesModel[] models) : base(descriptor, species)
    {
        if (models.Length != species.Length) throw new ArgumentException("one model per species");
        foreach (var m in models)
            if (m.Inputs.Components != m.Network.Inputs || m.Baseline.Linear.Length != descriptor.Length)
                throw new ArgumentException("network inputs do not match the descriptor");
        _models = models;
    }

    public IReadOnlyList<SpeciesModel> Models => _models;

    public override string Kind => "neural";

    public override double AtomEnergy(int species, ReadOnlySpan<double> fingerprint, Span<double> gradient)
    {
        var model = _models[species];
        var map = model.Inputs;
        var f = map.Length;
        var k = map.Components;
        Span<double> x = f <= 2048 ? stackalloc double[f] : new double[f];
        Span<double> p = stackalloc double[k];
        Span<double> dp = stackalloc double[k];
        map.Standardise(fingerprint, x);
        map.Project(x, p);
        var e = model.Baseline.ReferenceEnergy + TensorPrimitives.Dot(model.Baseline.Linear, x)
            + model.Network.Evaluate(p, gradient.IsEmpty ? default : dp);
        if (gradient.IsEmpty) return e;
        model.Baseline.Linear.CopyTo(gradient);
        map.AddBackProjection(dp, gradient);
        TensorPrimitives.Divide(gradient[..f], map.Scale, gradient);
        return e;
    }

    internal override void WriteSpeciesModel(Utf8JsonWriter w, int species)
    {
        var m = _models[species];
        w.WriteNumber("reference_energy", m.Baseline.ReferenceEnergy);
        m.Baseline.Features.Write(w);
        PotentialJson.WriteArray(w, "linear", m.Baseline.Linear);
        PotentialJson.WriteArray(w, "quadratic", m.Baseline.Quadratic);
        w.WriteStartObject("network");
        w.WriteNumber("components", m.Inputs.Components);
        PotentialJson.WriteArray(w, "projection", m.Inputs.Projection);
        w.WriteString("activation", "tanh");
        w.WriteNumber("output_scale", m.Network.OutputScale);
        w.WriteStartArray("sizes");
        foreach (var s in m.Network.Sizes) w.WriteNumberValue(s);
        w.WriteEndArray();
        PotentialJson.WriteArray(w, "parameters", m.Network.Parameters);
        w.WriteEndObject();
    }

    // Far above any trained network; they keep the parameter count of a damaged file within an int.
    private const int MaxLayerWidth = TrainingOptions.MaxLayerWidth, MaxLayers = 64;

    internal static SpeciesModel ReadSpeciesModel(JsonElement e, int length)
    {
        var baseline = PolynomialPotential.ReadSpeciesModel(e, length);
        var net = PotentialJson.Get(e, "network");
        if (PotentialJson.ReadString(net, "activation") != "tanh") throw new InputException("unknown network activation (expected tanh)");
        var k = PotentialJson.ReadInt(net, "components", 0, length);
        var projection = PotentialJson.ReadArray(net, "projection", -1);
        if (projection.Length != k * length && !(projection.Length == 0 && k == length))
            throw new InputException($"network 'projection' has {projection.Length} numbers, expected {k * length}");
        var sizesElement = PotentialJson.Get(net, "sizes");
        if (sizesElement.ValueKind != JsonValueKind.Array) throw new InputException("'sizes' is not a list");
        var sizes = sizesElement.EnumerateArray().Select(s => s.TryGetInt32(out var v) && v is > 0 and <= MaxLayerWidth ? v : throw new InputException($"'sizes' holds a bad layer size {JsonFields.Show(s)} (expected 1 to {MaxLayerWidth})")).ToArray();
        if (sizes.Length > MaxLayers) throw new InputException($"'sizes' has {sizes.Length} layers, at most {MaxLayers}");
        if (sizes.Length < 2 || sizes[0] != k || sizes[^1] != 1) throw new InputException($"network sizes [{string.Join(",", sizes)}] do not go from {k} inputs to 1 output");
        var parameters = PotentialJson.ReadArray(net, "parameters", NeuralNetwork.CountParameters(sizes));
        var inputs = new FeatureMap(baseline.Features.Mean, baseline.Features.Scale, projection, k);
        var outputScale = PotentialJson.ReadDouble(net, "output_scale");
        if (!(outputScale > 0)) throw new InputException("'output_scale' must be positive");
        return new SpeciesModel(baseline, inputs, new NeuralNetwork(sizes, parameters, outputScale));
    }
}
