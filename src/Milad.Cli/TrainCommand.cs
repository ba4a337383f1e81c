using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Milad.Fingerprints;
using Milad.Potentials;

namespace Milad.Cli;

/// <summary>
/// `milad train --train TRAIN --test TEST --model MODEL.json [--report REPORT.json] [--plot PLOT.png]`:
/// fit a potential on DFT energies and forces, save it, and report its errors on both files.
/// </summary>
public static class TrainCommand
{
    public static Command Create(TextWriter stdout)
    {
        var train = new Option<string>("--train") { Required = true, Description = "Training frames with energies and forces (extended xyz or mlearn JSON)." };
        var test = new Option<string?>("--test") { Description = "Test frames with energies and forces: reported, never used for fitting or model choice (optional; without it the report has no test section)." };
        var model = new Option<string>("--model") { Required = true, Description = "Model file to write (JSON)." };
        var report = new Option<string?>("--report") { Description = "Report file (JSON): train and test errors, training seconds, choices made." };
        var plot = new Option<string?>("--plot") { Description = "PNG with parity plots (energies, forces; test set) and the loss curves." };
        var kind = new Option<string>("--kind") { Description = "linear, quadratic or neural (default: chosen by the settings search between linear and quadratic; linear with --search-budget 0)." };
        kind.AcceptOnlyFromAmong("linear", "quadratic", "neural");
        var nmax = new Option<int?>("--nmax") { Description = $"Largest Zernike order (default {TrainingOptions.DefaultDescriptor.NMax})." };
        var cutoff = new Option<double?>("--cutoff") { Description = $"Environment cutoff in Angstrom (default {TrainingOptions.DefaultDescriptor.Cutoff})." };
        var invariants = new Option<string?>("--invariants") { Description = "scalar (default), compact or complete." };
        var radialExponent = new Option<double?>("--radial-exponent") { Description = "A neighbour at r sits at radius (r / cutoff)^p of the unit ball: p < 1 moves the neighbour shells outwards, where high angular orders resolve them (0.25 to 4; default: chosen by the search, 1 without it)." };
        var weights = new Option<string?>("--weights") { Description = "Species weights, e.g. Fe=1 (default: atomic numbers)." };
        var centre = new Option<bool>("--include-centre") { Description = "The centre atom is part of its own density." };
        var quadratic = new Option<int?>("--quadratic-components") { Description = "Quadratic model: principal components multiplied pairwise (default 32)." };
        var projection = new Option<string?>("--projection") { Description = "Quadratic and neural models: 'variance' (default: principal components) or 'forces' (directions of the fingerprint's variance and of the forces together)." };
        projection.AcceptOnlyFromAmong("forces", "variance");
        var pairCutoff = new Option<double?>("--pair-cutoff") { Description = "Cutoff (A) of an added linear pair term with Gaussian radial functions (default 0: none)." };
        var pairFunctions = new Option<int?>("--pair-functions") { Description = "Pair term: Gaussians per neighbour species (default 24)." };
        var pairInner = new Option<double?>("--pair-inner") { Description = "Pair term: centre of the first Gaussian in A (default 1.5); the last sits at the pair cutoff." };
        var components = new Option<int?>("--components") { Description = "Neural model: principal components the network reads (default 48; 0: every standardised invariant)." };
        var hidden = new Option<string?>("--hidden") { Description = "Neural model: hidden layer widths, e.g. 64,64 (default)." };
        var optimizer = new Option<string?>("--optimizer") { Description = "Neural model: adam (default, mini-batches) or lbfgs (full batch)." };
        var epochs = new Option<int?>("--epochs") { Description = "Neural model: largest number of epochs (default 300)." };
        var batch = new Option<int?>("--batch") { Description = "Neural model: frames per mini-batch (default 4)." };
        var rate = new Option<double?>("--learning-rate") { Description = "Neural model: initial Adam step (default 2e-3)." };
        var validation = new Option<double?>("--validation") { Description = "Neural model: share of training frames held out for early stopping (default 0.1)." };
        var patience = new Option<int?>("--patience") { Description = "Neural model: epochs without improvement before stopping (default 50)." };
        var timeLimit = new Option<double?>("--time-limit") { Description = "Neural model: seconds of optimisation at most, a safety stop (default 400)." };
        var forceWeight = new Option<double?>("--force-weight") { Description = "Neural model: weight of forces relative to energies (default 1)." };
        var weightDecay = new Option<double?>("--weight-decay") { Description = "Neural model: L2 penalty (lambda / 2) |weights|^2 added to the training loss (default 0)." };
        var energyWeights = new Option<string?>("--energy-weights") { Description = "Ridge fit: energy weights (per-atom energy vs force component) the cross-validation chooses from, e.g. 10,100 (default 10,100,1000,10000,100000)." };
        var stressWeight = new Option<double?>("--stress-weight") { Description = "Linear and quadratic models (and the network's baseline): weight of each virial component per atom (from stress= in eV/A^3, ASE sign, or stress_kbar= in kBar, VASP sign) relative to the energy per atom; 0, the default, ignores stresses." };
        var magneticPowers = new Option<string?>("--magnetic-powers") { Description = "Add a term m^k (b + c . x) (for the network: to its linear baseline) in each atom's magnetic moment m (the magmom column, needed in every training, test and prediction frame) for these powers k, e.g. 2,4." };
        var folds = new Option<int?>("--folds") { Description = "Cross-validation folds for the ridge fit (default 5)." };
        var seed = new Option<int?>("--seed") { Description = "Seed of every random choice (default 1)." };
        var threads = new Option<int?>("--threads") { Description = "Worker threads (default: all cores)." };
        var searchBudget = new Option<double?>("--search-budget") { Description = "Seconds of work (CPU seconds over the worker threads: wall seconds on an idle machine) after which the settings search starts no further candidate (default 900; 0: no search). The search chooses, by cross-validation on the training file, the settings not given: --cutoff, --nmax, --radial-exponent, --invariants, --pair-cutoff." };

        var command = new Command("train", "Fit an interatomic potential (linear, quadratic or neural) on environment fingerprints to DFT energies and forces.")
        {
            train, test, model, report, plot, kind, nmax, cutoff, invariants, radialExponent, weights, centre, quadratic, projection, pairCutoff, pairFunctions, pairInner, components, hidden,
            optimizer, epochs, batch, rate, validation, patience, timeLimit, forceWeight, weightDecay, energyWeights, stressWeight, magneticPowers, folds, seed, threads,
            searchBudget,
        };
        command.SetAction(p =>
        {
            var o = new TrainingOptions();
            var d = TrainingOptions.DefaultDescriptor;
            if (p.GetValue(nmax) is { } n) d = d with { NMax = n };
            if (p.GetValue(cutoff) is { } c) d = d with { Cutoff = c };
            if (p.GetValue(invariants) is { } inv) d = d with { InvariantSet = inv };
            if (p.GetValue(radialExponent) is { } re) d = d with { RadialExponent = re };
            if (FingerprintCommand.ParseWeights(p.GetValue(weights)) is { } w) d = d with { Weights = w };
            if (p.GetValue(centre)) d = d with { IncludeCentre = true };
            o = o with { Kind = p.GetValue(kind) ?? "linear", Descriptor = d };
            if (p.GetValue(quadratic) is { } q) o = o with { QuadraticComponents = q };
            if (p.GetValue(pairCutoff) is { } pc) o = o with { PairCutoff = pc };
            if (p.GetValue(pairFunctions) is { } pf) o = o with { PairFunctions = pf };
            if (p.GetValue(pairInner) is { } pi) o = o with { PairInner = pi };
            if (p.GetValue(components) is { } k) o = o with { NeuralComponents = k };
            if (p.GetValue(projection) is { } pr) o = o with { ForceProjection = pr == "forces" };
            if (p.GetValue(hidden) is { } h) o = o with { HiddenLayers = ParseLayers(h) };
            if (p.GetValue(optimizer) is { } opt) o = o with { Optimizer = opt };
            if (p.GetValue(epochs) is { } e) o = o with { Epochs = e };
            if (p.GetValue(batch) is { } b) o = o with { BatchFrames = b };
            if (p.GetValue(rate) is { } r) o = o with { LearningRate = r };
            if (p.GetValue(validation) is { } v) o = o with { ValidationFraction = v };
            if (p.GetValue(patience) is { } pa) o = o with { Patience = pa };
            if (p.GetValue(timeLimit) is { } t) o = o with { TimeLimitSeconds = t };
            if (p.GetValue(forceWeight) is { } fw) o = o with { ForceWeight = fw };
            if (p.GetValue(weightDecay) is { } wd) o = o with { WeightDecay = wd };
            if (p.GetValue(energyWeights) is { } ew) o = o with { EnergyWeights = ParseNumbers("--energy-weights", ew) };
            if (p.GetValue(stressWeight) is { } sw) o = o with { StressWeight = sw };
            if (p.GetValue(magneticPowers) is { } mp) o = o with { MagneticPowers = ParseNumbers("--magnetic-powers", mp).Select(x => x == Math.Floor(x) && x <= 8 ? (int)x : throw new InputException($"--magnetic-powers: {x} is not an integer from 1 to 8")).ToArray() };
            if (p.GetValue(folds) is { } f) o = o with { Folds = f };
            if (p.GetValue(seed) is { } s) o = o with { Seed = s };
            if (p.GetValue(threads) is { } th) o = o with { Threads = th };
            // The settings the user gives are fixed; the search chooses the others.
            var budget = p.GetValue(searchBudget) ?? 900;
            if (!(budget >= 0) || !double.IsFinite(budget)) throw new InputException("--search-budget must be >= 0 seconds (0: no search)");
            var search = new SearchSpace
            {
                Cutoff = p.GetValue(cutoff) == null, NMax = p.GetValue(nmax) == null, RadialExponent = p.GetValue(radialExponent) == null,
                Invariants = p.GetValue(invariants) == null,
                Pair = p.GetValue(pairCutoff) == null, Kind = p.GetValue(kind) == null, BudgetSeconds = budget,
            };
            return Run(p.GetValue(train)!, p.GetValue(test), p.GetValue(model)!, p.GetValue(report), p.GetValue(plot), o, stdout, budget > 0 ? search : null);
        });
        return command;
    }

