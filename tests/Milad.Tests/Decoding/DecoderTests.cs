using System.Diagnostics;
using Milad.Alignment;
using Milad.Decoding;
using Milad.Fingerprints;
using Milad.IO;
using Milad.Structures;
using Xunit.Abstractions;

namespace Milad.Tests.Decoding;

/// <summary>
/// Fingerprint -> molecule with no model: every test encodes a known structure, decodes the fingerprint alone
/// and compares the result with the truth after optimal rotation and pairing (reflection not allowed: the
/// fingerprint has pseudoscalars).
/// </summary>
public class DecoderTests(ITestOutputHelper output)
{
    private static readonly DescriptorSettings Default = Presets.Get("default");

    private static Decoder DefaultDecoder { get; } = new(Default);

    private static Descriptor DefaultDescriptor { get; } = new(Default);

    private static string Examples => Path.Combine(TestData.RepositoryRoot, "examples", "molecules.xyz");

    /// <summary>Decodes the molecule's fingerprint; returns the RMSD (A) within species, +inf when the atoms or species differ.</summary>
    private double RoundTrip(Structure molecule, DescriptorSettings? settings = null, int seed = 1)
    {
        var descriptor = settings == null ? DefaultDescriptor : new Descriptor(settings);
        var decoder = settings == null ? DefaultDecoder : new Decoder(settings);
        var result = decoder.Decode(descriptor.Encode(molecule).Values, TimeSpan.FromSeconds(60), seed);
        output.WriteLine($"{molecule.Formula} ({molecule.Count} atoms): decoded {result.Decoded}, residual {result.Residual:E1}, {result.Seconds:F2} s, {result.Reason}");
        if (result.Structure == null || result.Structure.Count != molecule.Count) return double.PositiveInfinity;
        var alignment = StructureAlignment.Align(molecule, result.Structure);
        return alignment.SpeciesMatch ? alignment.Rmsd : double.PositiveInfinity;
    }

    [Theory]
    [InlineData(3, 1)]
    [InlineData(5, 2)]
    [InlineData(8, 3)]
    [InlineData(12, 4)]
    [InlineData(17, 5)]
    [InlineData(21, 6)]
    [InlineData(25, 7)]
    [InlineData(30, 8)]
    public void RandomClustersWithRandomSpecies(int atoms, int seed)
    {
        var cluster = Geometry.RandomCluster(new Random(seed), atoms, radius: 1.2 * Math.Cbrt(atoms) + 0.8, minDistance: 1.0);
        Assert.True(RoundTrip(cluster) < 1e-4);
    }

    [Theory]
    [InlineData("water")]
    [InlineData("ammonia")]
    [InlineData("methane")]
    [InlineData("acetylene")]
    [InlineData("carbon dioxide")]
    [InlineData("benzene")]
    [InlineData("sulfur hexafluoride")]
    public void SymmetricPlanarAndLinearMolecules(string name)
    {
        var molecule = StructureFiles.Read(Examples).Single(m => (string)m.Info["name"] == name);
        Assert.True(RoundTrip(new Structure(molecule.AtomicNumbers, molecule.Positions)) < 1e-3);
    }

    [Fact]
    public void OctahedralClusterAndRandomPlanarCluster()
    {
        var octahedron = new Structure([26, 8, 8, 8, 8, 8, 8],
            [Vec3.Zero, new(2, 0, 0), new(-2, 0, 0), new(0, 2, 0), new(0, -2, 0), new(0, 0, 2), new(0, 0, -2)]);
        Assert.True(RoundTrip(octahedron) < 1e-3);
        var rng = new Random(11);
        var planar = Geometry.RandomCluster(rng, 12, 3.5, 1.0);
        planar = new Structure(planar.AtomicNumbers, planar.Positions.Select(p => new Vec3(p.X, p.Y, 0)).ToArray());
        if (planar.Positions.SelectMany((p, i) => planar.Positions.Skip(i + 1), (p, q) => (p - q).Norm).Min() > 0.5)
            Assert.True(RoundTrip(planar) < 1e-3);
    }

    [Fact]
    public void EnantiomersDecodeToTheirOwnHand()
    {
        var molecules = StructureFiles.Read(Examples).Where(m => ((string)m.Info["name"]).StartsWith("bromochlorofluoromethane")).ToList();
        Assert.Equal(2, molecules.Count);
        foreach (var m in molecules)
        {
            var molecule = new Structure(m.AtomicNumbers, m.Positions);
            var result = DefaultDecoder.Decode(DefaultDescriptor.Encode(molecule).Values);
            Assert.True(result.Decoded, result.Reason);
            // A proper rotation reaches the truth; the mirror image is far from it.
            Assert.True(StructureAlignment.Align(molecule, result.Structure!).Rmsd < 1e-6);
            var mirror = new Structure(molecule.AtomicNumbers, molecule.Positions.Select(p => new Vec3(-p.X, p.Y, p.Z)).ToArray());
            Assert.True(StructureAlignment.Align(mirror, result.Structure!).Rmsd > 0.1);
        }
    }

