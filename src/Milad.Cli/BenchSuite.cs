using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Milad.Decoding;
using Milad.Fingerprints;
using Milad.IO;
using Milad.Potentials;
using Milad.Structures;
using Decoder = Milad.Decoding.Decoder;

namespace Milad.Cli;

/// <summary>
/// The benchmarks of <c>milad bench</c>, each a fixed pass over real data from the shared data folder.
/// Data and models are loaded only for the benchmarks asked for, once.
/// </summary>
public sealed class BenchSuite(string dataDirectory, int threads)
{
    public const string Qm9 = "molecules/qm9_first100.xyz";

    /// <summary>
    /// QM9 molecules (indices into qm9_first100) decoded by <c>decode</c>: generic molecules of 8 to 17 atoms
    /// that the default preset decodes in one march, pencil and refinement. The symmetric ones (methane,
    /// ethane, ...) take the decoder's slow search path, seconds each and varying with the load, which
    /// would make the number a measure of the search budget rather than of the decoder.
    /// </summary>
    public static readonly int[] DecodeMolecules = [18, 21, 29, 30, 31, 35, 37, 39, 78, 79, 96, 98];

    /// <summary>Every benchmark name, in the order they run, with the data files it reads.</summary>
    public static IReadOnlyList<(string Name, string[] Files)> All { get; } =
    [
        ("molecules-nmax7", [Qm9]),
        ("molecules-nmax9", [Qm9]),
        ("molecules-nmax11", [Qm9]),
        ("environments-mo", ["mlearn/Mo_test.xyz"]),
        ("environments-mo-jacobian", ["mlearn/Mo_test.xyz"]),
        ("environments-ni", ["mlearn/Ni_test.xyz"]),
        ("environments-ni-jacobian", ["mlearn/Ni_test.xyz"]),
        ("predict-energy", ["mlearn/Mo_train.xyz", "mlearn/Mo_test.xyz"]),
        ("predict-energy-forces", ["mlearn/Mo_train.xyz", "mlearn/Mo_test.xyz"]),
        ("predict-energy-forces-2threads", ["mlearn/Mo_train.xyz", "mlearn/Mo_test.xyz"]),
        ("predict-energy-forces-2frames", ["mlearn/Mo_train.xyz", "mlearn/Mo_test.xyz"]),
        ("predict-energy-forces-default", ["mlearn/Mo_train.xyz", "mlearn/Mo_test.xyz"]),
        ("decode", [Qm9]),
        ("decode-paper", [Qm9]),
        ("kernel-moments-nmax7", ["mlearn/Mo_test.xyz"]),
        ("kernel-invariants-nmax7", ["mlearn/Mo_test.xyz"]),
    ];

    private readonly ConcurrentDictionary<string, Structure[]> _files = new();
    private Potential? _potential;

    /// <summary>The benchmark of that name (see <see cref="All"/>), data loaded.</summary>
    public BenchCase Create(string name) => name switch
    {
        "molecules-nmax7" => Molecules(name, 7),
        "molecules-nmax9" => Molecules(name, 9),
        "molecules-nmax11" => Molecules(name, 11),
        "environments-mo" => Environments(name, "Mo", jacobian: false),
        "environments-mo-jacobian" => Environments(name, "Mo", jacobian: true),
        "environments-ni" => Environments(name, "Ni", jacobian: false),
        "environments-ni-jacobian" => Environments(name, "Ni", jacobian: true),
        "predict-energy" => Predict(name, forces: false, threads),
        "predict-energy-forces" => Predict(name, forces: true, threads),
        // With predict-energy-forces at one thread (the default), the pair gives the scaling.
        "predict-energy-forces-2threads" => Predict(name, forces: true, 2),
        "predict-energy-forces-2frames" => Predict(name, forces: true, 2, framesInParallel: true),
        "predict-energy-forces-default" => Predict(name, forces: true, threads, chosen: true),
        "decode" => Decode(name, "default"),
        "decode-paper" => Decode(name, "paper"),
        "kernel-moments-nmax7" => Kernel(name, invariants: false),
        "kernel-invariants-nmax7" => Kernel(name, invariants: true),
        _ => throw new InputException($"unknown benchmark '{name}' (expected {string.Join(", ", All.Select(a => a.Name))})"),
    };

