namespace Milad.Decoding;

/// <summary>Settings of <see cref="MomentPencil.Solve"/>. The defaults suit exact (double precision) moments.</summary>
public sealed record MomentPencilOptions
{
    /// <summary>The defaults.</summary>
    public static MomentPencilOptions Default { get; } = new();

    /// <summary>Force the number of points (the rank of the moment matrix) instead of deciding it from the spectrum.</summary>
    public int? Rank { get; init; }

    /// <summary>
    /// Eigenvalues of the moment matrix below this fraction of the largest are noise and never count towards the rank.
    /// Set it to ~10x the relative error of the moments (e.g. 1e-6 for moments rounded to single precision).
    /// </summary>
    public double RankTolerance { get; init; } = 1e-10;

    /// <summary>Polynomial basis of the moment matrices.</summary>
    public MomentPencilBasis Basis { get; init; } = MomentPencilBasis.Legendre;

    /// <summary>
    /// Degree d of the basis (rows and columns); needs 2d + 1 &lt;= n_max. Default (n_max - 1) / 2, the largest.
    /// Generic point sets are recovered up to C(d+3, 3) points, planar sets up to (d+1)(d+2)/2, collinear up to d + 1.
    /// </summary>
    public int? Degree { get; init; }

    /// <summary>
    /// Rescale the coordinates so the point set fills the basis' domain [-1, 1]^3 (radius estimated from the moments
    /// of even degree). Exact up to one rounding per moment; improves the conditioning of the Legendre basis.
    /// </summary>
    public bool Rescale { get; init; } = true;

    /// <summary>Gauss-Newton (Levenberg-Marquardt) steps on points and weights against all moments after the pencil; 0 to skip.</summary>
    public int PolishIterations { get; init; } = 3;

    /// <summary>The result is a success when its <see cref="MomentPencilResult.Residual"/> is at most this.</summary>
    public double ResidualTolerance { get; init; } = 1e-6;

    /// <summary>
    /// Absolute error level of the moments as a fraction of M_000: the floor of the per-degree scales in the fit and the
    /// residual. Geometric moments converted from Zernike moments carry absolute errors in every degree (measured for
    /// H2O at n_max 11: ~1e-17 M_000 per degree, which is 1e-5 of its tiny degree-10 moments); without a floor those
    /// errors dictate the fitted weights of a small molecule (1e-11 left H2O at 3e-7 relative weight error, 1e-9 at
    /// 1e-10). Degrees above the floor (any molecule wider than ~0.2 of the ball) are compared relatively. Raise it
    /// to ~1e-7 for fingerprints rounded to single precision.
    /// </summary>
    public double AbsoluteNoise { get; init; } = 1e-9;

    /// <summary>Seed of the random combination of the shift matrices (the result is deterministic for a seed).</summary>
    public int Seed { get; init; } = 1;
}
