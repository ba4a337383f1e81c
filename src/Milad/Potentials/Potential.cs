using System.Numerics.Tensors;
using System.Text.Json;
using Milad.Fingerprints;
using Milad.Structures;

namespace Milad.Potentials;

/// <summary>
/// An interatomic potential on environment fingerprints: the energy of a structure is the sum of atomic
/// energies, each a function of the fingerprint of the atom's environment through a model chosen by the
/// atom's species (Behler-Parrinello form). Forces and stress come from back-propagating dE/dI through
/// the descriptor (<see cref="Descriptor.EnvironmentEnergyAndForces"/>), so prediction never builds a Jacobian.
/// Thread-safe.
/// </summary>
public abstract class Potential
{
    private readonly int[] _speciesIndex;

    protected Potential(Descriptor descriptor, int[] species)
    {
        Descriptor = descriptor;
        Species = species;
        _speciesIndex = Elements.IndexTable(species);
    }

    /// <summary>The descriptor the model reads (settings are saved with the model).</summary>
    public Descriptor Descriptor { get; }

    /// <summary>Atomic numbers of the species the model knows, ascending; the index of a species is its model.</summary>
    public IReadOnlyList<int> Species { get; }

    /// <summary>"linear", "quadratic" or "neural".</summary>
    public abstract string Kind { get; }

    /// <summary>
    /// An optional pair term at its own cutoff (<see cref="PairTerm"/>), added to every atomic energy; its forces and
    /// virial come directly from the pair distances.
    /// </summary>
    public PairTerm? Pair { get; init; }

    /// <summary>An optional term in each atom's magnetic moment (<see cref="MagneticTerm"/>); the frames must then carry the moments.</summary>
    public MagneticTerm? Magnetic { get; init; }

    /// <summary>Free-form facts about the fit (hyperparameters, validation errors) kept in the model file, as a JSON object.</summary>
    public string? TrainingInfo { get; set; }

    /// <summary>
    /// Energy of one atom of species index <paramref name="species"/> from its fingerprint, and dE/dI into
    /// <paramref name="gradient"/> when it is not empty.
    /// </summary>
    public abstract double AtomEnergy(int species, ReadOnlySpan<double> fingerprint, Span<double> gradient);

    /// <summary>Energy, forces, virial, atomic energies and (for a fully periodic cell) stress of a structure.</summary>
    public Prediction Predict(Structure structure)
    {
        var species = SpeciesIndices(structure);
        var forces = new Vec3[structure.Count];
        var virial = new double[9];
        var atomEnergies = new double[structure.Count];
        var energy = Descriptor.EnvironmentEnergyAndForces(structure, AtomEnergies(structure, species), forces, virial, atomEnergies);
        if (Pair != null) energy += Pair.EnergyAndForces(structure, species, forces, virial, atomEnergies);
        double[]? stress = null;
        if (structure.Cell is { } cell && cell.Pbc.All(p => p))
        {
            var volume = Math.Abs(cell.Volume);
            stress = virial.Select(v => v / volume).ToArray();
        }
        return new Prediction(energy, forces, virial, stress) { AtomEnergies = atomEnergies };
    }

    /// <summary>
    /// Energies and gradients of local environments an MD engine assembled from its own neighbour list (see
    /// <see cref="Descriptor.SiteEnergies"/> for the layout): site energy = the atomic energy of the centre
    /// (fingerprint model plus pair term), so a structure's energy is the sum of its atoms' site energies;
    /// <paramref name="gradients"/> receives dE_site/d(displacement) (eV/Angstrom), zero for neighbours beyond both
    /// cutoffs. The engine adds -g to the neighbour's force, +g to the centre's and d (x) g to the virial.
    /// Every species must be one the model knows; a model with a magnetic term needs moments and is refused.
    /// </summary>
    public void SiteEnergies(ReadOnlySpan<int> centreNumbers, ReadOnlySpan<long> counts, ReadOnlySpan<int> neighbourNumbers,
        ReadOnlySpan<double> displacements, Span<double> siteEnergies, Span<double> gradients)
    {
        if (Magnetic != null)
            throw new InputException("the model has a magnetic term: its energies need each atom's magnetic moment, which local environments do not carry");
        var species = new int[centreNumbers.Length];
        for (var s = 0; s < species.Length; s++) species[s] = SpeciesIndex(centreNumbers[s], $"site {s}");
        foreach (var z in neighbourNumbers) SpeciesIndex(z, "a neighbour");
        Descriptor.SiteEnergies(centreNumbers, counts, neighbourNumbers, displacements, (site, fp, g) => AtomEnergy(species[site], fp, g), siteEnergies, gradients);
        if (Pair == null) return;
        var pairGradients = new double[gradients.Length];
        Pair.SiteEnergies(species, counts, neighbourNumbers, displacements, siteEnergies, pairGradients);
        TensorPrimitives.Add(gradients, pairGradients, gradients);
    }

    /// <summary>Largest distance at which an atom changes another's energy: the descriptor cutoff or the pair cutoff.</summary>
    public double InfluenceDistance => Math.Max(Descriptor.Settings.Cutoff, Pair?.Basis.Cutoff ?? 0);

    /// <summary>The energy alone (no derivatives): the baseline the cost of <see cref="Predict"/> is measured against.</summary>
    public double PredictEnergy(Structure structure)
    {
        var species = SpeciesIndices(structure);
        var energy = Descriptor.EnvironmentEnergy(structure, AtomEnergies(structure, species));
        return Pair == null ? energy : energy + Pair.EnergyAndForces(structure, species, default, default);
    }

    /// <summary>The atomic energy of every atom of a structure, with the magnetic term when the model has one.</summary>
    private AtomEnergyFunction AtomEnergies(Structure structure, int[] species)
    {
        if (Magnetic is not { } magnetic) return (atom, fp, g) => AtomEnergy(species[atom], fp, g);
        var moments = MagneticTerm.Moments(structure);
        return (atom, fp, g) => AtomEnergy(species[atom], fp, g) + magnetic.AtomEnergy(species[atom], moments[atom], fp, g);
    }

    /// <summary>The model index of every atom; an element the model was not trained on is an input error.</summary>
    public int[] SpeciesIndices(Structure structure)
    {
        var result = new int[structure.Count];
        for (var i = 0; i < structure.Count; i++) result[i] = SpeciesIndex(structure.AtomicNumbers[i], $"atom {i}");
        return result;
    }

    private int SpeciesIndex(int z, string what)
    {
        var s = z >= 0 && z < _speciesIndex.Length ? _speciesIndex[z] : -1;
        if (s < 0)
            throw new InputException($"{what} is {Elements.Symbol(z)}, which the model does not know (it was trained on {string.Join(", ", Species.Select(Elements.Symbol))})");
        return s;
    }

    /// <summary>Writes the per-species models into the current JSON object (the "species_models" object's members).</summary>
    internal abstract void WriteSpeciesModel(Utf8JsonWriter w, int species);
}
