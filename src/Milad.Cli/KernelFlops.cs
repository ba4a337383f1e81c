using Milad.Fingerprints;

namespace Milad.Cli;

/// <summary>
/// Floating-point operations of the encoding kernels, counted from the operations written in them (not by
/// instrumenting), so <c>milad bench</c> can report FLOP/s and the fraction of the machine's peak. A
/// multiply-add counts 2, and work on padding lanes is not counted.
/// <list type="bullet">
/// <item>Moments, per point (<see cref="MomentsPerPoint"/>, ZernikeBasis.Batch): r^2 (5); solid harmonics,
/// real and imaginary part, 8 per (l, l) pair and 10 per (l, m &lt; l) pair; the Jacobi recurrence 5 per
/// (l, k); per block 1 (norm x p); per basis function the real-basis factor and the weighted add, 4 for
/// m = 0 and 7 per (+m, -m) pair.</item>
/// <item>Their derivatives, per point (<see cref="DerivativesPerPoint"/>): solid-harmonic gradients, 3 axes
/// x 2 parts, 9 per (l, l) and 16 per (l, m &lt; l) pair and axis; the Jacobi derivative 6 per (l, k) and 2
/// per block; per basis function and axis 7 (chain rule through radius and angle, weight and its gradient).</item>
/// <item>Invariants, per density: 4 per term of the flat list (c x M x M x M, added; degree-1 and -2 terms
/// multiply by the slot that holds 1, so every term does the same 4).</item>
/// <item>Jacobian, per density with P points: the sparse dI/dOmega, 3 per gradient term (c x M x M,
/// added), then 2 x nonzeros of dI/dOmega x 3P for the product with dOmega/dx.</item>
/// <item>Energy and forces of the potentials (no Jacobian, four environments per pass): the invariants and dE/dOmega
/// through coupled products (CoupledInvariants: 3 per term forward, 6 backward, plus the dot products with the third
/// block), then per point the solid-harmonic gradients
/// (as above), the Jacobi derivative 6 per (l, k), 8 per basis function to contract dE/dOmega over n with
/// the radial factor and its derivative, and 20 per (l, m) to combine them with the angular parts.</item>
/// </list>
/// </summary>
public static class KernelFlops
{
    /// <summary>FLOP to evaluate the Zernike basis at one point and add it into the moments.</summary>
    public static double MomentsPerPoint(Descriptor d)
    {
        var nMax = d.Basis.NMax;
        double f = 5;
        for (var l = 0; l <= nMax; l++)
            for (var m = 0; m <= l; m++) f += m == l ? (l > 0 ? 8 : 0) : 10;
        foreach (var (_, l) in d.Basis.Blocks) f += 5 + 1 + 4 + 7 * l;
        return f;
    }

    /// <summary>Extra FLOP per point for the derivatives of the moments with respect to the point.</summary>
    public static double DerivativesPerPoint(Descriptor d)
    {
        var nMax = d.Basis.NMax;
        double f = 1;
        for (var l = 0; l <= nMax; l++)
            for (var m = 0; m <= l; m++) f += 3 * 2 * (m == l ? (l > 0 ? 9 : 0) : 16);
        foreach (var (_, l) in d.Basis.Blocks) f += 6 + 2 + 3 * 7 * (2 * l + 1);
        return f;
    }

    /// <summary>FLOP to evaluate the invariants of one density from its moments.</summary>
    public static double Invariants(Descriptor d) => 4.0 * d.Invariants.TermCount;

    /// <summary>FLOP of the sparse dI/dOmega of one density.</summary>
    public static double SparseGradient(Descriptor d) => 3.0 * d.Invariants.GradientTermCount;

    /// <summary>
    /// Encoding <paramref name="densities"/> densities (molecules or environments) with
    /// <paramref name="points"/> points in all, per weighting of the species.
    /// </summary>
    public static double Encode(Descriptor d, long densities, long points) =>
        d.Weightings * (points * MomentsPerPoint(d) + densities * Invariants(d));

    /// <summary>As <see cref="Encode"/> with the full Jacobian (linear in the points of each density).</summary>
    public static double EncodeWithJacobian(Descriptor d, long densities, long points) =>
        d.Weightings * (points * (MomentsPerPoint(d) + DerivativesPerPoint(d)) + densities * (Invariants(d) + SparseGradient(d))
                        + 2.0 * d.Invariants.SupportTotal * 3 * points);

    /// <summary>The energy of a potential (<see cref="Encode"/> with the invariants through coupled products).</summary>
    public static double EnergyOnly(Descriptor d, long densities, long points) =>
        d.Weightings * (points * MomentsPerPoint(d) + densities * d.Invariants.Coupled.ForwardFlops);

    /// <summary>Energy and forces by back-propagation (the model itself not counted).</summary>
    public static double EncodeWithBackward(Descriptor d, long densities, long points) =>
        d.Weightings * (points * (2 * MomentsPerPoint(d) + PullBackPerPoint(d))
                        + densities * (d.Invariants.Coupled.ForwardFlops + d.Invariants.Coupled.BackwardFlops));

    /// <summary>FLOP per point of the backward pass through the basis (ZernikeBasis.PullBack).</summary>
    public static double PullBackPerPoint(Descriptor d)
    {
        var nMax = d.Basis.NMax;
        double f = 5 + 20;
        for (var l = 0; l <= nMax; l++)
            for (var m = 0; m <= l; m++) f += (m == l ? (l > 0 ? 8 : 0) : 10) + 3 * 2 * (m == l ? (l > 0 ? 9 : 0) : 16) + 20;
        foreach (var (_, l) in d.Basis.Blocks) f += 5 + 6 + 8 * (2 * l + 1);
        return f;
    }
}
