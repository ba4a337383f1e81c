using System.Numerics.Tensors;
using System.Text.Json;
using Milad.Fingerprints;

namespace Milad.Potentials;

/// <summary>
/// Linear or quadratic atomic energies in the standardised fingerprint (the SNAP and qSNAP forms):
/// <c>E_i = e0_s + w_s . x_i + sum_{a &lt;= b} Q_s[a, b] p_ia p_ib</c>, with x the standardised fingerprint and
/// p its whitened principal components (<see cref="FeatureMap"/>); the quadratic sum is absent for a linear model.
/// Fitted in closed form by <see cref="RidgeFit"/>.
/// </summary>
public sealed class PolynomialPotential : Potential
{
    private readonly SpeciesModel[] _models;

    /// <summary>One species' coefficients.</summary>
    /// <param name="ReferenceEnergy">e0, the energy of an atom whose fingerprint equals the mean (eV).</param>
    /// <param name="Features">Standardisation and, for the quadratic terms, the projection.</param>
    /// <param name="Linear">w (length F).</param>
    /// <param name="Quadratic">Q[a, b] for a &lt;= b, row by row (length K(K+1)/2; empty for a linear model).</param>
    public sealed record SpeciesModel(double ReferenceEnergy, FeatureMap Features, double[] Linear, double[] Quadratic);

    public PolynomialPotential(Descriptor descriptor, int[] species, SpeciesModel[] models) : base(descriptor, species)
    {
        if (models.Length != species.Length) throw new ArgumentException("one model per species");
        _models = models;
        foreach (var m in models)
        {
            var k = m.Features.Components;
            if (m.Linear.Length != descriptor.Length || (m.Quadratic.Length != 0 && m.Quadratic.Length != k * (k + 1) / 2))
                throw new ArgumentException("coefficients do not match the descriptor");
        }
    }

    /// <summary>The coefficients of each species, in <see cref="Potential.Species"/> order.</summary>
    public IReadOnlyList<SpeciesModel> Models => _models;

    public override string Kind => _models.Any(m => m.Quadratic.Length > 0) ? "quadratic" : "linear";

    public override double AtomEnergy(int species, ReadOnlySpan<double> fingerprint, Span<double> gradient)
    {
        var model = _models[species];
        var map = model.Features;
        var f = map.Length;
        Span<double> x = f <= 2048 ? stackalloc double[f] : new double[f];
        map.Standardise(fingerprint, x);
        var e = model.ReferenceEnergy + TensorPrimitives.Dot(model.Linear, x);
        var quadratic = model.Quadratic.Length > 0;
        var k = map.Components;
        Span<double> p = stackalloc double[quadratic ? k : 0];
        Span<double> dp = stackalloc double[quadratic ? k : 0];
        if (quadratic)
        {
            map.Project(x, p);
            dp.Clear();
            var t = 0;
            for (var a = 0; a < k; a++)
                for (var b = a; b < k; b++, t++)
                {
                    var q = model.Quadratic[t];
                    e += q * p[a] * p[b];
                    dp[a] += q * p[b];
                    dp[b] += q * p[a];
                }
        }
        if (gradient.IsEmpty) return e;
        model.Linear.CopyTo(gradient);
        if (quadratic) map.AddBackProjection(dp, gradient);
        TensorPrimitives.Divide(gradient[..f], map.Scale, gradient);
        return e;
    }

    internal override void WriteSpeciesModel(Utf8JsonWriter w, int species)
    {
        var m = _models[species];
        w.WriteNumber("reference_energy", m.ReferenceEnergy);
        m.Features.Write(w);
        PotentialJson.WriteArray(w, "linear", m.Linear);
        PotentialJson.WriteArray(w, "quadratic", m.Quadratic);
    }

    internal static SpeciesModel ReadSpeciesModel(JsonElement e, int length)
    {
        var features = FeatureMap.Read(e, length);
        var k = features.Components;
        var quadratic = PotentialJson.ReadArray(e, "quadratic", -1);
        if (quadratic.Length != 0 && quadratic.Length != k * (k + 1) / 2)
            throw new InputException($"'quadratic' has {quadratic.Length} numbers, expected {k * (k + 1) / 2}");
        return new SpeciesModel(PotentialJson.ReadDouble(e, "reference_energy"), features, PotentialJson.ReadArray(e, "linear", length), quadratic);
    }
}
