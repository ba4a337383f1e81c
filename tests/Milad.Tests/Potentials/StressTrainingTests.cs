using Milad.Fingerprints;
using Milad.Potentials;
using Milad.Structures;
using Xunit.Abstractions;

namespace Milad.Tests.Potentials;

/// <summary>Training on stresses: the invariants' virials and the sign and units of the reference stresses.</summary>
public class StressTrainingTests(ITestOutputHelper output)
{
    /// <summary>
    /// The virial of every invariant, sum over neighbours of d (x) dI/dd, equals the derivative of the invariant under
    /// a homogeneous strain of cell and atoms (central differences), for a sheared cell with an image 0.01 A inside the cutoff.
    /// </summary>
    [Fact]
    public void InvariantVirialsAreTheStrainDerivatives()
    {
        var descriptor = new Descriptor(PotentialTestData.Small);
        var s = PotentialTestData.NearCutoffCell(PotentialTestData.Small.Cutoff);
        var local = descriptor.EncodeLocal(s, withVirial: true);
        const double h = 1e-5;
        var worst = 0.0;
        var largest = local.SelectMany(e => e.Virial!).Max(Math.Abs);
        for (var a = 0; a < 3; a++)
            for (var b = 0; b < 3; b++)
            {
                // x -> (1 + h e_a e_b^T) x moves neighbour d by h d_b e_a: dI/dh = sum d_b dI/dd_a, entry [3 b + a].
                var plus = descriptor.EncodeEnvironments(DescriptorBackpropTests.Strain(s, a, b, h));
                var minus = descriptor.EncodeEnvironments(DescriptorBackpropTests.Strain(s, a, b, -h));
                for (var i = 0; i < s.Count; i++)
                    for (var q = 0; q < descriptor.Length; q++)
                    {
                        var fd = (plus[i].Values[q] - minus[i].Values[q]) / (2 * h);
                        worst = Math.Max(worst, Math.Abs(fd - local[i].Virial![9 * q + 3 * b + a]));
                    }
            }
        output.WriteLine($"largest virial entry {largest:E2}, worst difference from central differences {worst:E2}");
        Assert.True(largest > 1e-3, "the test cell must strain the invariants");
        Assert.True(worst < 1e-6 * largest, $"virial differs by {worst}");
    }

    /// <summary>
    /// Frames labelled by a known model with energies, forces and stresses (once as ASE stress= in eV/A^3, once as VASP
    /// stress_kbar=): a linear (or quadratic) fit with the stress rows must reproduce the stresses of its training frames.
    /// With a wrong sign or unit, or wrong virial rows of the quadratic terms, the stress rows contradict the energies and
    /// forces and no coefficients fit them all.
    /// </summary>
    [Theory]
    [InlineData("stress", "linear")]
    [InlineData("stress_kbar", "linear")]
    [InlineData("stress", "quadratic")]
    public void FitWithStressesReproducesTheReferenceStresses(string key, string kind)
    {
        const int k = 4;
        var options = new TrainingOptions { Kind = kind, Descriptor = PotentialTestData.Small, Folds = 3, Seed = 7, StressWeight = 1, QuadraticComponents = k };
        var train = PotentialTestData.Mo(6);
        var descriptor = new Descriptor(options.Descriptor);
        var values = train.Frames.SelectMany(f => descriptor.EncodeEnvironments(f)).SelectMany(f => f.Values).ToArray();
        var random = new Random(5);
        var quadratic = kind == "quadratic";
        var map = FeatureMap.Fit(values, values.Length / descriptor.Length, descriptor.Length, quadratic ? k : 0);
        var weights = Enumerable.Range(0, descriptor.Length).Select(_ => 0.01 * (2 * random.NextDouble() - 1)).ToArray();
        var products = Enumerable.Range(0, quadratic ? k * (k + 1) / 2 : 0).Select(_ => 0.003 * (2 * random.NextDouble() - 1)).ToArray();
        var truth = new PolynomialPotential(descriptor, [42], [new PolynomialPotential.SpeciesModel(-10.5, map, weights, products)]);
        var labelled = train.Frames.Select(f =>
        {
            var p = truth.Predict(f);
            var s = new Structure(f.AtomicNumbers, f.Positions, f.Cell) { Energy = p.Energy, Forces = p.Forces };
            s.Info[key] = key == "stress" ? p.Stress! : p.Stress!.Select(x => -10 * x / StressTarget.EvPerCubicAngstromPerGpa).ToArray();
            return s;
        }).ToList();
        var fitted = PotentialTrainer.Train(new TrainingSet("synthetic", labelled), options).Potential;
        var errors = ErrorSummary.Of(labelled, labelled.Select(fitted.Predict).ToList());
        var scale = labelled.Max(f => truth.Predict(f).Stress!.Max(Math.Abs)) / StressTarget.EvPerCubicAngstromPerGpa;
        output.WriteLine($"{key}, {kind}: {errors.StressFrames} frames, stress RMSE {errors.StressRmse:E2} GPa (largest stress {scale:F2} GPa), energy RMSE {errors.EnergyRmse:E2} eV/atom");
        Assert.Equal(6, errors.StressFrames);
        Assert.True(errors.StressRmse < 1e-6 * scale, $"stress RMSE {errors.StressRmse} GPa");
        Assert.True(errors.EnergyRmse < 1e-7, $"energy RMSE {errors.EnergyRmse}");
    }

    [Fact]
    public void StressOnANonPeriodicFrameIsRefusedWithOneLine()
    {
        var s = new Structure([26, 26], [new Vec3(0, 0, 0), new Vec3(2, 0, 0)]);
        s.Info["stress"] = new double[9];
        var e = Assert.Throws<InputException>(() => StressTarget.Virial(s));
        Assert.Contains("not periodic", e.Message);
        s.Info["stress"] = new double[4];
        Assert.Throws<InputException>(() => StressTarget.Virial(s));
        // In a training or test set the line names the file and frame.
        var cell = new Structure([26, 26], [new Vec3(0, 0, 0), new Vec3(1.4, 1.4, 1.4)], new Cell(new Vec3(2.8, 0, 0), new Vec3(0, 2.8, 0), new Vec3(0, 0, 2.8)))
        {
            Energy = -16, Forces = [new Vec3(0, 0, 0), new Vec3(0, 0, 0)],
        };
        s.Info["stress"] = new double[9];
        s.Energy = -15;
        s.Forces = [new Vec3(0, 0, 0), new Vec3(0, 0, 0)];
        e = Assert.Throws<InputException>(() => new TrainingSet("fe_test.xyz", [cell, s]));
        Assert.Equal("fe_test.xyz: frame 1: a stress is given but the frame is not periodic in all three directions", e.Message);
    }
}
