using System.Numerics.Tensors;
using System.Text.Json;
using Milad.Structures;

namespace Milad.Potentials;

/// <summary>
/// An optional magnetic part of a potential, a Landau-like expansion in the magnitude m of each atom's magnetic
/// moment with coefficients linear in the atom's standardised fingerprint x:
/// <c>E_i += sum_k m_i^k (b_(s,k) + c_(s,k) . x_i)</c> for the chosen powers k (even ones, e.g. 2 and 4, as in Landau theory).
/// Why: spin-polarised DFT can converge to different magnetic states (ferromagnetic, low-spin) for one and the same
/// geometry, with energies tens of meV/atom apart, which no function of the positions alone can fit. With the
/// moments as inputs (read from the frames' <c>magmom</c> column, as in spin-lattice models) the energy is a function
/// again. Forces and stress are taken at fixed moments (what the DFT forces are at self-consistency).
/// </summary>
public sealed class MagneticTerm
{
    public const string Column = "magmom";

    public MagneticTerm(int[] powers, FeatureMap[] maps, double[][] coefficients)
    {
        if (powers.Length == 0 || maps.Length != coefficients.Length) throw new ArgumentException("powers, maps and coefficients do not match");
        foreach (var (m, c) in maps.Zip(coefficients))
            if (c.Length != powers.Length * (1 + m.Length)) throw new ArgumentException("magnetic coefficients do not match the fingerprint");
        Powers = powers;
        Maps = maps;
        Coefficients = coefficients;
    }

    /// <summary>The powers k of |m|.</summary>
    public int[] Powers { get; }

    /// <summary>Per species: standardisation of the fingerprint (no projection).</summary>
    public FeatureMap[] Maps { get; }

    /// <summary>Per species, per power: b then c (length F), i.e. Powers.Length x (1 + F).</summary>
    public double[][] Coefficients { get; }

    /// <summary>The magnitude of every atom's moment from the <c>magmom</c> column (one number, or a vector per atom).</summary>
    public static double[] Moments(Structure structure)
    {
        if (!structure.Arrays.TryGetValue(Column, out var column))
            throw new InputException($"the model needs every atom's magnetic moment (a '{Column}' column) and the frame has none");
        var m = new double[structure.Count];
        for (var i = 0; i < structure.Count; i++)
        {
            double sum = 0;
            switch (column[i])
            {
                case double[] d: foreach (var x in d) sum += x * x; break;
                case long[] l: foreach (var x in l) sum += (double)x * x; break;
                default: throw new InputException($"the '{Column}' column does not hold numbers");
            }
            m[i] = Math.Sqrt(sum);
            if (!double.IsFinite(m[i])) throw new InputException($"the magnetic moment of atom {i} is not a finite number");
        }
        return m;
    }

    /// <summary>The term's energy for one atom; adds dE/dI to <paramref name="gradient"/> when it is not empty.</summary>
    public double AtomEnergy(int species, double moment, ReadOnlySpan<double> fingerprint, Span<double> gradient)
    {
        var map = Maps[species];
        var f = map.Length;
        Span<double> x = f <= 2048 ? stackalloc double[f] : new double[f];
        map.Standardise(fingerprint, x);
        var coefficients = Coefficients[species];
        double e = 0;
        for (var k = 0; k < Powers.Length; k++)
        {
            var mk = Math.Pow(moment, Powers[k]);
            var block = coefficients.AsSpan(k * (1 + f), 1 + f);
            e += mk * (block[0] + TensorPrimitives.Dot(block[1..], x));
            if (gradient.IsEmpty) continue;
            for (var q = 0; q < f; q++) gradient[q] += mk * block[1 + q] / map.Scale[q];
        }
        return e;
    }

    internal void Write(Utf8JsonWriter w, IReadOnlyList<int> species)
    {
        w.WriteStartObject("magnetic");
        w.WriteString("moments", Column);
        w.WriteStartArray("powers");
        foreach (var k in Powers) w.WriteNumberValue(k);
        w.WriteEndArray();
        PotentialJson.WriteSpeciesModels(w, species, Maps, "coefficients", Coefficients);
        w.WriteEndObject();
    }

    internal static MagneticTerm Read(JsonElement e, int[] species, int length)
    {
        var powersElement = PotentialJson.Get(e, "powers");
        if (powersElement.ValueKind != JsonValueKind.Array || powersElement.GetArrayLength() == 0
            || powersElement.EnumerateArray().Any(p => p.ValueKind != JsonValueKind.Number || !p.TryGetInt32(out var k) || k is < 1 or > 8))
            throw new InputException("magnetic 'powers' is not a list of integers from 1 to 8");
        var powers = powersElement.EnumerateArray().Select(p => p.GetInt32()).ToArray();
        var (maps, coefficients) = PotentialJson.ReadSpeciesModels(e, species, length, "coefficients", powers.Length * (1 + length));
        return new MagneticTerm(powers, maps, coefficients);
    }
}
