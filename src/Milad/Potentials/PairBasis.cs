using System.Numerics.Tensors;
using System.Text.Json;
using Milad.Structures;

namespace Milad.Potentials;

/// <summary>
/// Two-body radial features of an atom's environment out to a second cutoff, one block of
/// <see cref="Functions"/> per neighbour species:
/// <c>y_(t,k)(i) = sum_(j of species t, r_ij &lt; rc) g_k(r_ij) fc(r_ij)</c>, with Gaussians
/// <c>g_k(r) = exp(-((r - mu_k) / sigma)^2)</c> at centres mu_k evenly spaced from <see cref="Inner"/> to the
/// cutoff (sigma their spacing) and the cosine cutoff <c>fc(r) = (1 + cos(pi r / rc)) / 2</c>.
/// Why: the Zernike radial functions are polynomials of degree n_max in r / cutoff, so one fingerprint
/// resolves distances finely only at a short cutoff; a linear term in these features is a pair potential
/// with a fine radial resolution out to a longer range (the SNAP practice of adding a pair term),
/// cheap to evaluate, and it enters the energy additively, so prediction still needs no Jacobian.
/// </summary>
public sealed class PairBasis
{
    public PairBasis(double cutoff, int functions, double inner, int[] species)
    {
        if (!(cutoff > 0) || !double.IsFinite(cutoff)) throw new InputException($"the pair cutoff must be a positive number of Angstrom, got {cutoff}");
        if (functions < 2) throw new InputException($"the pair term needs at least 2 radial functions, got {functions}");
        if (!(inner >= 0 && inner < cutoff)) throw new InputException($"the pair term's first centre ({inner} A) must lie in [0, cutoff)");
        if (species.Length == 0) throw new ArgumentException("no species");
        Cutoff = cutoff;
        Functions = functions;
        Inner = inner;
        Species = species;
        _speciesIndex = Elements.IndexTable(species);
        Width = (cutoff - inner) / (functions - 1);
    }

    private readonly int[] _speciesIndex;

    /// <summary>rc (Angstrom).</summary>
    public double Cutoff { get; }

    /// <summary>Gaussians per neighbour species.</summary>
    public int Functions { get; }

    /// <summary>Centre of the first Gaussian (Angstrom); the last sits at the cutoff.</summary>
    public double Inner { get; }

    /// <summary>sigma: the spacing of the centres.</summary>
    public double Width { get; }

    /// <summary>Neighbour species (atomic numbers, ascending), one block of features each.</summary>
    public int[] Species { get; }

    /// <summary>Features per atom: species x functions.</summary>
    public int Length => Species.Length * Functions;

    /// <summary>The block of a neighbour's species; an unknown element is an input error.</summary>
    public int Block(int atomicNumber)
    {
        var s = atomicNumber >= 0 && atomicNumber < _speciesIndex.Length ? _speciesIndex[atomicNumber] : -1;
        return s >= 0 ? s : throw new InputException($"the pair term does not know element {Elements.Symbol(atomicNumber)}");
    }

    /// <summary>g_k(r) fc(r) and its r-derivative for every k (r &lt; cutoff).</summary>
    public void Radial(double r, Span<double> value, Span<double> derivative)
    {
        var fc = 0.5 * (1 + Math.Cos(Math.PI * r / Cutoff));
        var dfc = -0.5 * Math.PI / Cutoff * Math.Sin(Math.PI * r / Cutoff);
        var inv = 1 / Width;
        // The centres are Width apart and sigma = Width, so with u_k = (r - mu_k) / Width = u_0 - k neighbouring
        // Gaussians differ by a factor exp(-u_(k+1)^2 + u_k^2) = exp(2 u_k - 1), which itself changes by exp(-2) from
        // one k to the next: three exponentials per distance instead of one per function. The recurrence starts at the
        // centre nearest r and runs outwards, where the Gaussians only fall (no overflow; far ones underflow to 0).
        var u0 = (r - Inner) * inv;
        var k0 = (int)Math.Clamp(Math.Round(u0), 0, Functions - 1);
        var uk0 = u0 - k0;
        var peak = Math.Exp(-uk0 * uk0);
        var g = peak;
        var ratio = Math.Exp(2 * uk0 - 1);
        for (var k = k0; k < Functions; k++, ratio *= E2)
        {
            var u = u0 - k;
            value[k] = g * fc;
            derivative[k] = g * (dfc - 2 * u * inv * fc);
            g *= ratio;
        }
        g = peak;
        ratio = Math.Exp(-2 * uk0 - 1);
        for (var k = k0 - 1; k >= 0; k--, ratio *= E2)
        {
            g *= ratio;
            var u = u0 - k;
            value[k] = g * fc;
            derivative[k] = g * (dfc - 2 * u * inv * fc);
        }
    }

