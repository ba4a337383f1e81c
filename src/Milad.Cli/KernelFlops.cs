using Milad.Fingerprints;

namespace Milad.Cli;

/// <summary>
/// Floating-point operations of the encoding kernels, counted by formula from the public shapes of a
/// descriptor (not by instrumenting the code), so <c>milad bench</c> can report FLOP/s and the fraction of
/// the machine's peak. The counts are estimates of the useful arithmetic, not of what the JIT emits:
/// <list type="bullet">
/// <item>Moments, per point (atom or neighbour), <see cref="MomentsPerPoint"/>:
/// solid harmonics by their recurrence, ~8 FLOP per (l, m) pair with 0 &lt;= m &lt;= l &lt;= n_max
/// (real and imaginary part); the Jacobi radial recurrence, ~5 FLOP per (n, l) block, i.e. per (l, k)
/// with n = l + 2k; assembling R_nl x Y_lm into the real basis, ~2 per basis function; and the
/// multiply-add of the weighted point into the moments, 2 per basis function.</item>
/// <item>Invariants, per density, <see cref="Invariants"/>: a monomial term costs 2 (degree 1),
/// 3 (degree 2) or 4 (degree 3) FLOP: coefficient x moments, added. The degree of each term is not
/// public, so every term is counted at the degree-3 price: 4 x <c>Invariants.TermCount</c>, an upper
/// bound (most terms of the complete and scalar sets are degree 3).</item>
/// <item>Jacobian, per density with P points, <see cref="JacobianProduct"/>: the product
/// dI/dOmega (invariants x basis functions) times dOmega/dx (basis functions x 3P), 2 FLOP per
/// multiply-add: invariants x basis functions x 3 x P x 2. This is the dense upper bound (dI/dOmega is
/// sparse). Not counted: the basis gradients, the invariant Jacobian dI/dOmega itself and the scatter
/// into atom columns, so the Jacobian total is a rough estimate in both directions.</item>
/// </list>
/// </summary>
public static class KernelFlops
{
    /// <summary>FLOP to evaluate the Zernike basis at one point and add it into the moments.</summary>
    public static double MomentsPerPoint(Descriptor d)
    {
        var nMax = d.Basis.NMax;
        double lmPairs = (nMax + 1) * (nMax + 2) / 2;   // (l, m), 0 <= m <= l <= n_max
        double radial = d.Basis.Blocks.Length;          // (n, l) = (l, k) pairs
        double functions = d.Basis.Count;
        return 8 * lmPairs + 5 * radial + 2 * functions + 2 * functions;
    }

    /// <summary>FLOP to evaluate the invariants of one density from its moments (degree-3 price for every term).</summary>
    public static double Invariants(Descriptor d) => 4.0 * d.Invariants.TermCount;

    /// <summary>FLOP of the dense product dI/dOmega x dOmega/dx for one density of <paramref name="points"/> points.</summary>
    public static double JacobianProduct(Descriptor d, long points) => 2.0 * d.Invariants.Count * d.Basis.Count * 3 * points;

    /// <summary>
    /// Encoding <paramref name="densities"/> densities (molecules or environments) with
    /// <paramref name="points"/> points in all, per weighting of the species.
    /// </summary>
    public static double Encode(Descriptor d, long densities, long points) =>
        d.Weightings * (points * MomentsPerPoint(d) + densities * Invariants(d));

    /// <summary>
    /// As <see cref="Encode"/> plus the Jacobian product; the product is linear in the points of each
    /// density, so the total over densities needs only the total number of points.
    /// </summary>
    public static double EncodeWithJacobian(Descriptor d, long densities, long points) =>
        Encode(d, densities, points) + d.Weightings * JacobianProduct(d, points);
}
