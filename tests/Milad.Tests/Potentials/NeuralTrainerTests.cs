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
    /// the networks; with weight decay, its penalty too) against central differences of the loss itself, for every weight.
    /// </summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.05)]
    public void LossGradientMatchesCentralDifferences(double weightDecay)
    {
        var data = PotentialTestData.Mo(4);
        var trainer = Trainer(data, Options() with { ForceWeight = 3, WeightDecay = weightDecay });
        // Move away from the initialisation (small output weights) so every layer matters.
        var theta = trainer.Flatten();
        var random = new Random(5);
        for (var i = 0; i < theta.Length; i++) theta[i] += 0.2 * (2 * random.NextDouble() - 1);
        trainer.Unflatten(theta);
        var frames = trainer.TrainFrames;
        var gradient = new double[theta.Length];
        var scratch = new double[theta.Length];
        var loss = trainer.TrainingLoss(frames, theta, gradient);
        var dataLoss = trainer.Loss(frames, null, out _, out _);
        // The penalty is what it says: (lambda / 2) |theta|^2 on top of the data loss.
        Assert.Equal(dataLoss + 0.5 * weightDecay * theta.Sum(t => t * t), loss, 1e-9 * loss);
        var worst = 0.0;
        const double h = 1e-6;
        for (var p = 0; p < theta.Length; p++)
        {
            var keep = theta[p];
            theta[p] = keep + h; trainer.Unflatten(theta); var lp = trainer.TrainingLoss(frames, theta, scratch);
            theta[p] = keep - h; trainer.Unflatten(theta); var lm = trainer.TrainingLoss(frames, theta, scratch);
            theta[p] = keep;
            var fd = (lp - lm) / (2 * h);
            worst = Math.Max(worst, Math.Abs(fd - gradient[p]) / Math.Max(1e-3 * loss, Math.Abs(fd)));
        }
        trainer.Unflatten(theta);
        output.WriteLine($"weight decay {weightDecay}: loss {loss:G4} (data {dataLoss:G4}), {theta.Length} weights: worst relative gradient error {worst:E2}");
        Assert.True(worst < 1e-6, $"worst {worst}");
    }

    /// <summary>
    /// A step size that makes the loss overflow is an input error naming --learning-rate, not a model whose report
    /// holds Infinity (the command line refuses rates above 1; the trainer guards any rate that still diverges).
    /// </summary>
    [Fact]
    public void ADivergingNetworkIsAnInputErrorNamingTheLearningRate()
    {
        var data = PotentialTestData.Mo(4);
        var options = Options();
        var fit = PotentialTrainer.FitPolynomial(data, options, null);
        var trainer = new NeuralTrainer(options with { LearningRate = 1e308 }, fit.Polynomial, fit.NeuralMaps, data, fit.Samples!, null);
        var e = Assert.Throws<InputException>(() => trainer.Run());
        Assert.Contains("diverged at epoch 1", e.Message);
        Assert.Contains("--learning-rate", e.Message);
    }
}

public class NeuralTrainerConsistencyTests(ITestOutputHelper output)
{
    /// <summary>
    /// What the loss sees (network energy and forces from the stored inputs and their single-precision local
    /// Jacobians) must be what prediction computes (the potential minus its linear baseline, by back-propagation
    /// through the descriptor): otherwise training would optimise something else than the model.
    /// </summary>
    [Theory]
    [InlineData(6)]
    [InlineData(0)]
    public void TrainingForcesEqualPredictedForces(int components)
    {
        var data = PotentialTestData.Mo(4);
        var options = new TrainingOptions
        {
            Kind = "neural", Descriptor = PotentialTestData.Small, NeuralComponents = components, HiddenLayers = [5, 4], Folds = 2, Seed = 3,
        };
        var fit = PotentialTrainer.FitPolynomial(data, options, null);
        var trainer = new NeuralTrainer(options, fit.Polynomial, fit.NeuralMaps, data, fit.Samples!, null);
        var theta = trainer.Flatten();
        var random = new Random(9);
        for (var i = 0; i < theta.Length; i++) theta[i] += 0.5 * (2 * random.NextDouble() - 1);
        trainer.Unflatten(theta);
        var potential = trainer.CurrentPotential();
        var worst = 0.0;
        var largest = 0.0;
        for (var f = 0; f < data.Frames.Count; f++)
        {
            var s = data.Frames[f];
            var (energy, forces) = trainer.NetworkPrediction(f);
            var full = potential.Predict(s);
            var baseline = fit.Polynomial.Predict(s);
            Assert.Equal(full.Energy - baseline.Energy, energy, 8);
            for (var i = 0; i < s.Count; i++)
                for (var a = 0; a < 3; a++)
                {
                    var expected = full.Forces[i][a] - baseline.Forces[i][a];
                    largest = Math.Max(largest, Math.Abs(expected));
                    worst = Math.Max(worst, Math.Abs(expected - forces[3 * i + a]));
                }
        }
        output.WriteLine($"network forces: training vs prediction differ by {worst:E2} (largest {largest:G3} eV/A)");
        Assert.True(largest > 1e-3);
        Assert.True(worst < 1e-5 * largest, $"{worst} vs {largest}");
    }
}
