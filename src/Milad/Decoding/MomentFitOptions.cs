namespace Milad.Decoding;

/// <summary>Settings of <see cref="MomentFit"/>.</summary>
public sealed record MomentFitOptions
{
    /// <summary>
    /// Fit the weights together with the points (default). When false the weights given to
    /// <c>MomentFit.Fit</c> are kept exactly and only the points move.
    /// </summary>
    public bool FitWeights { get; init; } = true;

    /// <summary>
    /// When set (and <see cref="FitWeights"/> is true): after the free fit every weight is snapped to the nearest
    /// of these values and the points are refitted with the snapped weights fixed. Typical use: the species
    /// weights (atomic numbers) the structure may contain.
    /// </summary>
    public IReadOnlyList<double>? AllowedWeights { get; init; }

    /// <summary>
    /// Scale the residual of every moment of order n by 1/sqrt(2n+3). A point on the sphere |x| = 1 has moments
    /// of size ~sqrt(2n+3), so without scaling the highest orders dominate the cost far from the solution;
    /// with it every order counts about equally. The minimum (exact fit) is the same either way. Off by default:
    /// the plain sum of squares converged as well in our tests.
    /// </summary>
    public bool ScaleBlocks { get; init; }

    /// <summary>Largest number of Levenberg-Marquardt iterations (Jacobian evaluations) per fit.</summary>
    public int MaxIterations { get; init; } = 200;

    /// <summary>Stop when the relative residual ||model - target|| / ||target|| falls below this.</summary>
    public double Tolerance { get; init; } = 1e-15;
}
