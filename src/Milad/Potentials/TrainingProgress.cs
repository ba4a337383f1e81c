namespace Milad.Potentials;

/// <summary>A progress report of a training run: the stage, how far it is, and the current losses when there are any.</summary>
/// <param name="Stage">"encoding", "fitting", "ridge", "network".</param>
/// <param name="Done">Units done (frames or epochs).</param>
/// <param name="Total">Units in the stage.</param>
/// <param name="TrainLoss">Current training loss (network) or null.</param>
/// <param name="ValidationLoss">Current validation loss (network) or null.</param>
/// <param name="Message">Anything else worth a line.</param>
public sealed record TrainingProgress(string Stage, int Done, int Total, double? TrainLoss = null, double? ValidationLoss = null, string? Message = null);

/// <summary>One epoch of the network's optimisation.</summary>
/// <param name="Epoch">Epoch (Adam) or iteration (L-BFGS), from 1.</param>
/// <param name="TrainLoss">Mean loss over the epoch's batches (relative to the linear model: 2 at the start).</param>
/// <param name="ValidationLoss">Loss on the held-out frames.</param>
/// <param name="ValidationEnergyRmse">Held-out energy RMSE (eV/atom).</param>
/// <param name="ValidationForceRmse">Held-out force RMSE (eV/A).</param>
public sealed record EpochRecord(int Epoch, double TrainLoss, double ValidationLoss, double ValidationEnergyRmse, double ValidationForceRmse);
