using System.Runtime.Intrinsics;
using Milad.Fingerprints;
using Milad.Invariants;
using Milad.IO;
using Milad.Potentials;
using Milad.Structures;
using Xunit.Abstractions;

namespace Milad.Tests.Potentials;

/// <summary>
/// The prediction kernels (invariants through coupled products, the pair Gaussians by recurrence) against the
/// term-by-term kernels and the direct formula they replaced, on real Mo frames at the settings of the documented
/// Mo models (n_max 11, scalar invariants, 4.0 A; pair term to 5.5 A).
/// </summary>
public class FastPathTests(ITestOutputHelper output)
{
    private static readonly Lazy<Structure[]> MoTest = new(() => StructureFiles.Read(TestData.File("mlearn", "Mo_test.xyz")).ToArray());

    private static readonly DescriptorSettings MoSettings = new() { NMax = 11, InvariantSet = "scalar", Cutoff = 4.0 };

    /// <summary>A model of each kind over the real descriptor: standardisation fitted to Mo frames, random coefficients.</summary>
    private static Potential Model(string kind)
    {
        var descriptor = new Descriptor(MoSettings);
        var frames = PotentialTestData.Mo(6).Frames;
        var values = frames.SelectMany(s => descriptor.EncodeEnvironments(s)).SelectMany(f => f.Values).ToArray();
        var count = values.Length / descriptor.Length;
        var random = new Random(11);
        double[] Random(int n, double scale) => Enumerable.Range(0, n).Select(_ => scale * (2 * random.NextDouble() - 1)).ToArray();
        var k = 8;
        var map = FeatureMap.Fit(values, count, descriptor.Length, kind == "linear" ? 0 : k);
        var linear = Random(descriptor.Length, 0.01);
        var polynomial = new PolynomialPotential.SpeciesModel(-10.5, map, linear, kind == "quadratic" ? Random(k * (k + 1) / 2, 0.02) : []);
        Potential potential = kind == "neural"
            ? new NeuralPotential(descriptor, [42], [new NeuralPotential.SpeciesModel(polynomial with { Quadratic = [] }, map,
                NeuralNetwork.Initialise([k, 6, 1], random, 0.05))])
            : new PolynomialPotential(descriptor, [42], [polynomial]);
        if (kind != "quadratic") return potential;
        var basis = new PairBasis(5.5, 24, 1.5, [42]);
        var y = frames.SelectMany(s => basis.Features(s)).ToArray();
        var pair = new PairTerm(basis, [FeatureMap.Fit(y, y.Length / basis.Length, basis.Length, 0)], [Random(basis.Length, 0.02)]);
        return new PolynomialPotential(descriptor, [42], [polynomial]) { Pair = pair };
    }

    [Theory]
    [InlineData("linear")]
    [InlineData("quadratic")]
    [InlineData("neural")]
    public void PredictionEqualsTheTermByTermKernelsOnMoTestFrames(string kind)
    {
        var potential = Model(kind);
        potential.Descriptor.MaxThreads = 1;
        double energy = 0, atom = 0, force = 0, virial = 0;
        foreach (var s in MoTest.Value)
        {
            potential.Descriptor.TermKernels = true;
            var reference = potential.Predict(s);
            potential.Descriptor.TermKernels = false;
            var fast = potential.Predict(s);
            energy = Math.Max(energy, Math.Abs(fast.Energy - reference.Energy) / Math.Abs(reference.Energy));
            var e = reference.AtomEnergies!.Max(Math.Abs);
            atom = Math.Max(atom, fast.AtomEnergies!.Zip(reference.AtomEnergies!).Max(p => Math.Abs(p.First - p.Second)) / e);
            var f = reference.Forces.Max(v => v.Norm);
            force = Math.Max(force, fast.Forces.Zip(reference.Forces).Max(p => (p.First - p.Second).Norm) / f);
            var w = reference.Virial.Max(Math.Abs);
            virial = Math.Max(virial, fast.Virial.Zip(reference.Virial).Max(p => Math.Abs(p.First - p.Second)) / w);
        }
        output.WriteLine($"{kind}: energy {energy:G2}, atom energies {atom:G2}, forces {force:G2}, virial {virial:G2} (relative to the largest)");
        Assert.True(energy < 1e-12 && atom < 1e-12, $"energies differ by {energy:G3} / {atom:G3}");
        Assert.True(force < 1e-11 && virial < 1e-11, $"forces differ by {force:G3}, virials by {virial:G3}");
    }

