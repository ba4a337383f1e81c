using Milad.Structures;

namespace Milad.Decoding;

/// <summary>Best candidate found by <see cref="MomentsToAtoms.Decode"/>.</summary>
/// <param name="Points">Points in unit-ball coordinates, in the frame of the moments.</param>
/// <param name="Weights">Their weights (snapped to the allowed weights when those were given).</param>
/// <param name="RelativeResidual">||model - target|| / ||target||.</param>
/// <param name="Succeeded">RelativeResidual below <see cref="MomentsToAtomsOptions.SuccessResidual"/>.</param>
/// <param name="Attempts">Candidates fitted (the peak guess and every variation).</param>
/// <param name="Seconds">Wall time spent.</param>
public sealed record MomentsToAtomsResult(
    Vec3[] Points, double[] Weights, double RelativeResidual, bool Succeeded, int Attempts, double Seconds);
