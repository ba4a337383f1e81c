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
        if (projection.Length != components * mean.Length && !(projection.Length == 0 && components == mean.Length))
            throw new ArgumentException("projection is not components x length");
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

    /// <summary>No projection: p = x (K = F, stored as an empty projection).</summary>
    public bool IsIdentity => Components == Length && Projection.Length == 0;

    /// <summary>The same standardisation with p = x: a network that reads every standardised invariant.</summary>
    public FeatureMap WithIdentityProjection() => new(Mean, Scale, [], Length);

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
        if (IsIdentity) { x[..f].CopyTo(p); return; }
        for (var a = 0; a < Components; a++) p[a] = TensorPrimitives.Dot(Projection.AsSpan(a * f, f), x);
    }

    /// <summary>dx += Projection^T dp.</summary>
    public void AddBackProjection(ReadOnlySpan<double> dp, Span<double> dx)
    {
        var f = Length;
        if (IsIdentity) { TensorPrimitives.Add(dx[..f], dp[..f], dx); return; }
        for (var a = 0; a < Components; a++)
            if (dp[a] != 0) TensorPrimitives.MultiplyAdd(Projection.AsSpan(a * f, f), dp[a], dx, dx);
    }

    /// <summary>
    /// Mean, scale and (when <paramref name="components"/> &gt; 0) the whitened principal components of the
    /// rows of <paramref name="fingerprints"/> (count x F, row-major).
    /// </summary>
    public static FeatureMap Fit(ReadOnlySpan<double> fingerprints, int count, int length, int components) =>
        Fit(fingerprints, count, length, components, default);

    /// <summary>
    /// As <see cref="Fit(ReadOnlySpan{double}, int, int, int)"/>, but when <paramref name="forceGram"/> (F x F, the Gram
    /// matrix of the standardised force rows) is given, the components are the leading eigenvectors of
    /// <c>C / tr C + G / tr G</c> (C the covariance of x): directions along which the fingerprint varies between
    /// environments and directions that the forces see. Each is still scaled to unit variance over the environments.
    /// Why: the environments' variance is dominated by volume and surface changes, while forces come from the
    /// small changes of thermal displacements; a projection by variance alone leaves the forces' directions out.
    /// </summary>
    public static FeatureMap Fit(ReadOnlySpan<double> fingerprints, int count, int length, int components, ReadOnlySpan<double> forceGram)
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
        var metric = cov;
        if (!forceGram.IsEmpty)
        {
            double trC = 0, trG = 0;
            for (var a = 0; a < length; a++) { trC += cov[a * length + a]; trG += forceGram[a * length + a]; }
            metric = new double[length * length];
            for (var i = 0; i < metric.Length; i++) metric[i] = cov[i] / trC + (trG > 0 ? forceGram[i] / trG : 0);
        }
        var evd = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfColumnMajor(length, length, metric).Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric);
        var values = evd.EigenValues.Select(v => v.Real).ToArray();
        var vectors = evd.EigenVectors;
        var order = Enumerable.Range(0, length).OrderByDescending(i => values[i]).ToArray();
        var top = values[order[0]];
        var projection = new double[components * length];
        var direction = new double[length];
        var covDirection = new double[length];
        var kept = 0;
        for (var c = 0; c < length && kept < components; c++)
        {
            if (!(values[order[c]] > 1e-12 * top)) break;   // fewer independent directions than asked for
            for (var q = 0; q < length; q++) direction[q] = vectors[q, order[c]];
            for (var q = 0; q < length; q++) covDirection[q] = TensorPrimitives.Dot(cov.AsSpan(q * length, length), direction);
            var variance = TensorPrimitives.Dot(direction, covDirection);
            if (!(variance > 1e-14 * trace(cov, length))) continue;   // a direction the environments do not vary along
            TensorPrimitives.Multiply(direction, 1 / Math.Sqrt(variance), projection.AsSpan(kept * length, length));
            kept++;
        }
        static double trace(double[] m, int n) { double t = 0; for (var i = 0; i < n; i++) t += m[i * n + i]; return t; }
        return new FeatureMap(mean, scale, projection.AsSpan(0, kept * length).ToArray(), kept);
    }

    /// <summary>The same standardisation with only the first <paramref name="components"/> projected components.</summary>
    public FeatureMap Truncate(int components)
    {
        components = Math.Min(components, Components);
        if (IsIdentity) return components == Length ? this : new FeatureMap(Mean, Scale, [], 0);
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
        var scale = PotentialJson.ReadScale(e, length);
        var k = PotentialJson.ReadInt(e, "components", 0, length);
        var projection = PotentialJson.ReadArray(e, "projection", -1);
        if (projection.Length != k * length && !(projection.Length == 0 && k == length))
            throw new InputException($"'projection' has {projection.Length} numbers, expected {k * length}");
        return new FeatureMap(mean, scale, projection, k);
    }
}
