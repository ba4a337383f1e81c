using Milad.Structures;

namespace Milad.Alignment;

/// <summary>
/// The best superposition of a candidate molecule onto a reference found by
/// <see cref="StructureAlignment.Align"/>: reference atom i pairs with candidate atom
/// <c>Permutation[i]</c>, and <c>reference_i ~ Rotation * candidate_Permutation[i] + Translation</c>.
/// </summary>
/// <param name="Rmsd">Root mean square distance (Angstrom) between paired atoms after the superposition;
/// +infinity when the atom counts differ or a position is not finite.</param>
/// <param name="Permutation">The candidate index paired with each reference atom; empty when there is no alignment.</param>
/// <param name="Rotation">The 3x3 orthogonal matrix applied to the candidate (det -1 when <paramref name="Reflected"/>).</param>
/// <param name="Translation">Applied to the candidate after the rotation (Angstrom).</param>
/// <param name="Reflected">The superposition includes a reflection (only when reflection was allowed and fits better).</param>
/// <param name="SpeciesMatch">Every paired atom has the same atomic number.</param>
/// <param name="CountsMatch">The structures have the same number of atoms (otherwise nothing is aligned).</param>
public sealed record AlignmentResult(
    double Rmsd,
    int[] Permutation,
    double[,] Rotation,
    Vec3 Translation,
    bool Reflected,
    bool SpeciesMatch,
    bool CountsMatch)
{
    /// <summary>Where a candidate position lands on the reference: <c>Rotation * position + Translation</c>.</summary>
    public Vec3 Apply(Vec3 candidatePosition) =>
        Matrix3.FromArray(Rotation) * candidatePosition + Translation;
}
