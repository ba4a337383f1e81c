using System.Diagnostics;
using System.Numerics.Tensors;

namespace Milad.Potentials;

/// <summary>
/// Trains the per-species networks of a <see cref="NeuralPotential"/> on energies and forces, on top of a
/// fitted linear baseline (the networks learn the residual energies and forces).
/// <para>
/// Loss over a set B of frames with C force components:
/// <c>L = wE / |B| sum_f ((E_f - E_f^DFT) / N_f)^2 + wF / C sum_c (F_c - F_c^DFT)^2</c>, with
/// <c>wE = 1 / sE^2</c> and <c>wF = ForceWeight / sF^2</c>, sE and sF the baseline's RMS residuals, so the loss is 2
/// at the start (network output near zero) and each term reads as "share of the linear model's error left".
/// Forces are <c>F = -sum_i dp_i^T g_i</c> (g_i the network's input gradient, dp_i the stored local Jacobian of
/// the network inputs); the weight gradient of the force term goes through
/// <see cref="NeuralNetwork.AccumulateGradient"/> with <c>v_i = dL/dg_i = -2 wF / C dp_i (F - F^DFT)</c>.
/// </para>
/// <para>
/// Adam on shuffled mini-batches of frames (or full-batch L-BFGS), step size decaying 10x along a cosine
/// over the epochs; early stopping keeps the weights with the lowest loss on held-out frames. The time
/// limit is a safety stop only (a run it cuts short depends on the machine's speed). Each batch is cut into a fixed number of chunks whose gradients are
/// summed in order, so a seed gives the same model whatever the number of threads.
/// </para>
/// </summary>
internal sealed class NeuralTrainer
{
    private const int Chunks = 4;
    private readonly TrainingOptions _options;
    private readonly PolynomialPotential _baseline;
    private readonly FeatureMap[] _maps;
    private readonly TrainingSet _data;
    private readonly EnvironmentSample[][] _samples;
    private readonly Action<TrainingProgress>? _progress;
    private readonly double[] _energyTarget;     // DFT minus baseline, per frame (eV)
    private readonly double[][] _forceTarget;    // DFT minus baseline, per frame (3N, eV/A)
    private readonly NeuralNetwork[] _networks;
    private readonly int _inputs;

    public NeuralTrainer(TrainingOptions options, PolynomialPotential baseline, FeatureMap[] maps, TrainingSet data,
        EnvironmentSample[][] samples, Action<TrainingProgress>? progress)
    {
        _options = options;
        _baseline = baseline;
        _maps = maps;
        _data = data;
        _samples = samples;
        _progress = progress;
        var frames = data.Frames;
        _energyTarget = new double[frames.Count];
        _forceTarget = new double[frames.Count][];
        var done = 0;
        PotentialTrainer.ForEachFrame(data, 1, f =>
        {
            var s = frames[f];
            var p = baseline.Predict(s);
            _energyTarget[f] = s.Energy!.Value - p.Energy;
            var t = new double[3 * s.Count];
            for (var i = 0; i < s.Count; i++)
                for (var a = 0; a < 3; a++) t[3 * i + a] = s.Forces![i][a] - p.Forces[i][a];
            _forceTarget[f] = t;
            progress?.Invoke(new TrainingProgress("baseline", ++done, frames.Count));
        });
        _inputs = maps[0].Components;
        double eSq = 0, fSq = 0;
        long components = 0;
        for (var f = 0; f < frames.Count; f++)
        {
            var e = _energyTarget[f] / frames[f].Count;
            eSq += e * e;
            fSq += TensorPrimitives.Dot(_forceTarget[f], _forceTarget[f]);
            components += _forceTarget[f].Length;
        }
        var sE = Math.Max(Math.Sqrt(eSq / frames.Count), 1e-6);
        var sF = Math.Max(Math.Sqrt(fSq / Math.Max(1, components)), 1e-6);
        EnergyWeight = 1 / (sE * sE);
        ForceWeight = options.ForceWeight / (sF * sF);
        var random = new Random(options.Seed);
        var sizes = new[] { _inputs }.Concat(options.HiddenLayers).Append(1).ToArray();
        // Output scale S, so that weights of order one can express the residuals: the per-atom energy residual,
        // or, when larger, the force residual over the typical size of the inputs' derivatives (an energy
        // landscape whose values vary little can still have steep slopes; Adam moves weights by about its
        // step size, so weights that would have to grow to 100 would take far too long).
        double dpSq = 0;
        long dpCount = 0;
        foreach (var frame in samples)
            foreach (var env in frame)
            {
                dpSq += TensorPrimitives.SumOfSquares(env.InputJacobian);
                dpCount += env.Atoms.Length * 3;
            }
        var dpRms = Math.Sqrt(dpSq / Math.Max(1, dpCount));   // |dp/dx| per atom and axis, summed over the K inputs
        OutputScale = Math.Max(sE, sF / Math.Max(dpRms, 1e-12));
        _networks = maps.Select(m =>
        {
            if (m.Components != _inputs) throw new InputException($"a species has only {m.Components} independent fingerprint components; use --components {m.Components} or fewer");
            return NeuralNetwork.Initialise(sizes, random, OutputScale);
        }).ToArray();
        (TrainFrames, ValidationFrames) = PotentialTrainer.ValidationSplit(frames.Count, options.ValidationFraction, options.Seed);
    }

