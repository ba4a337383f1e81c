using Milad.Structures;

namespace Milad.Decoding;

/// <summary>
/// The points and weights <see cref="MomentPencil.Solve"/> recovered from geometric moments.
/// </summary>
/// <param name="Points">Recovered positions, in the coordinates of the moments.</param>
/// <param name="Weights">Recovered weights, in the order of <paramref name="Points"/>.</param>
/// <param name="Rank">Numerical rank of the moment matrix used = number of points.</param>
/// <param name="SingularValues">
/// Singular values of the moment matrix in the pencil's basis (after rescaling), descending, divided by the largest.
/// </param>
/// <param name="Residual">
/// Worst per-degree relative mismatch of the moments recomputed from <paramref name="Points"/> and <paramref name="Weights"/>
/// against the input, max over n &lt;= n_max of ||M_n(recovered) - M_n(input)|| / ||sum_i |w_i x_i^a|||_n
/// (the denominator is the size degree n would have without cancellation, so degrees zero by symmetry are measured fairly).
/// </param>
/// <param name="PencilResidual">The same residual before the polishing steps.</param>
/// <param name="Success">True when the residual is within <see cref="MomentPencilOptions.ResidualTolerance"/> and the solution is admissible.</param>
/// <param name="Ambiguous">
/// True when the recovered points are collinear and as many as the moments along their line can hold (2N &gt;= n_max + 1):
/// a larger collinear set (e.g. a linear molecule of more atoms) has exactly the same moments, so the count is unconfirmed.
/// </param>
/// <param name="Reason">Why it failed, or a note; empty on a plain success.</param>
public sealed record MomentPencilResult(
    Vec3[] Points,
    double[] Weights,
    int Rank,
    double[] SingularValues,
    double Residual,
    double PencilResidual,
    bool Success,
    bool Ambiguous,
    string Reason)
{
    /// <summary>Number of recovered points.</summary>
    public int Count => Points.Length;
}
