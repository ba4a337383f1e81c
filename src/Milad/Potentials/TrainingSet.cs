using Milad.IO;
using Milad.Structures;

namespace Milad.Potentials;

/// <summary>
/// Frames with DFT energies and forces, checked for what training needs: every frame has a finite total
/// energy, a finite force on every atom and, if it has a stress, a usable one in a periodic cell; otherwise a one-line <see cref="InputException"/> names the
/// file and frame.
/// </summary>
public sealed class TrainingSet
{
    public TrainingSet(string name, IReadOnlyList<Structure> frames)
    {
        Name = name;
        Frames = frames;
        if (frames.Count == 0) throw new InputException($"{name}: no frames");
        var species = new SortedSet<int>();
        for (var f = 0; f < frames.Count; f++)
        {
            var s = frames[f];
            if (s.Count == 0) throw InputException.AtFrame(name, f, "the frame has no atoms");
            if (s.Energy is not { } e) throw InputException.AtFrame(name, f, "no energy (training and evaluation need energy= in every frame)");
            if (!double.IsFinite(e)) throw InputException.AtFrame(name, f, $"the energy is not a finite number ({e})");
            if (Math.Abs(e) > MaxMagnitude * s.Count)
                throw InputException.AtFrame(name, f, $"the energy {e:G3} eV is more than {MaxMagnitude:G0} eV per atom (not an energy in eV?)");
            if (s.Forces == null) throw InputException.AtFrame(name, f, "no forces (training and evaluation need a forces column in every frame)");
            if (s.Forces.Length != s.Count) throw InputException.AtFrame(name, f, $"{s.Forces.Length} forces for {s.Count} atoms");
            for (var i = 0; i < s.Count; i++)
                if (!s.Forces[i].IsFinite) throw InputException.AtFrame(name, f, $"the force on atom {i} is not a finite number");
                else if (s.Forces[i].Norm > MaxMagnitude)
                    throw InputException.AtFrame(name, f, $"the force on atom {i} is {s.Forces[i].Norm:G3} eV/A, more than {MaxMagnitude:G0} (not a force in eV/A?)");
            // A stress is read whenever a set is evaluated (and in training with a stress weight): checked here, with the frame.
            try { StressTarget.Virial(s); }
            catch (InputException error) { throw InputException.AtFrame(name, f, error.Message); }
            foreach (var z in s.AtomicNumbers) species.Add(z);
        }
        Species = species.ToArray();
        AtomCount = frames.Sum(s => s.Count);
    }

    /// <summary>
    /// Largest energy per atom (eV) and force (eV/A) taken: DFT data are many orders below, and the fit's sums of
    /// squares stay finite far beyond.
    /// </summary>
    public const double MaxMagnitude = 1e6;

    /// <summary>The file (or other source) the frames came from, for messages.</summary>
    public string Name { get; }

    public IReadOnlyList<Structure> Frames { get; }

    /// <summary>Atomic numbers present, ascending.</summary>
    public int[] Species { get; }

    /// <summary>Total number of atoms (environments).</summary>
    public int AtomCount { get; }

    /// <summary>Reads and checks a structure file (extended xyz or mlearn JSON).</summary>
    public static TrainingSet Read(string path) => new(path, StructureFiles.Read(path).ToList());
}
