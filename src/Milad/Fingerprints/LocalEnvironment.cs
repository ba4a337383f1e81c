namespace Milad.Fingerprints;

/// <summary>
/// The fingerprint of one atomic environment with its Jacobian restricted to the atoms that move it:
/// the centre and its neighbours within the cutoff (periodic images of one atom merged into its columns).
/// This is what training on forces needs without storing 3N columns per environment.
/// </summary>
public sealed class LocalEnvironment(double[] values, int[] atoms, double[] jacobian, double[]? virial = null)
{
    /// <summary>The invariants (length F).</summary>
    public double[] Values { get; } = values;

    /// <summary>The k distinct atoms of the frame this environment depends on, ascending (the centre among them).</summary>
    public int[] Atoms { get; } = atoms;

    /// <summary>Row-major F x 3k: row q holds dI_q / d(Atoms[0] x, y, z, Atoms[1] x, ...).</summary>
    public double[] Jacobian { get; } = jacobian;

    /// <summary>Row-major F x 9 when asked for: [9 q + 3 a + b] = sum over neighbour displacements d of d_a dI_q/dd_b (else null).</summary>
    public double[]? Virial { get; } = virial;
}