    /// <summary>exp(-2): the step of the ratio of neighbouring Gaussians.</summary>
    private static readonly double E2 = Math.Exp(-2);

    /// <summary>
    /// The features of every atom (n x Length, row-major) and, when <paramref name="rows"/> is given, calls it for
    /// every atom i, neighbour j and function with (i, j, feature, d y / d r_j, displacement r_j - r_i of the image),
    /// where y changes by the opposite amount when r_i moves (a self-image has i = j: its two contributions cancel).
    /// </summary>
    public double[] Features(Structure structure, NeighbourList? list = null, Action<int, int, int, Vec3, Vec3>? rows = null)
    {
        list ??= NeighbourList.Build(structure, Cutoff);
        var n = structure.Count;
        var y = new double[n * Length];
        Span<double> v = stackalloc double[Functions];
        Span<double> dv = stackalloc double[Functions];
        for (var i = 0; i < n; i++)
        {
            var yi = y.AsSpan(i * Length, Length);
            foreach (var nb in list.Of(i))
            {
                var d = nb.Displacement;
                var r = d.Norm;
                if (!(r < Cutoff)) continue;
                var block = Block(structure.AtomicNumbers[nb.Index]) * Functions;
                Radial(r, v, dv);
                TensorPrimitives.Add(yi.Slice(block, Functions), v, yi.Slice(block, Functions));
                if (rows == null) continue;
                var unit = (1 / r) * d;
                for (var k = 0; k < Functions; k++) rows(i, nb.Index, block + k, dv[k] * unit, d);
            }
        }
        return y;
    }

    internal void Write(Utf8JsonWriter w)
    {
        w.WriteNumber("cutoff", Cutoff);
        w.WriteNumber("functions", Functions);
        w.WriteNumber("inner", Inner);
        w.WriteStartArray("neighbour_species");
        foreach (var z in Species) w.WriteStringValue(Elements.Symbol(z));
        w.WriteEndArray();
    }

    internal static PairBasis Read(JsonElement e)
    {
        var species = PotentialJson.Get(e, "neighbour_species");
        if (species.ValueKind != JsonValueKind.Array || species.GetArrayLength() == 0) throw new InputException("pair 'neighbour_species' is not a list of elements");
        var z = species.EnumerateArray().Select(x =>
            x.ValueKind == JsonValueKind.String && Elements.TryGetAtomicNumber(x.GetString()!, out var a) ? a : throw new InputException($"unknown species {x.GetRawText()}")).ToArray();
        return new PairBasis(PotentialJson.ReadDouble(e, "cutoff"), PotentialJson.ReadInt(e, "functions", 2, TrainingOptions.MaxPairFunctions), PotentialJson.ReadDouble(e, "inner"), z);
    }
}

/// <summary>
/// The pair part of a potential: per centre species a linear function of the standardised pair features,
/// <c>E_i = u_s . (y_i - mean_s) / scale_s</c>, added to the atomic energies of the fingerprint model.
/// </summary>
public sealed class PairTerm
{
    public PairTerm(PairBasis basis, FeatureMap[] maps, double[][] coefficients)
    {
        if (maps.Length != coefficients.Length) throw new ArgumentException("one map and coefficient vector per species");
        foreach (var (m, c) in maps.Zip(coefficients))
            if (m.Length != basis.Length || c.Length != basis.Length) throw new ArgumentException("pair coefficients do not match the basis");
        Basis = basis;
        Maps = maps;
        Coefficients = coefficients;
        // Per centre species: the pair energy as sum_j phi_(s, t_j)(r_ij) plus a constant per atom.
        _weights = new double[maps.Length][];
        _constant = new double[maps.Length];
        for (var s = 0; s < maps.Length; s++)
        {
            _weights[s] = new double[basis.Length];
            TensorPrimitives.Divide(coefficients[s], maps[s].Scale, _weights[s]);
            _constant[s] = -TensorPrimitives.Dot(_weights[s], maps[s].Mean);
        }
    }

    private readonly double[][] _weights;
    private readonly double[] _constant;

    public PairBasis Basis { get; }

    /// <summary>Per centre species: standardisation of the pair features (no projection).</summary>
    public FeatureMap[] Maps { get; }

