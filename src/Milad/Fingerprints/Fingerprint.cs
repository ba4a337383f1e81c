namespace Milad.Fingerprints;

/// <summary>
/// The invariants of one molecule or one atomic environment and, when asked for, their Jacobian with
/// respect to the Cartesian positions of every atom of the frame.
/// </summary>
public sealed class Fingerprint(double[] values, double[]? jacobian, int atomCount)
{
    /// <summary>The invariants, in the order of the descriptor's invariant set.</summary>
    public double[] Values { get; } = values;

    /// <summary>
    /// Row-major Values.Length x (3 x AtomCount): row q holds dI_q/d(atom0 x, atom0 y, atom0 z, atom1 x, ...).
    /// Periodic images of an atom add into that atom's columns. Null when not computed.
    /// </summary>
    public double[]? Jacobian { get; } = jacobian;

    /// <summary>Atoms in the frame (the Jacobian has 3 x AtomCount columns).</summary>
    public int AtomCount { get; } = atomCount;

    /// <summary>dI_invariant / d(position of atom, axis).</summary>
    public double Derivative(int invariant, int atom, int axis) =>
        (Jacobian ?? throw new InvalidOperationException("the Jacobian was not computed"))[invariant * 3 * AtomCount + 3 * atom + axis];
}
