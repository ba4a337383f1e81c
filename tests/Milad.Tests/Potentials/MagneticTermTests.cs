using Milad.Fingerprints;
using Milad.Potentials;
using Milad.Structures;
using Xunit.Abstractions;

namespace Milad.Tests.Potentials;

/// <summary>The magnetic term m^k (b + c . x): fitting it, its forces and stress, its model file and its errors.</summary>
public class MagneticTermTests(ITestOutputHelper output)
{
    private static readonly int[] Powers = [2, 4];

    /// <summary>A copy of a frame with a made-up moment (0 to 2.5) on every atom.</summary>
    private static Structure WithMoments(Structure s, Random random)
    {
        var c = PotentialTestData.Copy(s);
        c.Arrays[MagneticTerm.Column] = Enumerable.Range(0, s.Count).Select(_ => (Array)new[] { 2.5 * random.NextDouble() }).ToArray();
        return c;
    }

    private static (PolynomialPotential Truth, List<Structure> Train, List<Structure> Other) KnownModel()
    {
        var random = new Random(3);
        var train = PotentialTestData.Mo(6).Frames.Select(s => WithMoments(s, random)).ToList();
        var other = PotentialTestData.Mo(9).Frames.TakeLast(3).Select(s => WithMoments(s, random)).ToList();
        var descriptor = new Descriptor(PotentialTestData.Small);
        var values = train.SelectMany(f => descriptor.EncodeEnvironments(f)).SelectMany(f => f.Values).ToArray();
        var map = FeatureMap.Fit(values, values.Length / descriptor.Length, descriptor.Length, 0);
        double Next(double scale) => scale * (2 * random.NextDouble() - 1);
        var linear = Enumerable.Range(0, descriptor.Length).Select(_ => Next(0.01)).ToArray();
        var magnetic = Enumerable.Range(0, Powers.Length * (1 + descriptor.Length)).Select(_ => Next(0.005)).ToArray();
        var truth = new PolynomialPotential(descriptor, [42], [new PolynomialPotential.SpeciesModel(-10.5, map, linear, [])])
        {
            Magnetic = new MagneticTerm(Powers, [map], [magnetic]),
        };
        List<Structure> Label(List<Structure> frames) => frames.Select(f =>
        {
            var p = truth.Predict(f);
            var s = PotentialTestData.Copy(f);
            s.Energy = p.Energy;
            s.Forces = p.Forces;
            s.Arrays[MagneticTerm.Column] = f.Arrays[MagneticTerm.Column];
            return s;
        }).ToList();
        return (truth, Label(train), other);
    }

    private static Potential Fit(List<Structure> train) => PotentialTrainer.Train(new TrainingSet("synthetic", train),
        new TrainingOptions { Kind = "linear", Descriptor = PotentialTestData.Small, Folds = 3, Seed = 7, MagneticPowers = Powers }).Potential;

    /// <summary>
    /// Energies and forces of a known model with a magnetic term on real Mo frames with made-up moments: the ridge fit
    /// finds it again (its predictions on other frames and moments agree), which a fit blind to the moments cannot.
    /// </summary>
    [Fact]
    public void RidgeFitRecoversAKnownMagneticModel()
    {
        var (truth, train, other) = KnownModel();
        var fitted = Fit(train);
        Assert.NotNull(fitted.Magnetic);
        var blind = PotentialTrainer.Train(new TrainingSet("synthetic", train),
            new TrainingOptions { Kind = "linear", Descriptor = PotentialTestData.Small, Folds = 3, Seed = 7 }).Potential;
        double worstE = 0, worstF = 0, blindE = 0;
        foreach (var s in other)
        {
            var a = truth.Predict(s);
            var b = fitted.Predict(s);
            worstE = Math.Max(worstE, Math.Abs(a.Energy - b.Energy) / s.Count);
            blindE = Math.Max(blindE, Math.Abs(a.Energy - blind.Predict(s).Energy) / s.Count);
            var scale = a.Forces.Max(f => f.Norm);
            for (var i = 0; i < s.Count; i++) worstF = Math.Max(worstF, (a.Forces[i] - b.Forces[i]).Norm / scale);
        }
        output.WriteLine($"recovered energies to {worstE:E2} eV/atom (without the moments: {blindE:E2}), forces to {worstF:E2} of the largest");
        Assert.True(worstE < 1e-6, $"energy {worstE}");
        Assert.True(worstF < 1e-5, $"forces {worstF}");
        Assert.True(blindE > 1e-3, $"the moments must matter ({blindE})");
    }

    /// <summary>Forces and stress of a model with a magnetic term are the derivatives of its energy at fixed moments.</summary>
    [Fact]
    public void ForcesAndStressAreTheDerivativesAtFixedMoments()
    {
        var (truth, _, _) = KnownModel();
        var s = WithMoments(PotentialTestData.NearCutoffCell(PotentialTestData.Small.Cutoff), new Random(9));
        var (worst, scale, worstStress, stressScale) = DescriptorBackpropTests.DerivativeErrors(truth, s);
        output.WriteLine($"forces vs central differences {worst:E2} of {scale:G3} eV/A; stress {worstStress:E2} of {stressScale:G3} eV/A^3");
        Assert.True(scale > 3e-3);
        Assert.True(worst < 1e-6, $"forces {worst}");
        Assert.True(worstStress < 1e-6, $"stress {worstStress}");
    }

    [Fact]
    public void ModelFileRoundTripsBitForBitAndNeedsTheMoments()
    {
        var (_, train, other) = KnownModel();
        var fitted = Fit(train);
        var path = Path.Combine(Milad.Tests.Cli.CliRunner.TempDirectory(), "magnetic.json");
        using (var stream = File.Create(path)) PotentialFile.Write(stream, fitted);
        Assert.Contains("\"version\": 3", File.ReadAllText(path));
        var read = PotentialFile.Read(path);
        foreach (var s in other)
        {
            var a = fitted.Predict(s);
            var b = read.Predict(s);
            Assert.Equal(a.Energy, b.Energy);
            Assert.Equal(a.Forces, b.Forces);
        }
        var bare = PotentialTestData.Copy(other[0]);
        var e = Assert.Throws<InputException>(() => read.Predict(bare));
        Assert.Contains("magmom", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    /// <summary>A network on a baseline with a magnetic term keeps the term: its forces are still the derivatives at fixed moments.</summary>
    [Fact]
    public void NetworkKeepsTheMagneticTermOfItsBaseline()
    {
        var (_, train, _) = KnownModel();
        var network = PotentialTrainer.Train(new TrainingSet("synthetic", train), new TrainingOptions
        {
            Kind = "neural", Descriptor = PotentialTestData.Small, Folds = 3, Seed = 7, MagneticPowers = Powers, NeuralComponents = 6,
            HiddenLayers = [5], Epochs = 3, BatchFrames = 2, ValidationFraction = 0.25,
        }).Potential;
        Assert.NotNull(network.Magnetic);
        var s = WithMoments(PotentialTestData.NearCutoffCell(PotentialTestData.Small.Cutoff), new Random(9));
        var (worst, scale, _, _) = DescriptorBackpropTests.DerivativeErrors(network, s);
        output.WriteLine($"network with magnetic baseline: forces vs central differences {worst:E2} of {scale:G3} eV/A");
        Assert.True(worst < 1e-6, $"forces {worst}");
        var bare = PotentialTestData.Copy(s);
        Assert.Throws<InputException>(() => network.Predict(bare));
    }
}