    [Fact]
    public void QmNineMoleculesAtThePaperOrder()
    {
        // Every tenth molecule, but not the linear ones of more than 4 atoms (C3HN, C4H2): order-7 moments hold
        // 8 moments of the distribution along their line, which fix at most 4 weighted points.
        var molecules = StructureFiles.Read(TestData.File("molecules", "qm9_first100.xyz"))
            .Where((m, i) => i % 10 == 3 && !(m.Count > 4 && IsLinear(m))).ToList();
        var settings = Presets.Get("paper");
        var ok = molecules.Count(m => RoundTrip(new Structure(m.AtomicNumbers, m.Positions), settings) < 0.01);
        output.WriteLine($"{ok}/{molecules.Count} decoded at n_max 7");
        Assert.Equal(molecules.Count, ok);
    }

    /// <summary>
    /// qm7_even #904 (C5H6N2): the refinement can bring a boron and a hydrogen onto one point where a carbon is;
    /// that 14-atom structure re-encodes to 3e-13, as the 13-atom molecule does. The fewer atoms are the answer.
    /// </summary>
    [Fact]
    public void TwoAtomsOnOnePointBecomeOneAtom()
    {
        var m = StructureFiles.Read(TestData.File("molecules", "qm7_even.xyz")).ElementAt(904);
        var molecule = new Structure(m.AtomicNumbers, m.Positions);
        Assert.Equal("C5H6N2", molecule.Formula);
        var result = DefaultDecoder.Decode(DefaultDescriptor.Encode(molecule).Values);
        output.WriteLine($"{result.Structure?.Formula}: decoded {result.Decoded}, {result.Work} work units, {result.Reason}");
        Assert.True(result.Decoded, result.Reason);
        var alignment = StructureAlignment.Align(molecule, result.Structure!);
        Assert.True(alignment.SpeciesMatch && alignment.Rmsd < 1e-4, $"{result.Structure!.Formula}, RMSD {alignment.Rmsd}");
    }

    private static bool IsLinear(Structure m)
    {
        var axis = m.Positions[1] - m.Positions[0];
        return m.Positions.All(p => (p - m.Positions[0]).Cross(axis).Norm < 1e-3 * axis.Norm);
    }

    [Fact]
    public void SinglePrecisionFingerprints()
    {
        // Rounding every invariant to float32 (relative error 6e-8) leaves the moments accurate to ~1e-7
        // where the fingerprint is generic; the refinement cannot go below the rounding, so success is judged
        // by the atoms alone.
        var molecules = StructureFiles.Read(TestData.File("molecules", "qm9_derived_985.xyz")).Where((_, i) => i % 100 == 7).ToList();
        var ok = 0;
        double worst = 0;
        foreach (var m in molecules)
        {
            var molecule = new Structure(m.AtomicNumbers, m.Positions);
            var f = DefaultDescriptor.Encode(molecule).Values.Select(v => (double)(float)v).ToArray();
            var result = DefaultDecoder.Decode(f, TimeSpan.FromSeconds(10));
            if (result.Structure == null || result.Structure.Count != molecule.Count) continue;
            var alignment = StructureAlignment.Align(molecule, result.Structure);
            if (alignment.SpeciesMatch && alignment.Rmsd < 0.01) { ok++; worst = Math.Max(worst, alignment.Rmsd); }
        }
        output.WriteLine($"float32 fingerprints: {ok}/{molecules.Count} decoded, worst RMSD of those {worst:E1} A");
        Assert.True(ok >= molecules.Count - 2, $"{ok}/{molecules.Count}");
    }

    [Fact]
    public void NoisyFingerprintsDecodeToTheNearestStructure()
    {
        // Relative Gaussian noise of 1e-6 on every invariant (as `milad roundtrip --noise 1e-6`): no structure has
        // these fingerprints; the decoder returns the structure whose fingerprint is nearest, with its residual
        // (about the noise), whether or not that is within the exact-match threshold (decoded=T/F).
        var molecules = StructureFiles.Read(TestData.File("molecules", "qm9_derived_985.xyz")).ToList();
        var noise = Milad.Cli.Perturbation.Parse(1e-6, null);
        foreach (var index in new[] { 3, 8, 15, 17 })
        {
            var molecule = new Structure(molecules[index].AtomicNumbers, molecules[index].Positions);
            var f = noise.Apply(DefaultDescriptor.Encode(molecule).Values, index);
            var result = DefaultDecoder.Decode(f, work: 3000);
            output.WriteLine($"#{index} {molecule.Formula}: decoded {result.Decoded}, residual {result.Residual:E2}, {result.Work} work units, {result.Reason}");
            Assert.NotNull(result.Structure);
            Assert.InRange(result.Residual, 1e-7, 3e-6);
            var alignment = StructureAlignment.Align(molecule, result.Structure);
            Assert.True(alignment.SpeciesMatch);
            Assert.InRange(alignment.Rmsd, 0, 1e-3);
        }
    }

