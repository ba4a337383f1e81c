using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Milad.Fingerprints;
using Milad.Structures;

namespace Milad.Potentials;

/// <summary>
/// Trains a potential from frames with DFT energies and forces:
/// <list type="number">
/// <item>encode every environment (values only) and fit each species' <see cref="FeatureMap"/>;</item>
/// <item>encode again with local Jacobians and accumulate the ridge sums (<see cref="DesignAccumulator"/>);</item>
/// <item>choose the energy weight and ridge strength by cross-validation over frames and solve
/// (<see cref="RidgeFit"/>): the linear or quadratic model;</item>
/// <item>for the network: the linear model is the frozen baseline and a per-species network on the
/// projected fingerprint learns the rest (<see cref="NeuralTrainer"/>).</item>
/// </list>
/// </summary>
public static class PotentialTrainer
{
    /// <summary>Trains a model on <paramref name="data"/>; <paramref name="progress"/> hears of every stage.</summary>
    /// <param name="data">The training frames (the only frames any choice sees).</param>
    /// <param name="options">The settings (those <paramref name="search"/> chooses are starting points).</param>
    /// <param name="progress">Progress reports, or null.</param>
    /// <param name="search">Settings to choose by cross-validation before the fit (<see cref="SettingsSearch"/>); null: none,
    /// the options are used as they are.</param>
    public static TrainingResult Train(TrainingSet data, TrainingOptions options, Action<TrainingProgress>? progress = null, SearchSpace? search = null)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        SearchResult? searched = null;
        PolynomialFit fit;
        if (search is { Any: true })
        {
            (searched, var chosenFit, options) = SettingsSearch.Run(data, options, search, progress);
            // The network needs its samples and held-out frames: its baseline is fitted again at the chosen settings.
            fit = options.Kind == "neural" ? FitPolynomial(data, options, progress) : chosenFit;
        }
        else fit = FitPolynomial(data, options, progress);
        if (options.Kind != "neural")
        {
            fit.Polynomial.TrainingInfo = Info(options, data, fit.Choice, null, clock.Elapsed.TotalSeconds, searched);
            return new TrainingResult(fit.Polynomial, fit.Choice, fit.Grid, [], clock.Elapsed.TotalSeconds, options, searched);
        }

