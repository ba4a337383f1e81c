using System.Text.Json;
using Milad.Fingerprints;
using Milad.Structures;
using Milad.Tests.Potentials;
using Xunit.Abstractions;

namespace Milad.Tests.Fingerprints;

/// <summary>
/// The radial map of environments (<see cref="DescriptorSettings.RadialExponent"/>): a neighbour at r sits at radius
/// (r / cutoff)^p of the unit ball. Checked against the plain descriptor with the neighbours moved by hand, central
/// differences of values and energies, and random rotations and permutations.
/// </summary>
public class RadialMapTests(ITestOutputHelper output)
{
    private static readonly DescriptorSettings Mapped = PotentialTestData.Small with { NMax = 6, RadialExponent = 2 };

    /// <summary>A cell with many neighbours inside 4.5 A, the centre's own images among them.</summary>
    private static Structure Crystal()
    {
        var cell = new Cell(new Vec3(3.1, 0, 0), new Vec3(0.9, 2.8, 0), new Vec3(0.4, -0.6, 3.3));
        return new Structure([42, 42, 28], [new Vec3(0.1, 0.2, 0.1), new Vec3(1.6, 1.5, 1.7), new Vec3(2.2, 0.3, 2.4)], cell);
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(0.5)]
    public void EqualsThePlainFingerprintWithEachNeighbourMovedToItsMappedRadius(double p)
    {
        // Without the smooth cutoff the weight does not depend on r, so the map is the only difference: an isolated
        // cluster seen from atom 0 with the map equals the plain descriptor with each neighbour at rc (r / rc)^p.
        var rng = new Random(5);
        var rc = 4.5;
        var cluster = Geometry.RandomCluster(rng, 7, 1.6);
        var centre = cluster.Positions[0];
        var moved = cluster.Positions.Select(x =>
        {
            var d = x - centre;
            return d.Norm == 0 ? x : centre + d * (Math.Pow(d.Norm / rc, p) * rc / d.Norm);
        }).ToArray();
        var plain = new Descriptor(Mapped with { SmoothCutoff = false, RadialExponent = 1 });
        var mapped = new Descriptor(Mapped with { SmoothCutoff = false, RadialExponent = p });
        var expected = plain.EncodeEnvironments(new Structure(cluster.AtomicNumbers, moved))[0].Values;
        var got = mapped.EncodeEnvironments(cluster)[0].Values;
        var worst = expected.Zip(got, (a, b) => Math.Abs(a - b) / (1e-12 + Math.Abs(a))).Max();
        output.WriteLine($"p = {p}: worst relative difference {worst:E2}; largest |r| in the cluster {cluster.Positions.Max(x => (x - centre).Norm):F2} A");
        Assert.True(worst < 1e-10, $"worst {worst}");
        Assert.True(expected.Zip(plain.EncodeEnvironments(cluster)[0].Values, (a, b) => Math.Abs(a - b)).Max() > 1e-3, "the map must change the fingerprint");
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(0.75)]
    public void JacobianMatchesCentralDifferences(double p)
    {
        var crystal = Crystal();
        var d = new Descriptor(Mapped with { IncludeCentre = true, RadialExponent = p });
        const double h = 1e-5;
        var worst = 0.0;
        for (var centre = 0; centre < crystal.Count; centre++)
        {
            var f = d.EncodeEnvironments(crystal, true)[centre];
            var n = crystal.Count;
            for (var atom = 0; atom < n; atom++)
                for (var axis = 0; axis < 3; axis++)
                {
                    var step = new Vec3(axis == 0 ? h : 0, axis == 1 ? h : 0, axis == 2 ? h : 0);
                    var plus = d.EncodeEnvironments(Displace(crystal, atom, step))[centre].Values;
                    var minus = d.EncodeEnvironments(Displace(crystal, atom, -step))[centre].Values;
                    for (var q = 0; q < d.Length; q++)
                    {
                        var rowScale = 1e-12;
                        for (var c = 0; c < 3 * n; c++) rowScale = Math.Max(rowScale, Math.Abs(f.Jacobian![q * 3 * n + c]));
                        worst = Math.Max(worst, Math.Abs((plus[q] - minus[q]) / (2 * h) - f.Derivative(q, atom, axis)) / rowScale);
                    }
                }
        }
        output.WriteLine($"Jacobian vs central differences (h = 1e-5 A), p = {p}: worst relative error {worst:E2}");
        Assert.True(worst < 1e-6, $"worst relative error {worst}");
    }

