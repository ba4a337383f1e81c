using Milad.Fingerprints;
using Milad.Potentials;
using Milad.Structures;
using Xunit.Abstractions;

namespace Milad.Tests.Potentials;

public class PotentialTests(ITestOutputHelper output)
{
    private static TrainingOptions Options(string kind) => new()
    {
        Kind = kind, Descriptor = PotentialTestData.Small, QuadraticComponents = 4, NeuralComponents = 6, HiddenLayers = [6, 5],
        Folds = 3, Seed = 7, Epochs = 15, BatchFrames = 2, Patience = 1000, ValidationFraction = 0.25, LearningRate = 5e-3,
    };

    // "neural-all": the network reads every standardised invariant (no projection); "-pair": with a pair term
    // (at the descriptor's cutoff for the linear model, so the test cell has a pair 0.01 A inside it; longer otherwise).
    private static readonly Lazy<Dictionary<string, TrainingResult>> Trained = new(() =>
        new[] { "linear", "quadratic", "neural", "neural-all", "linear-pair", "quadratic-pair", "neural-pair" }.ToDictionary(k => k, k => PotentialTrainer.Train(PotentialTestData.Mo(6),
            k switch
            {
                "neural-all" => Options("neural") with { NeuralComponents = 0 },
                "linear-pair" => Options("linear") with { PairCutoff = PotentialTestData.Small.Cutoff, PairFunctions = 6 },
                "quadratic-pair" or "neural-pair" => Options(k.Split('-')[0]) with { PairCutoff = 5.5, PairFunctions = 5, PairInner = 2 },
                _ => Options(k),
            })));

    [Theory]
    [InlineData("linear")]
    [InlineData("quadratic")]
    [InlineData("neural")]
    [InlineData("neural-all")]
    [InlineData("linear-pair")]
    [InlineData("quadratic-pair")]
    [InlineData("neural-pair")]
    public void PredictedForcesAreMinusTheGradientOfThePredictedEnergy(string kind)
    {
        var potential = Trained.Value[kind].Potential;
        Assert.Equal(kind.Split('-')[0], potential.Kind);
        var s = PotentialTestData.NearCutoffCell(potential.Descriptor.Settings.Cutoff);
        var p = potential.Predict(s);
        Assert.Equal(potential.PredictEnergy(s), p.Energy, 10);
        var (worst, scale, worstStress, stressScale) = DescriptorBackpropTests.DerivativeErrors(potential, s);
        output.WriteLine($"{kind}: forces vs central differences {worst:E2} of {scale:G3} eV/A; stress {worstStress:E2} of {stressScale:G3} eV/A^3");
        Assert.True(scale > 1e-2);
        Assert.True(worst < 1e-6, $"forces: worst {worst}");
        Assert.True(worstStress < 1e-6, $"stress: worst {worstStress}");
    }

    [Theory]
    [InlineData("linear")]
    [InlineData("quadratic")]
    [InlineData("neural")]
    [InlineData("neural-all")]
    [InlineData("linear-pair")]
    [InlineData("neural-pair")]
    public void ModelFilePredictsBitForBitAfterARoundTrip(string kind)
    {
        var potential = Trained.Value[kind].Potential;
        var stream = new MemoryStream();
        PotentialFile.Write(stream, potential);
        var path = Path.Combine(CliRunnerTempDirectory(), "model.json");
        File.WriteAllBytes(path, stream.ToArray());
        var read = PotentialFile.Read(path);
        Assert.Equal(kind.Split('-')[0], read.Kind);
        foreach (var s in PotentialTestData.Mo(8).Frames.TakeLast(2))
        {
            var a = potential.Predict(s);
            var b = read.Predict(s);
            Assert.Equal(a.Energy, b.Energy);
            Assert.Equal(a.Forces, b.Forces);
        }
    }