    internal static double[] ParseNumbers(string option, string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var result = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out result[i]) || !(result[i] > 0))
                throw new InputException($"{option}: '{parts[i]}' is not a positive number");
        return result.Length > 0 ? result : throw new InputException($"{option}: no numbers");
    }

    internal static int[] ParseLayers(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var result = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out result[i]) || result[i] < 1)
                throw new InputException($"--hidden: '{parts[i]}' is not a positive layer width (expected e.g. 64,64)");
        return result.Length > 0 ? result : throw new InputException("--hidden: no layer widths");
    }

    internal static int Run(string trainPath, string? testPath, string modelPath, string? reportPath, string? plotPath, TrainingOptions options, TextWriter stdout,
        SearchSpace? search = null)
    {
        // Everything that can be checked before hours of work is checked first.
        options.Validate();
        OutputPaths.Check([trainPath, testPath],
            new OutputPaths.Output(modelPath, "--model", ".json"), new OutputPaths.Output(reportPath, "--report", ".json"), new OutputPaths.Output(plotPath, "--plot", ".png"));
        var trainSet = TrainingSet.Read(trainPath);

        TrainingResult result;
        using (var progress = new ProgressLine("train"))
        {
            var gate = new object();
            result = PotentialTrainer.Train(trainSet, options, p =>
            {
                lock (gate)
                {
                    progress.Report(p.TrainLoss is { } tl
                        ? string.Create(CultureInfo.InvariantCulture, $"{p.Stage} epoch {p.Done}/{p.Total}, loss train {tl:G4} validation {p.ValidationLoss:G4}")
                        : p.Message ?? $"{p.Stage} {p.Done}/{p.Total}");
                }
            }, search);
        }
        options = result.Options;
        var potential = result.Potential;

        // The test file is read only now that the model is final: it cannot have influenced it. Every prediction
        // is made (and checked) before anything is written: a test set the model cannot predict, or a fit that
        // produced non-finite numbers, leaves no model behind.
        var testSet = testPath == null ? null : TrainingSet.Read(testPath);
        if (testSet != null && testSet.Species.Except(trainSet.Species).ToArray() is { Length: > 0 } unknown)
            throw new InputException($"{testPath}: has {string.Join(", ", unknown.Select(Structures.Elements.Symbol))}, which the training set {trainPath} lacks (it has {string.Join(", ", trainSet.Species.Select(Structures.Elements.Symbol))})");
        var (trainPredictions, _) = PredictAll(potential, trainSet);
        var trainErrors = ErrorSummary.Of(trainSet.Frames, trainPredictions);
        List<Prediction>? testPredictions = null;
        ErrorSummary? testErrors = null;
        double forcesSeconds = 0, energySeconds = 0;
        var timed = testSet ?? trainSet;
        if (testSet != null)
        {
            (testPredictions, forcesSeconds) = PredictAll(potential, testSet);
            testErrors = ErrorSummary.Of(testSet.Frames, testPredictions);
        }
        else (_, forcesSeconds) = PredictAll(potential, trainSet);
        var energyClock = Stopwatch.StartNew();
        foreach (var s in timed.Frames) potential.PredictEnergy(s);
        energySeconds = energyClock.Elapsed.TotalSeconds;
        if (!double.IsFinite(trainErrors.EnergyRmse) || !double.IsFinite(trainErrors.ForceRmse) || (testErrors != null && !double.IsFinite(testErrors.EnergyRmse)))
            throw new InputException($"{trainPath}: the fit gives predictions that are not finite numbers (energies or forces too large for a fit?)");

        using (var file = new AtomicFile(modelPath))
        {
            PotentialFile.Write(file.Stream, potential);
            file.Commit();
        }
        if (reportPath != null)
        {
            using var file = new AtomicFile(reportPath);
            WriteReport(file.Stream, options, result, trainSet, testSet, trainErrors, testErrors, energySeconds, forcesSeconds);
            file.Commit();
        }
        if (plotPath != null)
        {
            if (testSet != null) PotentialPlot.Write(plotPath, testSet.Frames, testPredictions!, result, options.Kind);
            else PotentialPlot.Write(plotPath, trainSet.Frames, trainPredictions, result, options.Kind, "train");
        }

        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{options.Kind} model on {trainSet.Frames.Count} frames ({trainSet.AtomCount} atoms) in {result.Seconds:F1} s -> {modelPath}"));
        if (result.Search is { } chosen)
        {
            var t = chosen.Trials[chosen.Chosen];
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"settings chosen by {options.Folds}-fold cross-validation on the training frames ({chosen.Trials.Length} candidates{(chosen.Complete ? "" : ", stopped by --search-budget")}, {chosen.Seconds:F0} s, {chosen.WorkSeconds:F0} s of work): {t.Describe()}, energy weight {t.Ridge.EnergyWeight:G3}, lambda {t.Ridge.Lambda:G3}; CV energy MAE {1000 * t.Ridge.EnergyMae:F2} RMSE {1000 * t.Ridge.EnergyRmse:F2} meV/atom, force RMSE {t.Ridge.ForceRmse:F4} eV/A"));
        }
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"train: energy MAE {1000 * trainErrors.EnergyMae:F2} RMSE {1000 * trainErrors.EnergyRmse:F2} meV/atom, force MAE {trainErrors.ForceMae:F4} RMSE {trainErrors.ForceRmse:F4} eV/A"));
        if (testErrors != null)
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"test:  energy MAE {1000 * testErrors.EnergyMae:F2} RMSE {1000 * testErrors.EnergyRmse:F2} meV/atom, force MAE {testErrors.ForceMae:F4} RMSE {testErrors.ForceRmse:F4} eV/A"));
        return MiladCommand.Ok;
    }

    private static (List<Prediction> Predictions, double Seconds) PredictAll(Potential potential, TrainingSet set)
    {
        var clock = Stopwatch.StartNew();
        var list = new List<Prediction>(set.Frames.Count);
        for (var f = 0; f < set.Frames.Count; f++)
        {
            try { list.Add(potential.Predict(set.Frames[f])); }
            catch (InputException e) { throw InputException.AtFrame(set.Name, f, e.Message); }
        }
        return (list, clock.Elapsed.TotalSeconds);
    }

    private static void WriteErrors(Utf8JsonWriter w, string name, TrainingSet set, ErrorSummary e)
    {
        w.WriteStartObject(name);
        w.WriteString("file", set.Name);
        w.WriteNumber("frames", e.Frames);
        w.WriteNumber("atoms", set.AtomCount);
        w.WriteNumber("energy_rmse_mev_per_atom", 1000 * e.EnergyRmse);
        w.WriteNumber("energy_mae_mev_per_atom", 1000 * e.EnergyMae);
        w.WriteNumber("force_rmse_ev_per_a", e.ForceRmse);
        w.WriteNumber("force_mae_ev_per_a", e.ForceMae);
        if (e.StressFrames > 0)
        {
            w.WriteNumber("stress_frames", e.StressFrames);
            w.WriteNumber("stress_rmse_gpa", e.StressRmse);
        }
        if (e.Groups.Count > 0)
        {
            w.WriteStartObject("energy_rmse_mev_per_atom_by_config_type");
            foreach (var (group, frames, rmse) in e.Groups) w.WriteNumber(group, 1000 * rmse);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void WriteReport(Stream stream, TrainingOptions o, TrainingResult result, TrainingSet train, TrainingSet? test,
        ErrorSummary trainErrors, ErrorSummary? testErrors, double energySeconds, double forcesSeconds)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("kind", o.Kind);
        w.WriteStartObject("descriptor");
        DescriptorSettingsJson.WriteProperties(w, o.Descriptor);
        w.WriteNumber("length", result.Potential.Descriptor.Length);
        w.WriteEndObject();
        WriteErrors(w, "train", train, trainErrors);
        if (test != null) WriteErrors(w, "test", test, testErrors!);
        w.WriteNumber("seconds", result.Seconds);
        w.WriteStartObject("predict");
        w.WriteNumber("energy_seconds", energySeconds);
        w.WriteNumber("energy_forces_seconds", forcesSeconds);
        w.WriteNumber("cost_ratio", forcesSeconds / Math.Max(1e-9, energySeconds));
        w.WriteEndObject();
        // The chosen ridge setting, then every setting tried, with the same fields.
        static void WriteRidge(Utf8JsonWriter w, RidgeChoice r)
        {
            w.WriteNumber("energy_weight", r.EnergyWeight);
            w.WriteNumber("lambda", r.Lambda);
            w.WriteNumber("cv_energy_rmse_mev_per_atom", 1000 * r.EnergyRmse);
            w.WriteNumber("cv_force_rmse_ev_per_a", r.ForceRmse);
            w.WriteNumber("cv_energy_mae_mev_per_atom", 1000 * r.EnergyMae);
        }
        w.WriteStartObject("ridge");
        WriteRidge(w, result.Ridge);
        w.WriteStartArray("grid");
        foreach (var g in result.RidgeGrid)
        {
            w.WriteStartObject();
            WriteRidge(w, g);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        if (result.Search is { } search)
        {
            // Every candidate of the settings search with its cross-validated errors, and the choice.
            w.WriteStartObject("search");
            w.WriteBoolean("complete", search.Complete);
            w.WriteNumber("seconds", search.Seconds);
            w.WriteNumber("work_seconds", search.WorkSeconds);
            w.WriteNumber("chosen", search.Chosen);
            w.WriteStartArray("candidates");
            foreach (var t in search.Trials)
            {
                w.WriteStartObject();
                w.WriteString("stage", t.Stage);
                w.WriteString("kind", t.Kind);
                w.WriteNumber("cutoff", t.Descriptor.Cutoff);
                w.WriteNumber("nmax", t.Descriptor.NMax);
                w.WriteString("invariants", t.Descriptor.InvariantSet);
                w.WriteNumber("radial_exponent", t.Descriptor.RadialExponent);
                w.WriteNumber("pair_cutoff", t.PairCutoff);
                WriteRidge(w, t.Ridge);
                w.WriteNumber("seconds", t.Seconds);
                w.WriteNumber("work_seconds", t.WorkSeconds);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        if (result.Potential.TrainingInfo != null)
        {
            w.WritePropertyName("training");
            w.WriteRawValue(result.Potential.TrainingInfo);
        }
        if (result.Curve.Count > 0)
        {
            w.WriteStartArray("curve");
            foreach (var c in result.Curve)
            {
                w.WriteStartObject();
                w.WriteNumber("epoch", c.Epoch);
                w.WriteNumber("train_loss", c.TrainLoss);
                w.WriteNumber("validation_loss", c.ValidationLoss);
                w.WriteNumber("validation_energy_rmse_mev_per_atom", 1000 * c.ValidationEnergyRmse);
                w.WriteNumber("validation_force_rmse_ev_per_a", c.ValidationForceRmse);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }
}