    /// <summary>A smooth nonlinear atomic energy of the fingerprint, different for every atom.</summary>
    private static double Model(int atom, ReadOnlySpan<double> fp, Span<double> gradient)
    {
        double e = 0;
        for (var q = 0; q < fp.Length; q++)
        {
            var c = 1e-3 * Math.Cos(2 * q + atom);
            e += c * fp[q] + 1e-7 * fp[q] * fp[q];
            if (!gradient.IsEmpty) gradient[q] = c + 2e-7 * fp[q];
        }
        return e;
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(0.75)]
    public void ForcesAndVirialAreTheDerivativesOfTheEnergy(double p)
    {
        var s = PotentialTestData.NearCutoffCell(Mapped.Cutoff);
        var d = new Descriptor(Mapped with { RadialExponent = p });
        var forces = new Vec3[s.Count];
        var virial = new double[9];
        var energy = d.EnvironmentEnergyAndForces(s, Model, forces, virial);
        Assert.Equal(d.EnvironmentEnergy(s, Model), energy, 12);
        var fd = DescriptorBackpropTests.FiniteDifferenceForces(s, x => d.EnvironmentEnergy(x, Model));
        var scale = forces.Max(f => Math.Max(Math.Abs(f.X), Math.Max(Math.Abs(f.Y), Math.Abs(f.Z))));
        var worst = 0.0;
        for (var i = 0; i < s.Count; i++)
            for (var a = 0; a < 3; a++) worst = Math.Max(worst, Math.Abs(forces[i][a] - fd[i][a]) / scale);
        var virialScale = virial.Max(Math.Abs);
        var worstVirial = 0.0;
        const double h = 1e-6;
        for (var a = 0; a < 3; a++)
            for (var b = 0; b < 3; b++)
            {
                var derivative = (d.EnvironmentEnergy(DescriptorBackpropTests.Strain(s, a, b, h), Model)
                    - d.EnvironmentEnergy(DescriptorBackpropTests.Strain(s, a, b, -h), Model)) / (2 * h);
                worstVirial = Math.Max(worstVirial, Math.Abs(derivative - virial[3 * a + b]) / virialScale);
            }
        output.WriteLine($"p = {p}: forces vs central differences {worst:E2} of {scale:G3}; virial vs strain derivative {worstVirial:E2} of {virialScale:G3}");
        Assert.True(scale > 1e-3 && virialScale > 1e-3, "the test structure must have forces and a virial");
        Assert.True(worst < 1e-6, $"forces: worst {worst}");
        Assert.True(worstVirial < 1e-6, $"virial: worst {worstVirial}");
    }

    [Fact]
    public void EnvironmentsAreInvariantToRotationsAndPermutations()
    {
        var rng = new Random(3);
        var crystal = Crystal();
        var d = new Descriptor(Mapped);
        var reference = d.EncodeEnvironments(crystal);
        var worst = 0.0;
        for (var trial = 0; trial < 20; trial++)
        {
            var perm = Geometry.RandomPermutation(rng, crystal.Count);
            var got = d.EncodeEnvironments(Geometry.Transform(crystal, Geometry.RandomRotation(rng), perm, Geometry.RandomVector(rng, 20)));
            for (var k = 0; k < crystal.Count; k++)
                worst = Math.Max(worst, reference[perm[k]].Values.Zip(got[k].Values, (a, b) => Math.Abs(a - b) / (1e-9 + Math.Abs(a))).Max());
        }
        output.WriteLine($"worst relative change over 20 rotations and permutations: {worst:E2}");
        Assert.True(worst < 1e-9, $"worst {worst}");
    }

    [Fact]
    public void TheSettingIsWrittenReadAndChecked()
    {
        string Json(DescriptorSettings s)
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream))
            {
                w.WriteStartObject();
                DescriptorSettingsJson.WriteProperties(w, s);
                w.WriteEndObject();
            }
            return System.Text.Encoding.UTF8.GetString(stream.ToArray());
        }
        Assert.DoesNotContain("radial_exponent", Json(PotentialTestData.Small)); // files without the map are unchanged
        var text = Json(Mapped);
        Assert.Contains("\"radial_exponent\":2", text);
        Assert.Equal(2, DescriptorSettingsJson.Read(JsonDocument.Parse(text).RootElement).RadialExponent);
        var bad = Assert.Throws<InputException>(() => DescriptorSettingsJson.Read(JsonDocument.Parse(text.Replace("\"radial_exponent\":2", "\"radial_exponent\":0.1")).RootElement));
        Assert.Equal("descriptor: radial exponent must be a number from 0.25 to 4, got 0.1", bad.Message);
        var wrongType = Assert.Throws<InputException>(() => DescriptorSettingsJson.Read(JsonDocument.Parse(text.Replace("\"radial_exponent\":2", "\"radial_exponent\":\"2\"")).RootElement));
        Assert.Contains("descriptor.radial_exponent", wrongType.Message);
        Assert.Throws<InputException>(() => new Descriptor(Mapped with { RadialExponent = double.NaN }));
        var molecule = Assert.Throws<InputException>(() => new Descriptor(Mapped).Encode(Geometry.RandomCluster(new Random(1), 4, 1.5)));
        Assert.Contains("environments only", molecule.Message);
    }

    [Fact]
    public void AModelWithTheMapIsFileVersionFourAndPredictsTheSameAfterReading()
    {
        var data = PotentialTestData.Mo(4);
        var options = new Milad.Potentials.TrainingOptions { Descriptor = Mapped with { RadialExponent = 0.75 }, Folds = 2, Threads = 1 };
        var potential = Milad.Potentials.PotentialTrainer.FitPolynomial(data, options, null).Polynomial;
        using var stream = new MemoryStream();
        Milad.Potentials.PotentialFile.Write(stream, potential);
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        Assert.Contains("\"version\": 4", text);
        var read = Milad.Potentials.PotentialFile.Read(JsonDocument.Parse(text).RootElement);
        Assert.Equal(0.75, read.Descriptor.Settings.RadialExponent);
        var frame = data.Frames[0];
        Assert.Equal(potential.PredictEnergy(frame), read.PredictEnergy(frame));
        // A file that claims an older version cannot carry the map: older builds would ignore it and predict wrong.
        var old = Assert.Throws<InputException>(() => Milad.Potentials.PotentialFile.Read(JsonDocument.Parse(text.Replace("\"version\": 4", "\"version\": 1")).RootElement));
        Assert.Equal("descriptor.radial_exponent needs model file version 4, the file says 1", old.Message);
    }

    private static Structure Displace(Structure s, int atom, Vec3 step)
    {
        var p = s.Positions.ToArray();
        p[atom] += step;
        return new Structure(s.AtomicNumbers, p, s.Cell);
    }
}