    /// <summary>Per centre species: u (length <see cref="PairBasis.Length"/>).</summary>
    public double[][] Coefficients { get; }

    /// <summary>
    /// Adds the pair energy's forces (-dE/dx) and virial (sum d (x) dE/dd, as the descriptor's) for a structure whose
    /// atoms have the model indices <paramref name="species"/>, and returns the pair energy. <paramref name="atomEnergies"/>,
    /// when not empty, gets each atom's pair energy added: its constant plus phi(r_ij) over its neighbours with its own
    /// species' weights (the pair (i, j) enters i's energy and, with j's weights, j's).
    /// </summary>
    public double EnergyAndForces(Structure structure, int[] species, Span<Vec3> forces, Span<double> virial, Span<double> atomEnergies = default)
    {
        var list = NeighbourList.Build(structure, Basis.Cutoff);
        var f = Basis.Functions;
        Span<double> v = stackalloc double[f];
        Span<double> dv = stackalloc double[f];
        double energy = 0;
        var withForces = !forces.IsEmpty;
        for (var i = 0; i < structure.Count; i++)
        {
            var w = _weights[species[i]];
            energy += _constant[species[i]];
            var own = _constant[species[i]];
            foreach (var nb in list.Of(i))
            {
                var d = nb.Displacement;
                var r = d.Norm;
                if (!(r < Basis.Cutoff)) continue;
                var block = Basis.Block(structure.AtomicNumbers[nb.Index]) * f;
                Basis.Radial(r, v, dv);
                var wb = w.AsSpan(block, f);
                var e = TensorPrimitives.Dot(wb, v);
                energy += e;
                own += e;
                if (!withForces) continue;
                var grad = (TensorPrimitives.Dot(wb, dv) / r) * d;     // dE/dd
                forces[nb.Index] -= grad;
                forces[i] += grad;
                for (var a = 0; a < 3; a++)
                {
                    virial[3 * a] += d[a] * grad.X;
                    virial[3 * a + 1] += d[a] * grad.Y;
                    virial[3 * a + 2] += d[a] * grad.Z;
                }
            }
            if (!atomEnergies.IsEmpty) atomEnergies[i] += own;
        }
        return energy;
    }

    /// <summary>
    /// The pair term of local environments (layout of <see cref="Fingerprints.Descriptor.SiteEnergies"/>): adds the
    /// centre's pair energy (species model index <paramref name="species"/>[s]) to siteEnergies[s] and its gradient
    /// dE/d(displacement) to <paramref name="gradients"/>; neighbours at or beyond the pair cutoff add nothing.
    /// </summary>
    public void SiteEnergies(ReadOnlySpan<int> species, ReadOnlySpan<long> counts, ReadOnlySpan<int> neighbourNumbers,
        ReadOnlySpan<double> displacements, Span<double> siteEnergies, Span<double> gradients)
    {
        var f = Basis.Functions;
        Span<double> v = stackalloc double[f];
        Span<double> dv = stackalloc double[f];
        var at = 0;
        for (var s = 0; s < species.Length; s++)
        {
            var w = _weights[species[s]];
            var own = _constant[species[s]];
            for (var p = 0; p < counts[s]; p++, at++)
            {
                var d = new Vec3(displacements[3 * at], displacements[3 * at + 1], displacements[3 * at + 2]);
                var r = d.Norm;
                if (!(r < Basis.Cutoff)) continue;
                var block = Basis.Block(neighbourNumbers[at]) * f;
                Basis.Radial(r, v, dv);
                var wb = w.AsSpan(block, f);
                own += TensorPrimitives.Dot(wb, v);
                var grad = (TensorPrimitives.Dot(wb, dv) / r) * d;
                gradients[3 * at] += grad.X;
                gradients[3 * at + 1] += grad.Y;
                gradients[3 * at + 2] += grad.Z;
            }
            siteEnergies[s] += own;
        }
    }

    internal void Write(Utf8JsonWriter w, IReadOnlyList<int> centreSpecies)
    {
        w.WriteStartObject("pair");
        Basis.Write(w);
        PotentialJson.WriteSpeciesModels(w, centreSpecies, Maps, "linear", Coefficients);
        w.WriteEndObject();
    }

    internal static PairTerm Read(JsonElement e, int[] centreSpecies)
    {
        var basis = PairBasis.Read(e);
        var (maps, coefficients) = PotentialJson.ReadSpeciesModels(e, centreSpecies, basis.Length, "linear", basis.Length);
        return new PairTerm(basis, maps, coefficients);
    }
}