    private Structure[] Read(string file) =>
        _files.GetOrAdd(file, f => StructureFiles.Read(Path.Combine(dataDirectory, f)).ToArray());

    private BenchCase Molecules(string name, int nMax)
    {
        var molecules = Read(Qm9);
        var d = new Descriptor(Presets.Get("paper") with { NMax = nMax }) { MaxThreads = 1 };
        long points = molecules.Sum(m => m.Count);
        // One output row per molecule, reused across passes: the steady state of a stream (no allocation).
        var rows = new double[molecules.Length * d.Length];
        var groups = molecules.Chunk(4).ToArray(); // Encode(list) takes four molecules per pass over the terms
        return new BenchCase(name, $"{molecules.Length} QM9 molecules, molecule mode, paper preset at n_max {nMax}", "molecules",
            molecules.Length, threads, () => ForEach(groups.Length, threads, g => d.Encode(groups[g], rows.AsSpan(4 * g * d.Length, groups[g].Length * d.Length))),
            KernelFlops.Encode(d, molecules.Length, points), DescriptorFacts(d, molecules.Length, points));
    }

    private BenchCase Environments(string name, string element, bool jacobian)
    {
        var cells = Read($"mlearn/{element}_test.xyz");
        // Ni cells have twice the atoms and neighbours of Mo ones, and the full Jacobian grows with both:
        // every 4th Ni cell keeps a pass under a second.
        var step = element == "Ni" ? 4 : 1;
        cells = cells.Where((_, i) => i % step == 0).ToArray();
        var d = new Descriptor(Presets.Get("paper", "environments")) { MaxThreads = 1 };
        long environments = cells.Sum(c => c.Count);
        // Output buffers per worker, reused across cells and passes (the steady state of a stream): the full
        // Jacobian of an environment is fingerprint length x 3 x atoms of the cell.
        var atomsMax = cells.Max(c => c.Count);
        var buffers = new ThreadLocal<(double[] Values, double[]? Jacobian)>(() =>
            (new double[atomsMax * d.Length], jacobian ? new double[atomsMax * d.Length * 3 * atomsMax] : null));
        var points = cells.Sum(c => NeighbourCount(c, d.Settings.Cutoff));
        var flops = jacobian ? KernelFlops.EncodeWithJacobian(d, environments, points) : KernelFlops.Encode(d, environments, points);
        var which = step == 1 ? $"the {cells.Length}" : $"{cells.Length} (every {step}th)";
        return new BenchCase(name,
            $"every environment of {which} {element} cells of {element}_test, {d.Settings.Cutoff} A, paper preset{(jacobian ? ", full Jacobian" : "")}",
            "environments", environments, threads, () => ForEach(cells.Length, threads, i => d.EncodeEnvironments(cells[i], buffers.Value.Values, buffers.Value.Jacobian)),
            flops, DescriptorFacts(d, cells.Length, points));
    }

    private BenchCase Predict(string name, bool forces, int workers, bool framesInParallel = false, bool chosen = false)
    {
        var frames = Read("mlearn/Mo_test.xyz");
        var potential = chosen ? ChosenModel() : Model();
        long atoms = frames.Sum(f => f.Count);
        var points = frames.Sum(f => NeighbourCount(f, potential.Descriptor.Settings.Cutoff));
        var extra = DescriptorFacts(potential.Descriptor, frames.Length, points);
        extra["model"] = $"{potential.Kind}{(potential is PolynomialPotential { Pair: { } pair } ? $" + pair term to {pair.Basis.Cutoff} A" : "")}, trained in-process on {ModelFrames.Length} Mo_train frames";
        // As `milad predict`: frames one after another, the atoms of a frame on `workers` threads; or (a test
        // set, a trajectory) `workers` frames at once, one thread each.
        var (inFrame, atOnce) = framesInParallel ? (1, workers) : (workers, 1);
        Action pass = forces
            ? () => { potential.Descriptor.MaxThreads = inFrame; ForEach(frames.Length, atOnce, i => potential.Predict(frames[i])); }
            : () => { potential.Descriptor.MaxThreads = inFrame; ForEach(frames.Length, atOnce, i => potential.PredictEnergy(frames[i])); };
        // The energy-only pass is the encoding of every environment (invariants through coupled products) plus the model.
        var flops = forces ? KernelFlops.EncodeWithBackward(potential.Descriptor, atoms, points) : KernelFlops.EnergyOnly(potential.Descriptor, atoms, points);
        return new BenchCase(name, $"{(forces ? "energy + forces + stress" : "energy")} of the {frames.Length} Mo_test cells, {potential.Kind} model",
            "atoms", atoms, workers, pass, flops, extra);
    }

