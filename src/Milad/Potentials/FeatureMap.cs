using System.Numerics.Tensors;
using System.Text.Json;

namespace Milad.Potentials;

/// <summary>
/// The fixed input transform of one species' model: standardisation of the fingerprint,
/// <c>x = (I - mean) / scale</c>, and an optional whitened principal-component projection <c>p = Projection x</c>
/// (K rows: the leading eigenvectors of the covariance of x, each divided by the square root of its
/// eigenvalue, so every p_a has unit variance on the training environments).
/// Why: standardised inputs make one ridge penalty and one learning rate fit all invariants, whose raw
/// scales differ by orders of magnitude (degree 1 vs degree 3); the projection keeps the quadratic and
/// neural terms (and the per-environment Jacobians the network trains on) small.
/// </summary>
public sealed class FeatureMap
{
    public FeatureMap(double[] mean, double[] scale, double[] projection, int components)
    {
        if (mean.Length != scale.Length) throw new ArgumentException("mean and scale differ in length");
        if (projection.Length != components * mean.Length) throw new ArgumentException("projection is not components x length");
        Mean = mean;
        Scale = scale;
        Projection = projection;
        Components = components;
    }

    /// <summary>Fingerprint length F.</summary>
    public int Length => Mean.Length;

    /// <summary>Mean of each invariant over the training environments.</summary>
    public double[] Mean { get; }

    /// <summary>Standard deviation of each invariant (1 where an invariant does not vary).</summary>
    public double[] Scale { get; }

    /// <summary>Row-major K x F projection of the standardised fingerprint (empty when K = 0).</summary>
    public double[] Projection { get; }

    /// <summary>Number of projected components K.</summary>
    public int Components { get; }

    /// <summary>x = (I - mean) / scale.</summary>
    public void Standardise(ReadOnlySpan<double> fingerprint, Span<double> x)
    {
        TensorPrimitives.Subtract(fingerprint, Mean, x);
        TensorPrimitives.Divide(x, Scale, x);
    }

    /// <summary>p = Projection x (length K).</summary>
    public void Project(ReadOnlySpan<double> x, Span<double> p)
    {
        var f = Length;
        for (var a = 0; a < Components; a++) p[a] = TensorPrimitives.Dot(Projection.AsSpan(a * f, f), x);
    }

    /// <summary>dx += Projection^T dp.</summary>
    public void AddBackProjection(ReadOnlySpan<double> dp, Span<double> dx)
    {
        var f = Length;
        for (var a = 0; a < Components; a++)
            if (dp[a] != 0) TensorPrimitives.MultiplyAdd(Projection.AsSpan(a * f, f), dp[a], dx, dx);
    }

    /// <summary>
    /// Mean, scale and (when <paramref name="components"/> &gt; 0) the whitened principal components of the
    /// rows of <paramref name="fingerprints"/> (count x F, row-major).
    /// </summary>
    public static FeatureMap Fit(ReadOnlySpan<double> fingerprints, int count, int length, int components)
    {
        if (count < 2) throw new ArgumentException("need at least two environments to standardise");
        var mean = new double[length];
        for (var i = 0; i < count; i++) TensorPrimitives.Add(mean, fingerprints.Slice(i * length, length), mean);
        TensorPrimitives.Divide(mean, count, mean);
        var scale = new double[length];
        var row = new double[length];
        for (var i = 0; i < count; i++)
        {
            TensorPrimitives.Subtract(fingerprints.Slice(i * length, length), mean, row);
            TensorPrimitives.MultiplyAdd(row, row, scale, scale);
        }
        for (var q = 0; q < length; q++) scale[q] = Math.Sqrt(scale[q] / (count - 1));
        // An invariant that does not vary (zero by symmetry for every environment) carries no information.
        for (var q = 0; q < length; q++)
            if (!(scale[q] > 1e-12 * Math.Abs(mean[q])) || scale[q] == 0) scale[q] = 1;
        components = Math.Min(components, length);
        if (components <= 0) return new FeatureMap(mean, scale, [], 0);

        var cov = new double[length * length];
        var x = new double[length];
        for (var i = 0; i < count; i++)
        {
            TensorPrimitives.Subtract(fingerprints.Slice(i * length, length), mean, x);
            TensorPrimitives.Divide(x, scale, x);
            for (var a = 0; a < length; a++)
                if (x[a] != 0) TensorPrimitives.MultiplyAdd(x.AsSpan(a), x[a], cov.AsSpan(a * length + a, length - a), cov.AsSpan(a * length + a, length - a));
        }
        for (var a = 0; a < length; a++)
            for (var b = a; b < length; b++)
            {
                var v = cov[a * length + b] / (count - 1);
                cov[a * length + b] = v;
                cov[b * length + a] = v;
            }
        var evd = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfColumnMajor(length, length, cov).Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric);
        var values = evd.EigenValues.Select(v => v.Real).ToArray();
        var vectors = evd.EigenVectors;
        var order = Enumerable.Range(0, length).OrderByDescending(i => values[i]).ToArray();
        var top = values[order[0]];
        var projection = new double[components * length];
        var kept = 0;
        for (var c = 0; c < components; c++)
        {
            var lambda = values[order[c]];
            if (!(lambda > 1e-12 * top)) break;   // fewer independent directions than asked for
            var s = 1 / Math.Sqrt(lambda);
            for (var q = 0; q < length; q++) projection[kept * length + q] = vectors[q, order[c]] * s;
            kept++;
        }
        return new FeatureMap(mean, scale, projection.AsSpan(0, kept * length).ToArray(), kept);
    }

    /// <summary>The same standardisation with only the first <paramref name="components"/> projected components.</summary>
    public FeatureMap Truncate(int components)
    {
        components = Math.Min(components, Components);
        return new FeatureMap(Mean, Scale, Projection.AsSpan(0, components * Length).ToArray(), components);
    }

    internal void Write(Utf8JsonWriter w)
    {
        PotentialJson.WriteArray(w, "mean", Mean);
        PotentialJson.WriteArray(w, "scale", Scale);
        w.WriteNumber("components", Components);
        PotentialJson.WriteArray(w, "projection", Projection);
    }

    internal static FeatureMap Read(JsonElement e, int length)
    {
        var mean = PotentialJson.ReadArray(e, "mean", length);
        var scale = PotentialJson.ReadArray(e, "scale", length);
        var k = PotentialJson.ReadInt(e, "components");
        var projection = PotentialJson.ReadArray(e, "projection", k * length);
        return new FeatureMap(mean, scale, projection, k);
    }
}