    internal double EnergyWeight { get; }

    /// <summary>The networks' output scale S (eV).</summary>
    internal double OutputScale { get; }

    internal double ForceWeight { get; }

    internal int[] TrainFrames { get; }

    internal int[] ValidationFrames { get; }

    internal NeuralNetwork[] Networks => _networks;

    public (NeuralPotential Potential, List<EpochRecord> Curve) Run()
    {
        var curve = _options.Optimizer == "lbfgs" ? RunLbfgs() : RunAdam();
        return (Build(), curve);
    }

    private NeuralPotential Build()
    {
        var models = new NeuralPotential.SpeciesModel[_networks.Length];
        for (var s = 0; s < models.Length; s++)
        {
            var b = _baseline.Models[s];
            models[s] = new NeuralPotential.SpeciesModel(b with { Features = b.Features.Truncate(0), Quadratic = [] }, _maps[s], _networks[s]);
        }
        return new NeuralPotential(_baseline.Descriptor, _baseline.Species.ToArray(), models) { Pair = _baseline.Pair, Magnetic = _baseline.Magnetic };
    }

    private List<EpochRecord> RunAdam()
    {
        var clock = Stopwatch.StartNew();
        var theta = Flatten();
        var m = new double[theta.Length];
        var v = new double[theta.Length];
        var gradient = new double[theta.Length];
        var best = (double[])theta.Clone();
        var bestLoss = double.PositiveInfinity;
        var sinceBest = 0;
        var curve = new List<EpochRecord>();
        var random = new Random(_options.Seed + 2);
        var order = (int[])TrainFrames.Clone();
        long step = 0;
        const double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
        for (var epoch = 1; epoch <= _options.Epochs; epoch++)
        {
            random.Shuffle(order);
            double trainLoss = 0;
            var batches = 0;
            for (var start = 0; start < order.Length; start += _options.BatchFrames)
            {
                var batch = order.AsSpan(start, Math.Min(_options.BatchFrames, order.Length - start)).ToArray();
                Unflatten(theta);
                trainLoss += TrainingLoss(batch, theta, gradient);
                batches++;
                step++;
                // On epochs, not on the clock: a seed then gives the same model on a busy or an idle machine.
                var progress = (epoch - 1.0) / Math.Max(1, _options.Epochs);
                var lr = _options.LearningRate * (0.1 + 0.45 * (1 + Math.Cos(Math.PI * progress)));
                double c1 = 1 - Math.Pow(beta1, step), c2 = 1 - Math.Pow(beta2, step);
                for (var i = 0; i < theta.Length; i++)
                {
                    var g = gradient[i];
                    m[i] = beta1 * m[i] + (1 - beta1) * g;
                    v[i] = beta2 * v[i] + (1 - beta2) * g * g;
                    theta[i] -= lr * (m[i] / c1) / (Math.Sqrt(v[i] / c2) + eps);
                }
            }
            Unflatten(theta);
            var record = Validate(epoch, trainLoss / Math.Max(1, batches));
            CheckFinite(record);
            curve.Add(record);
            if (record.ValidationLoss < bestLoss)
            {
                bestLoss = record.ValidationLoss;
                theta.CopyTo(best, 0);
                sinceBest = 0;
            }
            else sinceBest++;
            _progress?.Invoke(new TrainingProgress("network", epoch, _options.Epochs, record.TrainLoss, record.ValidationLoss));
            if (sinceBest >= _options.Patience || clock.Elapsed.TotalSeconds >= _options.TimeLimitSeconds) break;
        }
        Unflatten(best);
        return curve;
    }

