using Milad.Structures;

namespace Milad.Decoding;

/// <summary>Outcome of one <see cref="MomentFit"/> run.</summary>
/// <param name="Points">Fitted points in unit-ball coordinates, in the frame of the target moments.</param>
/// <param name="Weights">Fitted (or fixed, or snapped) weights, one per point.</param>
/// <param name="RelativeResidual">||model - target|| / ||target|| over all moments, unscaled.</param>
/// <param name="Iterations">Levenberg-Marquardt iterations (Jacobian evaluations), snapping refit included.</param>
public sealed record MomentFitResult(Vec3[] Points, double[] Weights, double RelativeResidual, int Iterations);