    /// <summary>Mo_train frames the model is fitted on: every 24th, a few seconds of training.</summary>
    private int[] ModelFrames => Enumerable.Range(0, Read("mlearn/Mo_train.xyz").Length).Where(i => i % 24 == 0).ToArray();

    /// <summary>A linear model with the trainer's default descriptor (what <c>milad train</c> fits), fitted once.</summary>
    private Potential Model()
    {
        if (_potential != null) return _potential;
        var train = Read("mlearn/Mo_train.xyz");
        var set = new TrainingSet("Mo_train", ModelFrames.Select(i => train[i]).ToList());
        var options = new TrainingOptions { Kind = "linear", Folds = 2, Threads = Environment.ProcessorCount };
        return _potential = PotentialTrainer.Train(set, options).Potential;
    }

    /// <summary>
    /// The settings <c>milad train</c>'s search chooses on the whole of Mo_train (docs/potentials-defaults.md), fitted
    /// on the same frames as <see cref="Model"/>: the cost of prediction with the default model.
    /// </summary>
    private Potential ChosenModel()
    {
        if (_chosen != null) return _chosen;
        var train = Read("mlearn/Mo_train.xyz");
        var set = new TrainingSet("Mo_train", ModelFrames.Select(i => train[i]).ToList());
        var options = new TrainingOptions
        {
            Kind = MoChosen.Kind, Folds = 2, Threads = Environment.ProcessorCount,
            Descriptor = TrainingOptions.DefaultDescriptor with
            {
                NMax = MoChosen.NMax, Cutoff = MoChosen.Cutoff, InvariantSet = MoChosen.Invariants, RadialExponent = MoChosen.RadialExponent,
            },
            PairCutoff = MoChosen.PairCutoff,
        };
        return _chosen = PotentialTrainer.Train(set, options).Potential;
    }

    private Potential? _chosen;

    /// <summary>What the settings search chose for Mo (measured: docs/potentials-defaults.md).</summary>
    private static readonly (string Kind, int NMax, double Cutoff, string Invariants, double RadialExponent, double PairCutoff) MoChosen =
        ("linear", 11, 4.0, "scalar", 0.5, 6.5);

    private BenchCase Decode(string name, string preset)
    {
        var all = Read(Qm9);
        var settings = Presets.Get(preset);
        var encoder = new Descriptor(settings);
        var fingerprints = DecodeMolecules.Select(i => encoder.Encode(all[i]).Values).ToArray();
        var pool = new ConcurrentBag<Decoder>();
        var decoded = new int[fingerprints.Length];
        var work = new long[fingerprints.Length];
        var extra = DescriptorFacts(encoder, fingerprints.Length, DecodeMolecules.Sum(i => all[i].Count));
        extra["molecules"] = string.Join(",", DecodeMolecules);
        return new BenchCase(name, $"{fingerprints.Length} QM9 molecules (8-17 atoms) decoded, {preset} preset", "molecules", fingerprints.Length, threads, () =>
        {
            ForEach(fingerprints.Length, threads, i =>
            {
                // Decoders are not thread-safe: one per worker, reused across passes.
                if (!pool.TryTake(out var decoder)) decoder = new Decoder(settings);
                try
                {
                    var result = decoder.Decode(fingerprints[i]);
                    decoded[i] = result.Decoded ? 1 : 0;
                    work[i] = result.Work;
                }
                finally { pool.Add(decoder); }
            });
            extra["decoded"] = decoded.Sum();
            extra["work_units"] = work.Sum();
        }, null, extra);
    }