    [Fact]
    public void ALooserToleranceAcceptsTheNearestStructureAndEndsTheSearch()
    {
        // Noise of 1e-6 leaves the molecule's structure at a residual of about 1e-6: with the default tolerance the
        // decoder keeps looking for a closer one until the work is spent; told to accept 1e-5, it stops at the molecule.
        var molecules = StructureFiles.Read(TestData.File("molecules", "qm9_first100.xyz")).ToList();
        var noise = Milad.Cli.Perturbation.Parse(1e-6, null);
        var molecule = new Structure(molecules[2].AtomicNumbers, molecules[2].Positions);   // water
        var f = noise.Apply(DefaultDescriptor.Encode(molecule).Values, 2);
        var strict = DefaultDecoder.Decode(f, work: 10000);
        var loose = DefaultDecoder.Decode(f, work: 10000, tolerance: 1e-5);
        output.WriteLine($"default: decoded {strict.Decoded}, residual {strict.Residual:E2}, {strict.Work} units; 1e-5: decoded {loose.Decoded}, residual {loose.Residual:E2}, {loose.Work} units");
        Assert.False(strict.Decoded);
        Assert.InRange(strict.Work, 10000, 10100);
        Assert.InRange(StructureAlignment.Align(molecule, strict.Structure!).Rmsd, 0, 1e-3);
        Assert.True(loose.Decoded);
        Assert.InRange(loose.Residual, 1e-7, 1e-5);
        Assert.InRange(loose.Work, 1, 5000);
        Assert.InRange(StructureAlignment.Align(molecule, loose.Structure!).Rmsd, 0, 1e-3);
        // Out of range: an argument error, not a decoding.
        Assert.Throws<ArgumentOutOfRangeException>(() => DefaultDecoder.Decode(f, tolerance: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DefaultDecoder.Decode(f, tolerance: double.NaN));
    }

    [Fact]
    public void AFingerprintWithNoStructureStillGetsAResidual()
    {
        // Noise of 1e-2 (or rounding to float16) leaves no structure near: a verdict and a finite residual, within the work.
        var molecule = StructureFiles.Read(TestData.File("molecules", "qm9_derived_985.xyz")).First();
        var f = Milad.Cli.Perturbation.Parse(1e-2, "float16").Apply(DefaultDescriptor.Encode(new Structure(molecule.AtomicNumbers, molecule.Positions)).Values, 0);
        var result = DefaultDecoder.Decode(f, work: 1000);
        output.WriteLine($"{result.Structure?.Formula}: residual {result.Residual:E2}, {result.Work} work units, {result.Reason}");
        Assert.False(result.Decoded);
        Assert.InRange(result.Residual, 1e-4, 1.0);
        Assert.InRange(result.Work, 1000, 1100);
    }

    [Fact]
    public void SecondFingerprintTellsSpeciesTheFirstConfuses()
    {
        // C and N weigh the same in the first weighting: its fingerprint alone cannot tell them apart.
        var settings = Default with
        {
            Weights = new Dictionary<string, double> { ["H"] = 1, ["C"] = 6, ["N"] = 6, ["O"] = 8 },
            SecondWeights = new Dictionary<string, double> { ["H"] = 1, ["C"] = 2, ["N"] = 3, ["O"] = 4 },
        };
        var descriptor = new Descriptor(settings);
        Assert.Equal(2 * descriptor.Invariants.Count, descriptor.Length);
        var molecules = StructureFiles.Read(TestData.File("molecules", "qm9_first100.xyz"))
            .Where(m => m.AtomicNumbers.Contains(7) && m.AtomicNumbers.Contains(6)).Take(4).ToList();
        var decoder = new Decoder(settings);
        foreach (var m in molecules)
        {
            var molecule = new Structure(m.AtomicNumbers, m.Positions);
            var f = descriptor.Encode(molecule).Values;
            // The second half is the fingerprint of the second weighting alone.
            var alone = new Descriptor(Default with { Weights = settings.SecondWeights }).Encode(molecule).Values;
            Assert.Equal(alone, f[descriptor.Invariants.Count..]);
            var result = decoder.Decode(f, TimeSpan.FromSeconds(600));
            output.WriteLine($"{molecule.Formula}: decoded {result.Decoded}, residual {result.Residual:E1}, {result.Seconds:F2} s, {result.Work} work units, {result.Structure?.Formula}");
            Assert.True(result.Decoded, result.Reason);
            var alignment = StructureAlignment.Align(molecule, result.Structure!);
            Assert.True(alignment.SpeciesMatch && alignment.Rmsd < 1e-4, $"{molecule.Formula} -> {result.Structure!.Formula}");
        }
    }

    [Fact]
    public void RandomVectorIsNotDecodableAndStaysWithinBudget()
    {
        var rng = new Random(5);
        var f = Enumerable.Range(0, DefaultDecoder.Length).Select(_ => Geometry.Gaussian(rng)).ToArray();
        f[0] = Math.Abs(f[0]) + 1;
        var clock = Stopwatch.StartNew();
        var result = DefaultDecoder.Decode(f, TimeSpan.FromSeconds(1));
        output.WriteLine($"random vector: {clock.Elapsed.TotalSeconds:F2} s, {result.Work} work units, {result.Reason}");
        Assert.False(result.Decoded);
        Assert.StartsWith("not decodable", result.Reason);
        Assert.True(clock.Elapsed.TotalSeconds < 3, $"{clock.Elapsed.TotalSeconds} s for a 1 s budget");
        // The work budget: spent, and overrun by at most one step's charge; the same count on a second run.
        var limited = DefaultDecoder.Decode(f, TimeSpan.FromSeconds(600), work: 500);
        Assert.False(limited.Decoded);
        Assert.InRange(limited.Work, 500, 600);
        Assert.Equal(limited.Work, DefaultDecoder.Decode(f, TimeSpan.FromSeconds(600), work: 500).Work);
    }

    [Fact]
    public void HugeFingerprintValuesGiveReasonsNotExceptions()
    {
        // Finite but near the end of the double range: squares overflow inside the decoder.
        var molecule = DefaultDescriptor.Encode(new Structure([8, 1, 1], [Vec3.Zero, new Vec3(0.96, 0, 0), new Vec3(-0.24, 0.93, 0)])).Values;
        var length = DefaultDecoder.Length;
        var rng = new Random(7);
        var cases = new Dictionary<string, double[]>
        {
            ["all 1e300"] = Enumerable.Repeat(1e300, length).ToArray(),
            ["water x 1e290"] = molecule.Select(v => v * 1e290).ToArray(),
            ["random +-1e300"] = Enumerable.Range(0, length).Select(_ => (rng.NextDouble() - 0.5) * 2e300).Select((v, i) => i == 0 ? 1e300 : v).ToArray(),
            ["max value"] = Enumerable.Repeat(double.MaxValue, length).ToArray(),
            ["one huge"] = molecule.Select((v, i) => i == 5 ? 1e300 : v).ToArray(),
            // Just below the accepted range: decoded (to nothing) without overflow.
            ["all 1e40"] = Enumerable.Repeat(1e40, length).ToArray(),
            ["one 1e40"] = molecule.Select((v, i) => i == 5 ? 1e40 : v).ToArray(),
            ["water x 1e12"] = molecule.Select(v => v * 1e12).ToArray(),
        };
        foreach (var (name, f) in cases)
        {
            var result = DefaultDecoder.Decode(f, TimeSpan.FromSeconds(20), work: 2000);
            output.WriteLine($"{name}: decoded {result.Decoded}, {result.Work} work units, {result.Seconds:F2} s, {result.Reason}");
            Assert.False(result.Decoded, name);
            Assert.False(string.IsNullOrWhiteSpace(result.Reason), name);
            Assert.True(result.Work <= 2050, $"{name}: {result.Work} work units for a budget of 2000");
            // Every finite fingerprint that is not all zero has a residual: 1 when no atoms came back.
            Assert.InRange(result.Residual, 0, result.Structure is { Count: > 0 } ? double.MaxValue : 1);
        }
    }

    [Fact]
    public void DegenerateFingerprintsGiveReasonsNotExceptions()
    {
        var length = DefaultDecoder.Length;
        var zero = DefaultDecoder.Decode(new double[length], TimeSpan.FromSeconds(1));
        Assert.False(zero.Decoded);
        Assert.Equal(double.PositiveInfinity, zero.Residual); // all zero: no relative residual
        var nan = new double[length];
        nan[3] = double.NaN;
        Assert.False(DefaultDecoder.Decode(nan, TimeSpan.FromSeconds(1)).Decoded);
        // One atom: only l = 0 has content.
        // The work budget decides (a 2 s wall-time limit ended this on a loaded machine).
        var single = DefaultDecoder.Decode(DefaultDescriptor.Encode(new Structure([6], [Vec3.Zero])).Values);
        Assert.True(single.Decoded, single.Reason);
        Assert.Equal(1, single.Structure!.Count);
        Assert.Throws<ArgumentException>(() => DefaultDecoder.Decode(new double[length - 1]));
    }
}
