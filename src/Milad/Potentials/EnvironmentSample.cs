namespace Milad.Potentials;

/// <summary>
/// What the network trains on for one environment: its species, the projected inputs p (K) and their
/// Jacobian with respect to the atoms the environment depends on (K x 3k, single precision: the largest
/// store of a training run, and its rounding is far below the force errors).
/// </summary>
internal sealed class EnvironmentSample(int species, double[] inputs, float[] inputJacobian, int[] atoms)
{
    public int Species { get; } = species;

    public double[] Inputs { get; } = inputs;

    /// <summary>Row-major K x 3k: dp_a / d(Atoms[c], axis) at [a * 3k + 3c + axis].</summary>
    public float[] InputJacobian { get; } = inputJacobian;

    /// <summary>Atoms of the frame the environment depends on, ascending.</summary>
    public int[] Atoms { get; } = atoms;
}
