namespace Milad.Decoding;

/// <summary>Settings of <see cref="MomentsToAtoms"/>.</summary>
public sealed record MomentsToAtomsOptions
{
    /// <summary>
    /// The weights (species weights, e.g. atomic numbers) the points may have. When set, fitted weights are
    /// snapped to the nearest of these and the points refitted; when null, weights stay free.
    /// </summary>
    public IReadOnlyList<double>? AllowedWeights { get; init; }

    /// <summary>
    /// A decoding succeeds when ||model - target|| / ||target|| is below this. 1e-8 by default: a correct
    /// structure fits to ~1e-15, a wrong one in our tests never below ~1e-4, so the threshold is not critical.
    /// </summary>
    public double SuccessResidual { get; init; } = 1e-8;

    /// <summary>
    /// Smallest weight a point may have (peak picking stops below it, fitted points below it are dropped).
    /// When null: half the smallest allowed weight, or 0.5 without allowed weights.
    /// </summary>
    public double? MinWeight { get; init; }

    /// <summary>Largest number of points.</summary>
    public int MaxPoints { get; init; } = 64;

    /// <summary>Seed of the random variations (restarts are reproducible for a given seed).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Per-order residual scaling in the fits, see <see cref="MomentFitOptions.ScaleBlocks"/>.</summary>
    public bool ScaleBlocks { get; init; }
}
