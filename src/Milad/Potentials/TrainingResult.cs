namespace Milad.Potentials;

/// <summary>A trained potential and how it was chosen.</summary>
/// <param name="Potential">The model.</param>
/// <param name="Ridge">The chosen ridge point of the closed-form (or, for the network, baseline) fit.</param>
/// <param name="RidgeGrid">Every ridge point tried, with its cross-validated errors.</param>
/// <param name="Curve">The network's loss per epoch (empty for closed-form fits).</param>
/// <param name="Seconds">Wall-clock training time, encoding included (the settings search too).</param>
/// <param name="Options">The settings of the model (after the search, the chosen ones).</param>
/// <param name="Search">The settings search, when one ran.</param>
public sealed record TrainingResult(Potential Potential, RidgeChoice Ridge, RidgeChoice[] RidgeGrid, IReadOnlyList<EpochRecord> Curve, double Seconds,
    TrainingOptions Options, SearchResult? Search = null);