    private List<EpochRecord> RunLbfgs()
    {
        var clock = Stopwatch.StartNew();
        var theta = Flatten();
        var n = theta.Length;
        const int history = 10;
        var sList = new List<double[]>();
        var yList = new List<double[]>();
        var gradient = new double[n];
        Unflatten(theta);
        var loss = TrainingLoss(TrainFrames, theta, gradient);
        var best = (double[])theta.Clone();
        var bestLoss = double.PositiveInfinity;
        var sinceBest = 0;
        var curve = new List<EpochRecord>();
        var direction = new double[n];
        var trial = new double[n];
        var trialGradient = new double[n];
        for (var iteration = 1; iteration <= _options.Epochs; iteration++)
        {
            // Two-loop recursion: direction = -H g.
            gradient.CopyTo(direction, 0);
            var alphas = new double[sList.Count];
            for (var k = sList.Count - 1; k >= 0; k--)
            {
                alphas[k] = TensorPrimitives.Dot(sList[k], direction) / TensorPrimitives.Dot(yList[k], sList[k]);
                TensorPrimitives.MultiplyAdd(yList[k], -alphas[k], direction, direction);
            }
            var gamma = sList.Count > 0
                ? TensorPrimitives.Dot(sList[^1], yList[^1]) / TensorPrimitives.Dot(yList[^1], yList[^1])
                : 1e-3 / Math.Max(1e-12, TensorPrimitives.Norm(gradient));
            TensorPrimitives.Multiply(direction, gamma, direction);
            for (var k = 0; k < sList.Count; k++)
            {
                var beta = TensorPrimitives.Dot(yList[k], direction) / TensorPrimitives.Dot(yList[k], sList[k]);
                TensorPrimitives.MultiplyAdd(sList[k], alphas[k] - beta, direction, direction);
            }
            TensorPrimitives.Negate(direction, direction);
            var slope = TensorPrimitives.Dot(gradient, direction);
            if (slope >= 0)
            {
                sList.Clear(); yList.Clear();
                TensorPrimitives.Multiply(gradient, -1e-3 / Math.Max(1e-12, TensorPrimitives.Norm(gradient)), direction);
                slope = TensorPrimitives.Dot(gradient, direction);
            }
            // Backtracking (Armijo) line search.
            var step = 1.0;
            double trialLoss = double.NaN;
            var accepted = false;
            for (var tries = 0; tries < 20; tries++)
            {
                TensorPrimitives.MultiplyAdd(direction, step, theta, trial);
                Unflatten(trial);
                trialLoss = TrainingLoss(TrainFrames, trial, trialGradient);
                if (double.IsFinite(trialLoss) && trialLoss <= loss + 1e-4 * step * slope) { accepted = true; break; }
                step *= 0.5;
            }
            if (!accepted) { Unflatten(theta); break; }
            var sk = new double[n];
            var yk = new double[n];
            TensorPrimitives.Subtract(trial, theta, sk);
            TensorPrimitives.Subtract(trialGradient, gradient, yk);
            if (TensorPrimitives.Dot(sk, yk) > 1e-12 * TensorPrimitives.Dot(yk, yk))
            {
                sList.Add(sk); yList.Add(yk);
                if (sList.Count > history) { sList.RemoveAt(0); yList.RemoveAt(0); }
            }
            trial.CopyTo(theta, 0);
            trialGradient.CopyTo(gradient, 0);
            loss = trialLoss;
            Unflatten(theta);
            var record = Validate(iteration, loss);
            CheckFinite(record);
            curve.Add(record);
            if (record.ValidationLoss < bestLoss) { bestLoss = record.ValidationLoss; theta.CopyTo(best, 0); sinceBest = 0; }
            else sinceBest++;
            _progress?.Invoke(new TrainingProgress("network", iteration, _options.Epochs, record.TrainLoss, record.ValidationLoss));
            if (sinceBest >= _options.Patience || clock.Elapsed.TotalSeconds >= _options.TimeLimitSeconds) break;
        }
        Unflatten(best);
        return curve;
    }