    /// <summary>
    /// One kernel alone on the Mo environments at n_max 7 (paper preset, 5 A): the moments of every
    /// environment from its points (items = points), or the invariants of every environment from its moments,
    /// four per pass over the terms (items = environments). What the fraction of peak of each kernel is read from.
    /// </summary>
    private BenchCase Kernel(string name, bool invariants)
    {
        var cells = Read("mlearn/Mo_test.xyz");
        var d = new Descriptor(Presets.Get("paper", "environments"));
        var m = d.Basis.Count;
        var points = new List<double[]>();   // per environment: x..., y..., z..., w...
        var moments = new List<double[]>();
        foreach (var cell in cells)
        {
            var list = NeighbourList.Build(cell, d.Settings.Cutoff);
            var envMoments = d.EnvironmentMoments(cell);
            for (var i = 0; i < cell.Count; i++)
            {
                var nb = list.Of(i);
                var p = new double[4 * nb.Length];
                for (var j = 0; j < nb.Length; j++)
                {
                    var x = nb[j].Displacement / d.Settings.Cutoff;
                    (p[j], p[nb.Length + j], p[2 * nb.Length + j]) = (x.X, x.Y, x.Z);
                    p[3 * nb.Length + j] = 0.5 * (1 + Math.Cos(Math.PI * nb[j].Displacement.Norm / d.Settings.Cutoff)); // the cosine cutoff
                }
                points.Add(p);
                moments.Add(envMoments[i]);
            }
        }
        long totalPoints = points.Sum(p => p.Length / 4);
        var extra = DescriptorFacts(d, cells.Length, totalPoints);
        if (!invariants)
        {
            var output = new double[m];
            return new BenchCase(name, $"the moments kernel alone: {points.Count} Mo environments, n_max 7, from their points", "points",
                totalPoints, 1, () =>
                {
                    foreach (var p in points)
                    {
                        var n = p.Length / 4;
                        d.Basis.AccumulateMoments(p.AsSpan(0, n), p.AsSpan(n, n), p.AsSpan(2 * n, n), p.AsSpan(3 * n, n), output);
                    }
                }, totalPoints * KernelFlops.MomentsPerPoint(d), extra);
        }
        // Moments interleaved four environments per group, as the encoder does, with the slot that holds 1.
        var groups = new List<Vector256<double>[]>();
        for (var first = 0; first < moments.Count; first += 4)
        {
            var four = new Vector256<double>[m + 1];
            var lanes = MemoryMarshal.Cast<Vector256<double>, double>(four.AsSpan());
            for (var lane = 0; lane < 4 && first + lane < moments.Count; lane++)
                for (var mu = 0; mu < m; mu++) lanes[4 * mu + lane] = moments[first + lane][mu];
            four[m] = Vector256<double>.One;
            groups.Add(four);
        }
        var values = new Vector256<double>[d.Invariants.Count];
        return new BenchCase(name, $"the invariants kernel alone: {moments.Count} Mo environments, n_max 7, four per pass", "environments",
            moments.Count, 1, () => { foreach (var g in groups) d.Invariants.EvaluateFour(g, values); },
            4.0 * groups.Count * KernelFlops.Invariants(d), extra);
    }

    private static Dictionary<string, object> DescriptorFacts(Descriptor d, int frames, long points) => new()
    {
        ["frames"] = frames,
        ["points"] = points,
        ["n_max"] = d.Settings.NMax,
        ["invariant_set"] = d.Settings.InvariantSet,
        ["fingerprint_length"] = d.Length,
        ["cutoff"] = d.Settings.Cutoff,
    };

    /// <summary>Neighbours within the cutoff summed over the atoms: the points of all environments.</summary>
    private static long NeighbourCount(Structure s, double cutoff)
    {
        var list = NeighbourList.Build(s, cutoff);
        long n = 0;
        for (var i = 0; i < s.Count; i++) n += list.Of(i).Length;
        return n;
    }

    /// <summary>Runs body(0..count-1): in order on this thread for one worker, else on that many workers.</summary>
    internal static void ForEach(int count, int workers, Action<int> body)
    {
        if (workers == 1)
        {
            for (var i = 0; i < count; i++) body(i);
            return;
        }
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = workers }, body);
    }
}
