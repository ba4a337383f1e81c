using System.Globalization;

namespace Milad.Cli;

/// <summary>
/// `milad roundtrip --noise SIGMA --round float16|float32`: what is done to each fingerprint before it is decoded,
/// to measure decoding to the nearest structure of a fingerprint no structure has exactly.
/// </summary>
internal sealed record Perturbation(double Noise, string? Round)
{
    public bool IsNone => Noise == 0 && Round == null;

    /// <summary>Throws a one-line <see cref="InputException"/> for a bad value.</summary>
    public static Perturbation Parse(double noise, string? round)
    {
        if (!(noise >= 0) || !double.IsFinite(noise) || noise > 1)
            throw new InputException(string.Create(CultureInfo.InvariantCulture, $"--noise must be a relative standard deviation in [0, 1], got {noise}"));
        if (round is not (null or "float16" or "float32"))
            throw new InputException($"--round must be float16 or float32, got '{round}'");
        return new Perturbation(noise, round);
    }

    /// <summary>The perturbed copy; the noise is seeded by the molecule's index, so it does not depend on threads or shards.</summary>
    public double[] Apply(double[] fingerprint, long index)
    {
        var rng = new Random(unchecked((int)(index * 2654435761L % int.MaxValue)) + 17);
        var result = new double[fingerprint.Length];
        for (var i = 0; i < result.Length; i++)
        {
            var v = fingerprint[i];
            if (Noise > 0)
                v *= 1 + Noise * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            result[i] = Round switch
            {
                "float16" => (double)(Half)v,
                "float32" => (float)v,
                _ => v,
            };
        }
        return result;
    }

    public override string ToString() => string.Join(" and ", new[]
    {
        Noise > 0 ? string.Create(CultureInfo.InvariantCulture, $"with relative noise {Noise:G3}") : null,
        Round != null ? $"rounded to {Round}" : null,
    }.Where(s => s != null));
}
