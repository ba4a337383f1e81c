using Milad.Fingerprints;

namespace Milad.Potentials;

/// <summary>Everything that fixes a training run; the defaults are the ones the benchmark uses unless stated.</summary>
public sealed record TrainingOptions
{
    /// <summary>"linear", "quadratic" or "neural".</summary>
    public string Kind { get; init; } = "linear";

    /// <summary>The descriptor (environments mode).</summary>
    public DescriptorSettings Descriptor { get; init; } = DefaultDescriptor;

    /// <summary>
    /// Scalar invariants (degree 1, 2 and the complete set's degree-3 couplings without pseudoscalars, which an
    /// energy cannot use linearly because it does not change under inversion), n_max = 11, 4.5 A cosine cutoff,
    /// centre excluded (the model is chosen by the centre's species anyway). Cross-validation on the Zuo et al.
    /// data preferred high n_max at a short cutoff: the radial resolution of the Zernike basis grows with
    /// n_max / cutoff (README, "Choices").
    /// </summary>
    public static DescriptorSettings DefaultDescriptor { get; } = new() { NMax = 11, InvariantSet = "scalar", Cutoff = 4.5 };

    /// <summary>
    /// Cutoff (Angstrom) of the optional pair term (<see cref="PairBasis"/>): 0 (default) for none. A linear pair
    /// potential with a fine radial resolution, fitted together with the fingerprint model.
    /// </summary>
    public double PairCutoff { get; init; }

    /// <summary>Gaussians of the pair term per neighbour species.</summary>
    public int PairFunctions { get; init; } = 24;

    /// <summary>Centre of the pair term's first Gaussian (Angstrom).</summary>
    public double PairInner { get; init; } = 1.5;

    /// <summary>Principal components whose pairwise products form the quadratic terms (K; K(K+1)/2 terms per species).</summary>
    public int QuadraticComponents { get; init; } = 32;

    /// <summary>Projected components the network reads (its input width); 0: every standardised invariant, no projection.</summary>
    public int NeuralComponents { get; init; } = 48;

    /// <summary>
    /// Projection for the quadratic terms and the network's inputs: false (default), principal components
    /// (variance alone); true, the leading directions of the fingerprint's variance and of its force Gram
    /// matrix together (see <see cref="FeatureMap"/>; measured on Mo it traded force for energy accuracy).
    /// </summary>
    public bool ForceProjection { get; init; }

    /// <summary>Widths of the hidden layers (tanh).</summary>
    public int[] HiddenLayers { get; init; } = [64, 64];

    /// <summary>
    /// Energy weights the ridge cross-validation chooses from (per-atom energies in eV against force components in
    /// eV/A; see <see cref="RidgeFit"/>); a single value fixes it.
    /// </summary>
    public double[] EnergyWeights { get; init; } = RidgeFit.DefaultEnergyWeights;

    /// <summary>
    /// The ridge grid point is chosen by the cross-validated energy MAE (with the force RMSE) instead of the energy RMSE:
    /// set by the settings search, which compares its candidates by the MAE, so that each candidate is represented by
    /// its best point by that measure (otherwise a candidate can enter with a low-RMSE, high-MAE energy weight).
    /// </summary>
    internal bool EnergyByMae { get; init; }

    /// <summary>
    /// Weight of the virial rows (components of V sigma / N, eV/atom) relative to the energy rows in the ridge fit;
    /// 0 ignores the frames' stresses. Why: strained cells of a few atoms carry six stress components and no force.
    /// </summary>
    public double StressWeight { get; init; }

    /// <summary>
    /// Powers k of the magnetic term m^k (b + c . x) (<see cref="MagneticTerm"/>; for the network, part of its baseline); empty:
    /// no magnetic term. With it, training and prediction read every atom's moment from the frames' magmom column.
    /// </summary>
    public int[] MagneticPowers { get; init; } = [];

    /// <summary>Cross-validation folds for the ridge hyperparameters.</summary>
    public int Folds { get; init; } = 5;

    /// <summary>Seed of every random choice (folds, validation split, initial weights, batch order).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Worker threads.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>"adam" (mini-batches) or "lbfgs" (full batch).</summary>
    public string Optimizer { get; init; } = "adam";

    /// <summary>Largest number of epochs (Adam) or iterations (L-BFGS).</summary>
    public int Epochs { get; init; } = 300;

    /// <summary>Frames per mini-batch.</summary>
    public int BatchFrames { get; init; } = 4;

    /// <summary>Initial Adam step; decays by 10x over <see cref="Epochs"/> (cosine).</summary>
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>Share of the training frames held out for early stopping of the network.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Epochs without a better validation loss before the network stops.</summary>
    public int Patience { get; init; } = 50;

