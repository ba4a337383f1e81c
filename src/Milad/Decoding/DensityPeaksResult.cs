using Milad.Structures;

namespace Milad.Decoding;

/// <summary>Points picked by <see cref="DensityPeaks.Find(ReadOnlySpan{double}, double, int)"/>, strongest first.</summary>
/// <param name="Points">Peak positions in unit-ball coordinates.</param>
/// <param name="Weights">Estimated weight of each point.</param>
/// <param name="RemainingRelative">||target - sum_i w_i Zr(x_i)|| / ||target|| after the last pick.</param>
public sealed record DensityPeaksResult(Vec3[] Points, double[] Weights, double RemainingRelative);