        // 4. Network on top of the linear baseline.
        var trainer = new NeuralTrainer(options, fit.Polynomial, fit.NeuralMaps, data, fit.Samples!, progress);
        var (neural, curve) = trainer.Run();
        neural.TrainingInfo = Info(options, data, fit.Choice, curve, clock.Elapsed.TotalSeconds, searched);
        return new TrainingResult(neural, fit.Choice, fit.Grid, curve, clock.Elapsed.TotalSeconds, options, searched);
    }

    /// <summary>The closed-form part of a run.</summary>
    /// <param name="Polynomial">The linear (also for the network: its baseline) or quadratic model.</param>
    /// <param name="Choice">The chosen ridge point.</param>
    /// <param name="Grid">Every ridge point tried.</param>
    /// <param name="NeuralMaps">Per species, the network's input map (empty components unless neural).</param>
    /// <param name="Samples">The network's training samples per frame (null unless neural).</param>
    internal sealed record PolynomialFit(PolynomialPotential Polynomial, RidgeChoice Choice, RidgeChoice[] Grid, FeatureMap[] NeuralMaps, EnvironmentSample[][]? Samples);

    /// <summary>Steps 1 to 3: feature maps, ridge sums, cross-validated ridge fit.</summary>
    internal static PolynomialFit FitPolynomial(TrainingSet data, TrainingOptions options, Action<TrainingProgress>? progress) =>
        Solve(Accumulate(data, options, progress), options, withPair: true, progress);

    /// <summary>What steps 1 and 2 leave for the ridge fit: the maps, the layout and the sums.</summary>
    internal sealed record RidgeSums(Descriptor Descriptor, int[] Species, FeatureMap[] Maps, PairBasis? Pair, FeatureMap[]? PairMaps,
        DesignAccumulator Accumulator, NormalEquations Equations, EnvironmentSample[][]? Samples, int HeldOut, int Quadratic, int Neural);

    /// <summary>Steps 1 and 2: feature maps and ridge sums.</summary>
    internal static RidgeSums Accumulate(TrainingSet data, TrainingOptions options, Action<TrainingProgress>? progress)
    {
        options.Validate();
        var descriptor = new Descriptor(options.Descriptor);
        var species = data.Species;
        var frames = data.Frames;
        var kq = options.Kind == "quadratic" ? options.QuadraticComponents : 0;
        var kn = options.Kind == "neural" ? (options.NeuralComponents == 0 ? descriptor.Length : options.NeuralComponents) : 0;
        var identity = options.Kind == "neural" && options.NeuralComponents == 0;

        // 1. Standardisation and principal components per species.
        var values = new double[frames.Count][];
        var pair = options.PairCutoff > 0 ? new PairBasis(options.PairCutoff, options.PairFunctions, options.PairInner, species) : null;
        var pairValues = pair != null ? new double[frames.Count][] : null;
        var done = 0;
        ForEachFrame(data, options.Threads, f =>
        {
            if (pair != null) pairValues![f] = pair.Features(frames[f]);
            var envs = descriptor.EncodeEnvironments(frames[f]);
            var flat = new double[envs.Length * descriptor.Length];
            for (var i = 0; i < envs.Length; i++) envs[i].Values.CopyTo(flat, i * descriptor.Length);
            values[f] = flat;
            progress?.Invoke(new TrainingProgress("encoding", Interlocked.Increment(ref done), frames.Count));
        });
        var maps = new FeatureMap[species.Length];
        var rowsOf = new double[species.Length][];
        var countOf = new int[species.Length];
        var kMax = Math.Max(kq, kn);
        // The rows (one per atom, `length` numbers) of one species from per-frame row-major blocks.
        (double[] Rows, int Count) RowsOfSpecies(int z, double[][] perFrame, int length)
        {
            var rows = new List<double>();
            var count = 0;
            for (var f = 0; f < frames.Count; f++)
                for (var i = 0; i < frames[f].Count; i++)
                    if (frames[f].AtomicNumbers[i] == z)
                    {
                        rows.AddRange(perFrame[f].AsSpan(i * length, length));
                        count++;
                    }
            return (rows.ToArray(), count);
        }
        for (var s = 0; s < species.Length; s++)
        {
            var (rows, count) = RowsOfSpecies(species[s], values, descriptor.Length);
            if (count < 2) throw new InputException($"{data.Name}: only {count} {Elements.Symbol(species[s])} atom(s); every species needs at least two environments");
            rowsOf[s] = rows;
            countOf[s] = count;
            maps[s] = FeatureMap.Fit(rowsOf[s], count, descriptor.Length, options.ForceProjection || identity ? 0 : kMax);
            if (identity) maps[s] = maps[s].WithIdentityProjection();
        }
        values = null!;
        FeatureMap[]? pairMaps = null;
        if (pair != null)
        {
            pairMaps = new FeatureMap[species.Length];
            for (var s = 0; s < species.Length; s++)
            {
                var (rows, count) = RowsOfSpecies(species[s], pairValues!, pair.Length);
                pairMaps[s] = FeatureMap.Fit(rows, count, pair.Length, 0);
            }
            pairValues = null;
        }
        if (kMax > 0 && options.ForceProjection && !identity)
        {
            // The force Gram matrix of the linear features on a subset of the frames (a sixth, at most 40).
            var step = Math.Max(6, (frames.Count + 39) / 40);
            var subset = Enumerable.Range(0, frames.Count).Where(f => f % step == 0).Select(f => frames[f]).ToList();
            var pre = new DesignAccumulator(descriptor, species, maps, 0, 0);
            var (gram, _) = pre.Run(data.Name, subset, new int[subset.Count], 1, options.Threads,
                d => progress?.Invoke(new TrainingProgress("projection", d, subset.Count)));
            var g = gram.Sum(1, -1);
            var length0 = descriptor.Length;
            for (var s = 0; s < species.Length; s++)
            {
                var block = new double[length0 * length0];
                var off = s * pre.BlockSize + 1;
                for (var a = 0; a < length0; a++)
                    for (var b = 0; b < length0; b++) block[a * length0 + b] = g[off + a, off + b];
                maps[s] = FeatureMap.Fit(rowsOf[s], countOf[s], length0, kMax, block);
            }
        }
        // At most K quadratic components: a fingerprint with fewer independent components uses all it has.
        if (kq > 0) kq = Math.Min(kq, maps.Min(m => m.Components));
        for (var s = 0; s < species.Length; s++)
            if (kn > 0 && maps[s].Components < kn)
                throw new InputException($"{data.Name}: the {Elements.Symbol(species[s])} fingerprints have only {maps[s].Components} independent components; use --components {maps[s].Components} or fewer");
        rowsOf = null!;

        // 2. Ridge sums (and the network's samples), folds by frame.
        var folds = Math.Min(options.Folds, frames.Count);
        if (folds < 2) throw new InputException($"{data.Name}: training needs at least 2 frames (got {frames.Count})");
        var foldOf = FoldAssignment(frames.Count, folds, options.Seed);
        // The network's validation frames form one more fold that neither the cross-validation nor the baseline's
        // fit sees: early stopping then measures how the network generalises, not how well the baseline remembers.
        var heldOut = -1;
        if (options.Kind == "neural")
        {
            heldOut = folds;
            foreach (var v in ValidationSplit(frames.Count, options.ValidationFraction, options.Seed).Validation) foldOf[v] = heldOut;
        }
        var accumulator = new DesignAccumulator(descriptor, species, maps, kq, kn, pair, pairMaps, options.StressWeight > 0, options.MagneticPowers);
        NormalEquations equations;
        EnvironmentSample[][]? samples;
        try
        {
            (equations, samples) = accumulator.Run(data.Name, frames, foldOf, heldOut >= 0 ? folds + 1 : folds, options.Threads,
                d => progress?.Invoke(new TrainingProgress("fitting", d, frames.Count)));
        }
        catch (AggregateException e) when (e.InnerExceptions.OfType<InputException>().Any())
        {
            throw e.InnerExceptions.OfType<InputException>().First();
        }

        return new RidgeSums(descriptor, species, maps, pair, pairMaps, accumulator, equations, samples, heldOut, kq, kn);
    }

    /// <summary>
    /// Step 3: the cross-validated ridge fit from the sums; without <paramref name="withPair"/> the pair columns are left
    /// out (the same fit as sums accumulated without a pair term: the other columns do not depend on it).
    /// </summary>
    internal static PolynomialFit Solve(RidgeSums sums, TrainingOptions options, bool withPair, Action<TrainingProgress>? progress)
    {
        var (descriptor, species, maps, accumulator) = (sums.Descriptor, sums.Species, sums.Maps, sums.Accumulator);
        var pair = withPair ? sums.Pair : null;
        var dropped = pair == null ? accumulator.PairFeatures : 0;
        var blockSize = accumulator.BlockSize - dropped;
        var magneticOffset = accumulator.MagneticOffset - dropped;
        var f0 = descriptor.Length;
        var p0 = accumulator.PairFeatures - dropped;
        var equations = sums.Equations;
        if (dropped > 0)
        {
            var keep = new List<int>();
            for (var s = 0; s < species.Length; s++)
                for (var c = 0; c < accumulator.BlockSize; c++)
                    if (c < 1 + f0 || c >= 1 + f0 + dropped) keep.Add(s * accumulator.BlockSize + c);
            equations = equations.Restrict(keep.ToArray());
        }
        var penalised = new bool[equations.Size];
        for (var c = 0; c < equations.Size; c++) penalised[c] = c % blockSize != 0;
        progress?.Invoke(new TrainingProgress("ridge", 0, 1));
        var (coefficients, choice, grid) = RidgeFit.Fit(equations, penalised, options.EnergyWeights, RidgeFit.DefaultLambdas, options.Threads, sums.HeldOut, options.StressWeight,
            options.EnergyByMae);
        var models = new PolynomialPotential.SpeciesModel[species.Length];
        var pairCoefficients = new double[species.Length][];
        for (var s = 0; s < species.Length; s++)
        {
            var off = s * blockSize;
            models[s] = new PolynomialPotential.SpeciesModel(
                coefficients[off], maps[s].Truncate(sums.Quadratic),
                coefficients.AsSpan(off + 1, f0).ToArray(),
                coefficients.AsSpan(off + 1 + f0 + p0, magneticOffset - 1 - f0 - p0).ToArray());
            pairCoefficients[s] = coefficients.AsSpan(off + 1 + f0, p0).ToArray();
        }
        var polynomial = new PolynomialPotential(descriptor, species, models)
        {
            Pair = pair != null ? new PairTerm(pair, sums.PairMaps!, pairCoefficients) : null,
            Magnetic = options.MagneticPowers.Length > 0
                ? new MagneticTerm(options.MagneticPowers, maps, species.Select((_, s) =>
                    coefficients.AsSpan(s * blockSize + magneticOffset, blockSize - magneticOffset).ToArray()).ToArray())
                : null,
        };
        return new PolynomialFit(polynomial, choice, grid, maps.Select(m => m.Truncate(sums.Neural)).ToArray(), sums.Samples);
    }

    /// <summary>Runs <paramref name="work"/> for every frame on several threads; an input error names its frame.</summary>
    internal static void ForEachFrame(TrainingSet data, int threads, Action<int> work)
    {
        try
        {
            Parallel.For(0, data.Frames.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, f =>
            {
                try { work(f); }
                catch (InputException e) { throw InputException.AtFrame(data.Name, f, e.Message); }
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.OfType<InputException>().Any())
        {
            throw e.InnerExceptions.OfType<InputException>().OrderBy(x => x.Message, StringComparer.Ordinal).First();
        }
    }

    /// <summary>The network's split of the frames into training and validation frames (ascending), from the seed.</summary>
    internal static (int[] Train, int[] Validation) ValidationSplit(int frames, double fraction, int seed)
    {
        var order = Enumerable.Range(0, frames).ToArray();
        new Random(seed + 1).Shuffle(order);
        var validation = Math.Clamp((int)Math.Round(fraction * frames), 1, frames - 1);
        return (order[validation..].Order().ToArray(), order[..validation].Order().ToArray());
    }

    /// <summary>Frames shuffled by the seed and dealt round-robin into folds.</summary>
    internal static int[] FoldAssignment(int frames, int folds, int seed)
    {
        var order = Enumerable.Range(0, frames).ToArray();
        new Random(seed).Shuffle(order);
        var fold = new int[frames];
        for (var r = 0; r < frames; r++) fold[order[r]] = r % folds;
        return fold;
    }

    private static string Info(TrainingOptions o, TrainingSet data, RidgeChoice ridge, IReadOnlyList<EpochRecord>? curve, double seconds, SearchResult? search)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("train_file", Path.GetFileName(data.Name));
            w.WriteNumber("frames", data.Frames.Count);
            w.WriteNumber("atoms", data.AtomCount);
            w.WriteNumber("seconds", seconds);
            w.WriteNumber("seed", o.Seed);
            w.WriteNumber("folds", o.Folds);
            w.WriteNumber("ridge_energy_weight", ridge.EnergyWeight);
            w.WriteNumber("ridge_lambda", ridge.Lambda);
            w.WriteNumber("ridge_cv_energy_rmse_mev_per_atom", 1000 * ridge.EnergyRmse);
            w.WriteNumber("ridge_cv_force_rmse_ev_per_a", ridge.ForceRmse);
            if (search != null)
            {
                // Settings chosen by cross-validation on the training frames: how many candidates, and whether all were tried.
                w.WriteNumber("search_candidates", search.Trials.Length);
                w.WriteBoolean("search_complete", search.Complete);
                w.WriteNumber("search_seconds", search.Seconds);
            }
            if (o.StressWeight > 0) w.WriteNumber("stress_weight", o.StressWeight);
            if (o.MagneticPowers.Length > 0) w.WriteString("magnetic_powers", string.Join(",", o.MagneticPowers));
            if (o.PairCutoff > 0)
            {
                w.WriteNumber("pair_cutoff", o.PairCutoff);
                w.WriteNumber("pair_functions", o.PairFunctions);
                w.WriteNumber("pair_inner", o.PairInner);
            }
            if (o.Kind == "quadratic") w.WriteNumber("quadratic_components", o.QuadraticComponents);
            if (o.Kind == "neural")
            {
                w.WriteNumber("components", o.NeuralComponents);
                w.WriteString("hidden", string.Join(",", o.HiddenLayers.Select(h => h.ToString(CultureInfo.InvariantCulture))));
                w.WriteString("optimizer", o.Optimizer);
                w.WriteNumber("batch_frames", o.BatchFrames);
                w.WriteNumber("learning_rate", o.LearningRate);
                w.WriteNumber("validation_fraction", o.ValidationFraction);
                w.WriteNumber("force_weight", o.ForceWeight);
                if (o.WeightDecay > 0) w.WriteNumber("weight_decay", o.WeightDecay);
                if (curve is { Count: > 0 })
                {
                    var best = curve.MinBy(c => c.ValidationLoss)!;
                    w.WriteNumber("epochs", curve.Count);
                    w.WriteNumber("best_epoch", best.Epoch);
                    w.WriteNumber("validation_energy_rmse_mev_per_atom", 1000 * best.ValidationEnergyRmse);
                    w.WriteNumber("validation_force_rmse_ev_per_a", best.ValidationForceRmse);
                }
            }
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
