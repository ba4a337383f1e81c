using Milad.Potentials;
using Xunit.Abstractions;

namespace Milad.Tests.Potentials;

public class NeuralTrainerTests(ITestOutputHelper output)
{
    private static TrainingOptions Options(string optimizer = "adam") => new()
    {
        Kind = "neural", Descriptor = PotentialTestData.Small, NeuralComponents = 6, HiddenLayers = [5, 4],
        Folds = 2, Seed = 3, Optimizer = optimizer, BatchFrames = 2, Epochs = 30, Patience = 1000, LearningRate = 5e-3,
        ValidationFraction = 0.25, Threads = 2,
    };

    private static NeuralTrainer Trainer(TrainingSet data, TrainingOptions options)
    {
        var fit = PotentialTrainer.FitPolynomial(data, options, null);
        return new NeuralTrainer(options, fit.Polynomial, fit.NeuralMaps, data, fit.Samples!, null);
    }

    /// <summary>
    /// The gradient of the full loss (energies and forces, the force term through the second derivative of
    /// the networks) against central differences of the loss itself, for every weight.
    /// </summary>
    [Fact]
    public void LossGradientMatchesCentralDifferences()
    {
        var data = PotentialTestData.Mo(4);
        var trainer = Trainer(data, Options() with { ForceWeight = 3 });
        // Move away from the initialisation (small output weights) so every layer matters.
        var theta = trainer.Flatten();
        var random = new Random(5);
        for (var i = 0; i < theta.Length; i++) theta[i] += 0.2 * (2 * random.NextDouble() - 1);
        trainer.Unflatten(theta);
        var frames = trainer.TrainFrames;
        var gradient = new double[theta.Length];
        var loss = trainer.Loss(frames, gradient, out _, out _);
        Assert.True(loss > 0);
        var worst = 0.0;
        const double h = 1e-6;
        for (var p = 0; p < theta.Length; p++)
        {
            var keep = theta[p];
            theta[p] = keep + h; trainer.Unflatten(theta); var lp = trainer.Loss(frames, null, out _, out _);
            theta[p] = keep - h; trainer.Unflatten(theta); var lm = trainer.Loss(frames, null, out _, out _);
            theta[p] = keep;
            var fd = (lp - lm) / (2 * h);
            worst = Math.Max(worst, Math.Abs(fd - gradient[p]) / Math.Max(1e-3 * loss, Math.Abs(fd)));
        }
        trainer.Unflatten(theta);
        output.WriteLine($"loss {loss:G4}, {theta.Length} weights: worst relative gradient error {worst:E2}");
        Assert.True(worst < 1e-6, $"worst {worst}");
    }
}
