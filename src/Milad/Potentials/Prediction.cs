using Milad.Structures;

namespace Milad.Potentials;

/// <summary>What a potential predicts for one structure.</summary>
/// <param name="Energy">Total energy (eV).</param>
/// <param name="Forces">Force on every atom, -dE/dx (eV/Angstrom).</param>
/// <param name="Virial">Row-major 3 x 3 sum over neighbour displacements d of d (x) dE/dd (eV): the strain derivative of the energy.</param>
/// <param name="Stress">Virial / cell volume (eV/Angstrom^3, the ASE convention) for a cell periodic in all three directions, else null.</param>
public sealed record Prediction(double Energy, Vec3[] Forces, double[] Virial, double[]? Stress)
{
    /// <summary>Energy of every atom (eV): its fingerprint model plus its share of the pair term; they sum to <see cref="Energy"/> up to rounding.</summary>
    public double[]? AtomEnergies { get; init; }
}