    [Fact]
    public void ModelFileOfAnotherVersionIsRefusedWithOneLine()
    {
        var stream = new MemoryStream();
        PotentialFile.Write(stream, Trained.Value["linear"].Potential);
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray()).Replace("\"version\": 1", "\"version\": 5");
        var path = Path.Combine(CliRunnerTempDirectory(), "model.json");
        File.WriteAllText(path, text);
        var e = Assert.Throws<InputException>(() => PotentialFile.Read(path));
        Assert.Contains("version 5", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    /// <summary>
    /// Energies and forces made by a known linear or quadratic model on real Mo frames: the closed-form fit
    /// must find that model again (the cross-validation picks the weakest ridge), so its predictions on
    /// other frames agree to high precision. This checks the design rows, the force signs, the normal
    /// equations and the solve against an independent truth.
    /// </summary>
    [Theory]
    [InlineData("linear")]
    [InlineData("quadratic")]
    [InlineData("quadratic-pair")]
    public void RidgeFitRecoversAKnownModel(string kind)
    {
        var pair = kind.EndsWith("-pair");
        var options = Options(kind.Split('-')[0]);
        if (pair) options = options with { PairCutoff = 5.5, PairFunctions = 5, PairInner = 2 };
        var train = PotentialTestData.Mo(6);
        var descriptor = new Descriptor(options.Descriptor);
        var truth = RandomModel(descriptor, train, kind.StartsWith("quadratic") ? options.QuadraticComponents : 0, new Random(11));
        if (pair)
        {
            var basis = new PairBasis(options.PairCutoff, options.PairFunctions, options.PairInner, [42]);
            var y = train.Frames.SelectMany(s => basis.Features(s)).ToArray();
            var map = FeatureMap.Fit(y, y.Length / basis.Length, basis.Length, 0);
            var random = new Random(12);
            var u = Enumerable.Range(0, basis.Length).Select(_ => 0.02 * (2 * random.NextDouble() - 1)).ToArray();
            truth = new PolynomialPotential(truth.Descriptor, [42], truth.Models.ToArray()) { Pair = new PairTerm(basis, [map], [u]) };
        }
        var labelled = new TrainingSet("synthetic", train.Frames.Select(s => Label(truth, s)).ToList());
        var fitted = PotentialTrainer.Train(labelled, options).Potential;
        var worstE = 0.0;
        var worstF = 0.0;
        foreach (var s in PotentialTestData.Mo(9).Frames.TakeLast(3))
        {
            var a = truth.Predict(s);
            var b = fitted.Predict(s);
            worstE = Math.Max(worstE, Math.Abs(a.Energy - b.Energy) / s.Count);
            var scale = a.Forces.Max(f => f.Norm);
            for (var i = 0; i < s.Count; i++) worstF = Math.Max(worstF, (a.Forces[i] - b.Forces[i]).Norm / scale);
        }
        output.WriteLine($"{kind}: recovered energies to {worstE:E2} eV/atom, forces to {worstF:E2} of the largest");
        Assert.True(worstE < 1e-6, $"energy {worstE}");
        Assert.True(worstF < 1e-5, $"forces {worstF}");
    }

    private static PolynomialPotential RandomModel(Descriptor descriptor, TrainingSet frames, int k, Random random)
    {
        var values = frames.Frames.SelectMany(s => descriptor.EncodeEnvironments(s)).SelectMany(f => f.Values).ToArray();
        var map = FeatureMap.Fit(values, values.Length / descriptor.Length, descriptor.Length, k);
        var linear = Enumerable.Range(0, descriptor.Length).Select(_ => 0.01 * (2 * random.NextDouble() - 1)).ToArray();
        var quadratic = Enumerable.Range(0, k * (k + 1) / 2).Select(_ => 0.003 * (2 * random.NextDouble() - 1)).ToArray();
        return new PolynomialPotential(descriptor, [42], [new PolynomialPotential.SpeciesModel(-10.5, map, linear, quadratic)]);
    }

    private static Structure Label(Potential truth, Structure s)
    {
        var p = truth.Predict(s);
        return new Structure(s.AtomicNumbers, s.Positions, s.Cell) { Energy = p.Energy, Forces = p.Forces };
    }

    [Fact]
    public void NetworkTrainingIsReproducibleFromTheSeedWhateverTheThreads()
    {
        var data = PotentialTestData.Mo(6);
        var a = PotentialTrainer.Train(data, Options("neural") with { Threads = 1 });
        var b = PotentialTrainer.Train(data, Options("neural") with { Threads = 2 });
        var c = PotentialTrainer.Train(data, Options("neural") with { Seed = 8 });
        var pa = ((NeuralPotential)a.Potential).Models[0].Network.Parameters;
        Assert.Equal(pa, ((NeuralPotential)b.Potential).Models[0].Network.Parameters);
        Assert.NotEqual(pa, ((NeuralPotential)c.Potential).Models[0].Network.Parameters);
    }

    [Theory]
    [InlineData("adam")]
    [InlineData("lbfgs")]
    public void NetworkTrainingLowersTheLoss(string optimizer)
    {
        var result = PotentialTrainer.Train(PotentialTestData.Mo(6), Options("neural") with { Optimizer = optimizer, Epochs = optimizer == "adam" ? 80 : 25, LearningRate = 1e-2 });
        var curve = result.Curve;
        output.WriteLine($"{optimizer}: train loss {curve[0].TrainLoss:G4} -> {curve[^1].TrainLoss:G4} in {curve.Count} epochs");
        // The loss is 2 for the linear baseline alone; the network has to take a real share off it.
        Assert.True(curve[^1].TrainLoss < 0.8 * curve[0].TrainLoss, $"{curve[0].TrainLoss} -> {curve[^1].TrainLoss}");
    }

    private static string CliRunnerTempDirectory() => Milad.Tests.Cli.CliRunner.TempDirectory();
}

public class CholeskySolverTests
{
    [Fact]
    public void SolvesLikeMathNetAndRefusesIndefiniteMatrices()
    {
        var random = new Random(4);
        const int n = 37;
        var m = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Random(n + 5, n, new MathNet.Numerics.Distributions.ContinuousUniform(-1, 1, random));
        var spd = m.TransposeThisAndMultiply(m);
        var b = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray();
        var expected = spd.Cholesky().Solve(MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(b));
        var x = CholeskySolver.Solve(spd.ToRowMajorArray(), n, b)!;
        for (var i = 0; i < n; i++) Assert.Equal(expected[i], x[i], 8);
        var indefinite = spd.ToRowMajorArray();
        indefinite[5 * n + 5] = -1;
        Assert.Null(CholeskySolver.Solve(indefinite, n, b));
    }
}