    /// <summary>Wall-clock limit of the network's optimisation (seconds): a safety stop; the best weights so far are kept.</summary>
    public double TimeLimitSeconds { get; init; } = 400;

    /// <summary>Multiplies the force term of the network's loss (1: energies and forces weighted by the linear model's errors).</summary>
    public double ForceWeight { get; init; } = 1;

    /// <summary>
    /// L2 penalty (lambda / 2) |theta|^2 on every network parameter, added to the training loss (not to the validation
    /// loss early stopping reads); 0, the default, none. The loss is about 1 per frame, the parameters of order 0.1-1.
    /// </summary>
    public double WeightDecay { get; init; }

    /// <summary>Largest --pair-functions (Gaussians per neighbour species).</summary>
    public const int MaxPairFunctions = 1024;

    /// <summary>
    /// Largest --quadratic-components: 64 components make 2,080 quadratic features. The cross-validated ridge fit
    /// solves (energy weights x 6 strengths x folds) systems of that many unknowns and more: at 128 (8,256 features)
    /// a 6-frame Mo set with 50 folds still ran after 10 minutes in 10.7 GB.
    /// </summary>
    public const int MaxQuadraticComponents = 64;

    /// <summary>Largest --folds: each fold keeps its own normal matrices.</summary>
    public const int MaxFolds = 20;

    /// <summary>Largest width of a hidden layer.</summary>
    public const int MaxLayerWidth = 1024;

    /// <summary>Largest --threads of any command.</summary>
    public const int MaxThreads = 1024;

    /// <summary>Throws <see cref="InputException"/> for settings out of range.</summary>
    public void Validate()
    {
        Descriptor.Validate();
        if (Kind is not ("linear" or "quadratic" or "neural")) throw new InputException($"unknown model kind '{Kind}' (expected linear, quadratic or neural)");
        if (PairCutoff < 0 || !double.IsFinite(PairCutoff)) throw new InputException("--pair-cutoff must be >= 0 (0: no pair term)");
        if (PairCutoff > 0 && PairFunctions is < 2 or > MaxPairFunctions) throw new InputException($"--pair-functions must be from 2 to {MaxPairFunctions}");
        if (PairCutoff > 0 && !(PairInner >= 0 && PairInner < PairCutoff)) throw new InputException("--pair-inner must be in [0, pair cutoff)");
        if (QuadraticComponents is < 1 or > MaxQuadraticComponents)
            throw new InputException($"--quadratic-components must be from 1 to {MaxQuadraticComponents} (k components make k(k+1)/2 features, and the fit's matrix grows as their square)");
        if (NeuralComponents < 0) throw new InputException("--components must be >= 0 (0: every invariant)");
        if (HiddenLayers.Length == 0 || HiddenLayers.Length > 8 || HiddenLayers.Any(h => h is < 1 or > MaxLayerWidth))
            throw new InputException($"--hidden needs 1 to 8 layer widths from 1 to {MaxLayerWidth}");
        if (EnergyWeights.Length == 0 || EnergyWeights.Any(w => !(w > 0) || !double.IsFinite(w))) throw new InputException("--energy-weights needs one or more positive numbers");
        if (!(StressWeight >= 0) || !double.IsFinite(StressWeight)) throw new InputException("--stress-weight must be >= 0");
        if (MagneticPowers.Any(k => k is < 1 or > 8)) throw new InputException("--magnetic-powers must be integers from 1 to 8");
        if (Folds is < 2 or > MaxFolds) throw new InputException($"--folds must be from 2 to {MaxFolds}");
        if (Threads is < 1 or > MaxThreads) throw new InputException($"--threads must be from 1 to {MaxThreads}");
        if (Optimizer is not ("adam" or "lbfgs")) throw new InputException($"unknown optimizer '{Optimizer}' (expected adam or lbfgs)");
        if (Epochs < 0) throw new InputException("--epochs must be >= 0");
        if (BatchFrames < 1) throw new InputException("--batch must be >= 1");
        if (!(LearningRate > 0 && LearningRate <= 1)) throw new InputException("--learning-rate must be > 0 and at most 1");
        if (!(ValidationFraction > 0 && ValidationFraction < 0.5)) throw new InputException("--validation must be in (0, 0.5)");
        if (!(TimeLimitSeconds > 0)) throw new InputException("--time-limit must be > 0");
        if (!(ForceWeight >= 0)) throw new InputException("--force-weight must be >= 0");
        if (!(WeightDecay >= 0)) throw new InputException("--weight-decay must be >= 0");
    }
}