    /// <summary>A loss that overflowed means the optimisation diverged: an error (with the setting to change), not a model.</summary>
    private void CheckFinite(EpochRecord record)
    {
        if (double.IsFinite(record.TrainLoss) && double.IsFinite(record.ValidationLoss)) return;
        throw new InputException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"the network diverged at epoch {record.Epoch} (the loss is no longer a finite number); lower --learning-rate (now {_options.LearningRate:G})"));
    }

    private EpochRecord Validate(int epoch, double trainLoss)
    {
        var loss = Loss(ValidationFrames, null, out var eRmse, out var fRmse);
        return new EpochRecord(epoch, trainLoss, loss, eRmse, fRmse);
    }

    internal double[] Flatten()
    {
        var theta = new double[_networks.Sum(n => n.ParameterCount)];
        var o = 0;
        foreach (var net in _networks) { net.Parameters.CopyTo(theta, o); o += net.ParameterCount; }
        return theta;
    }

    internal void Unflatten(ReadOnlySpan<double> theta)
    {
        var o = 0;
        foreach (var net in _networks) { theta.Slice(o, net.ParameterCount).CopyTo(net.Parameters); o += net.ParameterCount; }
    }

    /// <summary>
    /// What the optimisers minimise: <see cref="Loss"/> plus the weight decay (lambda / 2) |theta|^2 of
    /// <see cref="TrainingOptions.WeightDecay"/>, with its gradient; <paramref name="theta"/> holds the current
    /// (unflattened) parameters.
    /// </summary>
    internal double TrainingLoss(int[] frames, double[] theta, double[] gradient)
    {
        var loss = Loss(frames, gradient, out _, out _);
        var decay = _options.WeightDecay;
        if (decay == 0) return loss;
        TensorPrimitives.MultiplyAdd(theta, decay, gradient, gradient);
        return loss + 0.5 * decay * TensorPrimitives.Dot(theta, theta);
    }

    /// <summary>
    /// The loss over <paramref name="frames"/> and, when <paramref name="gradient"/> is not null, its gradient
    /// with respect to the flattened parameters (overwritten). Also the energy (eV/atom) and force (eV/A) RMSE.
    /// </summary>
    internal double Loss(int[] frames, double[]? gradient, out double energyRmse, out double forceRmse)
    {
        long components = 0;
        foreach (var f in frames) components += 3 * _data.Frames[f].Count;
        var chunks = Math.Min(Chunks, frames.Length);
        var results = new ChunkResult[chunks];
        var parameterCount = _networks.Sum(n => n.ParameterCount);
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = _options.Threads }, c =>
        {
            var r = new ChunkResult(gradient != null ? new double[parameterCount] : null);
            var work = new Workspace(_networks[0], _inputs);
            for (var k = c; k < frames.Length; k += chunks)
                FrameLoss(frames[k], frames.Length, components, work, r);
            results[c] = r;
        });
        double loss = 0, eSq = 0, fSq = 0;
        if (gradient != null) Array.Clear(gradient);
        foreach (var r in results)
        {
            loss += r.Loss; eSq += r.EnergySquares; fSq += r.ForceSquares;
            if (gradient != null) TensorPrimitives.Add(gradient, r.Gradient!, gradient);
        }
        energyRmse = Math.Sqrt(eSq / Math.Max(1, frames.Length));
        forceRmse = Math.Sqrt(fSq / Math.Max(1, components));
        return loss;
    }

    private sealed class ChunkResult(double[]? gradient)
    {
        public double Loss, EnergySquares, ForceSquares;
        public readonly double[]? Gradient = gradient;
    }

    /// <summary>Per-chunk buffers, grown to the largest frame.</summary>
    private sealed class Workspace(NeuralNetwork net, int inputs)
    {
        public readonly int Hidden = net.HiddenWidth;
        public double[] Activations = [], Deltas = [], InputGradients = [], Jacobians = [], Forces = [], Local = [];
        public int[] JacobianOffset = [];
        public readonly double[] Scratch = new double[3 * net.HiddenWidth + 2 * net.MaxWidth];
        public readonly double[] V = new double[inputs];

        public void Ensure(int atoms, int jacobian)
        {
            if (Activations.Length < atoms * Hidden)
            {
                Activations = new double[atoms * Hidden];
                Deltas = new double[atoms * Hidden];
                InputGradients = new double[atoms * inputs];
                Forces = new double[3 * atoms];
                Local = new double[3 * atoms];
                JacobianOffset = new int[atoms + 1];
            }
            if (Jacobians.Length < jacobian) Jacobians = new double[jacobian];
        }
    }

    private void FrameLoss(int frame, int frameCount, long components, Workspace w, ChunkResult result)
    {
        var samples = _samples[frame];
        var n = samples.Length;
        var k = _inputs;
        var h = w.Hidden;
        var jacobianSize = 0;
        foreach (var s in samples) jacobianSize += s.InputJacobian.Length;
        w.Ensure(n, jacobianSize);
        var forces = w.Forces.AsSpan(0, 3 * n);
        forces.Clear();
        double energy = 0;
        var o = 0;
        for (var i = 0; i < n; i++)
        {
            var s = samples[i];
            var net = _networks[s.Species];
            var a = w.Activations.AsSpan(i * h, h);
            var g = w.InputGradients.AsSpan(i * k, k);
            energy += net.Forward(s.Inputs, a);
            net.InputGradient(a, w.Scratch, g, w.Deltas.AsSpan(i * h, h));
            // F -= dp^T g over the atoms this environment depends on.
            var k3 = 3 * s.Atoms.Length;
            w.JacobianOffset[i] = o;
            var dp = w.Jacobians.AsSpan(o, k * k3);
            TensorPrimitives.ConvertChecked<float, double>(s.InputJacobian, dp);
            o += k * k3;
            var local = w.Local.AsSpan(0, k3);
            local.Clear();
            for (var a2 = 0; a2 < k; a2++)
                if (g[a2] != 0) TensorPrimitives.MultiplyAdd(dp.Slice(a2 * k3, k3), g[a2], local, local);
            for (var c = 0; c < s.Atoms.Length; c++)
            {
                var at = 3 * s.Atoms[c];
                forces[at] -= local[3 * c]; forces[at + 1] -= local[3 * c + 1]; forces[at + 2] -= local[3 * c + 2];
            }
        }
        var target = _forceTarget[frame];
        var rE = (energy - _energyTarget[frame]) / n;
        TensorPrimitives.Subtract(forces, target, forces);          // forces now holds the residual
        var fSq = TensorPrimitives.Dot(forces, forces);
        result.Loss += EnergyWeight / frameCount * rE * rE + ForceWeight / components * fSq;
        result.EnergySquares += rE * rE;
        result.ForceSquares += fSq;
        if (result.Gradient == null) return;

        var cE = 2 * EnergyWeight / frameCount * rE / n;
        var cF = -2 * ForceWeight / components;
        var offset = 0;
        for (var i = 0; i < n; i++)
        {
            var s = samples[i];
            var net = _networks[s.Species];
            var k3 = 3 * s.Atoms.Length;
            var local = w.Local.AsSpan(0, k3);
            for (var c = 0; c < s.Atoms.Length; c++)
            {
                var at = 3 * s.Atoms[c];
                local[3 * c] = forces[at]; local[3 * c + 1] = forces[at + 1]; local[3 * c + 2] = forces[at + 2];
            }
            var dp = w.Jacobians.AsSpan(w.JacobianOffset[i], k * k3);
            for (var a2 = 0; a2 < k; a2++) w.V[a2] = cF * TensorPrimitives.Dot(dp.Slice(a2 * k3, k3), local);
            var grad = result.Gradient.AsSpan(ParameterOffset(s.Species), net.ParameterCount);
            net.AccumulateGradient(s.Inputs, w.Activations.AsSpan(i * h, h), w.Deltas.AsSpan(i * h, h), cE, w.V, w.Scratch, grad);
            offset += k * k3;
        }
    }

    /// <summary>
    /// The networks' share of a training frame's energy and forces (3N), as the loss sees them (from the stored
    /// samples): for checking that training optimises what prediction computes.
    /// </summary>
    internal (double Energy, double[] Forces) NetworkPrediction(int frame)
    {
        var samples = _samples[frame];
        var n = _data.Frames[frame].Count;
        var forces = new double[3 * n];
        double energy = 0;
        var net0 = _networks[0];
        var a = new double[net0.HiddenWidth];
        var g = new double[_inputs];
        var scratch = new double[2 * net0.MaxWidth];
        foreach (var s in samples)
        {
            var net = _networks[s.Species];
            energy += net.Forward(s.Inputs, a);
            net.InputGradient(a, scratch, g, default);
            var k3 = 3 * s.Atoms.Length;
            for (var c = 0; c < k3; c++)
            {
                double sum = 0;
                for (var q = 0; q < _inputs; q++) sum += s.InputJacobian[q * k3 + c] * g[q];
                forces[3 * s.Atoms[c / 3] + c % 3] -= sum;
            }
        }
        return (energy, forces);
    }

    /// <summary>The potential with the networks' current weights.</summary>
    internal NeuralPotential CurrentPotential() => Build();

    private int ParameterOffset(int species)
    {
        var o = 0;
        for (var s = 0; s < species; s++) o += _networks[s].ParameterCount;
        return o;
    }
}