    [Theory]
    [InlineData("scalar", 11)]
    [InlineData("compact", 9)]
    [InlineData("complete", 7)]
    public void CoupledInvariantsAndTheirBackwardPassEqualTheTermList(string name, int nMax)
    {
        var set = InvariantSet.ByName(name, nMax);
        var coupled = set.Coupled;
        var descriptor = new Descriptor(new DescriptorSettings { NMax = nMax, InvariantSet = name, Cutoff = 4.0 });
        var moments = descriptor.EnvironmentMoments(MoTest.Value[3]);
        var m = set.Basis.Count;
        var x = new Vector256<double>[m + 1];
        for (var mu = 0; mu < m; mu++) x[mu] = Vector256.Create(moments[0][mu], moments[1][mu], moments[2][mu], moments[3][mu]);
        x[m] = Vector256<double>.One;
        var expected = new Vector256<double>[set.Count];
        var values = new Vector256<double>[set.Count];
        var products = new Vector256<double>[coupled.ProductLength];
        set.EvaluateFour(x, expected);
        coupled.EvaluateFour(x, values, products);
        var random = new Random(3);
        var weights = Enumerable.Range(0, set.Count).Select(q => q % 7 == 3 ? Vector256<double>.Zero // some invariants unused
            : Vector256.Create(random.NextDouble() - 0.5, random.NextDouble() - 0.5, random.NextDouble() - 0.5, random.NextDouble() - 0.5)).ToArray();
        var reference = new Vector256<double>[m + 1];
        var result = new Vector256<double>[m + 1];
        set.VectorJacobianProductFour(x, weights, reference);
        coupled.VectorJacobianProductFour(x, products, weights, result, new Vector256<double>[coupled.ProductLength]);
        double valueError = 0, gradientError = 0, valueScale = 0, gradientScale = 0;
        for (var lane = 0; lane < 4; lane++)
        {
            for (var q = 0; q < set.Count; q++)
            {
                valueError = Math.Max(valueError, Math.Abs(values[q][lane] - expected[q][lane]));
                valueScale = Math.Max(valueScale, Math.Abs(expected[q][lane]));
            }
            for (var mu = 0; mu < m; mu++)
            {
                gradientError = Math.Max(gradientError, Math.Abs(result[mu][lane] - reference[mu][lane]));
                gradientScale = Math.Max(gradientScale, Math.Abs(reference[mu][lane]));
            }
        }
        output.WriteLine($"{name} n_max {nMax}: {set.TermCount} terms -> {coupled.ProductCount} coupled products of {coupled.TermCount} terms; " +
                         $"invariants {valueError / valueScale:G2}, dE/dOmega {gradientError / gradientScale:G2} (relative to the largest)");
        Assert.True(valueError < 1e-13 * valueScale, $"invariants differ by {valueError / valueScale:G3}");
        Assert.True(gradientError < 1e-13 * gradientScale, $"dE/dOmega differs by {gradientError / gradientScale:G3}");
        Assert.True(coupled.TermCount < set.TermCount);
    }

    [Theory]
    [InlineData(5.5, 24, 1.5)]
    [InlineData(6.5, 64, 0.5)]
    [InlineData(3.0, 2, 2.9)]
    public void PairGaussiansByRecurrenceEqualTheDirectFormula(double cutoff, int functions, double inner)
    {
        var basis = new PairBasis(cutoff, functions, inner, [42]);
        var value = new double[functions];
        var derivative = new double[functions];
        double worst = 0;
        for (var r = 0.01; r < cutoff; r += 0.0137)
        {
            basis.Radial(r, value, derivative);
            var fc = 0.5 * (1 + Math.Cos(Math.PI * r / cutoff));
            var dfc = -0.5 * Math.PI / cutoff * Math.Sin(Math.PI * r / cutoff);
            double scale = 0, error = 0;
            for (var k = 0; k < functions; k++)
            {
                var u = (r - (inner + k * basis.Width)) / basis.Width;
                var g = Math.Exp(-u * u);
                var (v, d) = (g * fc, g * (dfc - 2 * u / basis.Width * fc));
                scale = Math.Max(scale, Math.Max(Math.Abs(v), Math.Abs(d)));
                error = Math.Max(error, Math.Max(Math.Abs(value[k] - v), Math.Abs(derivative[k] - d)));
            }
            if (scale > 0) worst = Math.Max(worst, error / scale);
        }
        output.WriteLine($"{functions} Gaussians to {cutoff} A: largest difference {worst:G2} of the largest value");
        Assert.True(worst < 1e-13, $"the recurrence differs by {worst:G3}");
    }
}
