using Milad.Fingerprints;
using Milad.Potentials;
using Milad.Structures;

namespace Milad.Tests.Potentials;

/// <summary>
/// Site energies of local environments handed over as displacements (what an MD engine with its own neighbour
/// list asks for, milad_potential_sites) against the structure's prediction.
/// </summary>
public class SiteEnergyTests
{
    private static Potential ModelWithPair()
    {
        var train = PotentialTestData.Mo(4);
        var descriptor = new Descriptor(PotentialTestData.Small);
        var values = train.Frames.SelectMany(s => descriptor.EncodeEnvironments(s)).SelectMany(f => f.Values).ToArray();
        var map = FeatureMap.Fit(values, values.Length / descriptor.Length, descriptor.Length, 0);
        var random = new Random(5);
        var linear = Enumerable.Range(0, descriptor.Length).Select(_ => 0.01 * (2 * random.NextDouble() - 1)).ToArray();
        var basis = new PairBasis(5.5, 5, 2, [42]);
        var y = train.Frames.SelectMany(s => basis.Features(s)).ToArray();
        var pairMap = FeatureMap.Fit(y, y.Length / basis.Length, basis.Length, 0);
        var u = Enumerable.Range(0, basis.Length).Select(_ => 0.02 * (2 * random.NextDouble() - 1)).ToArray();
        return new PolynomialPotential(descriptor, [42], [new PolynomialPotential.SpeciesModel(-10.5, map, linear, [])])
        {
            Pair = new PairTerm(basis, [pairMap], [u]),
        };
    }

    [Fact]
    public void SitesInTheNeighbourListsOrderGiveTheStructuresAtomEnergiesForcesAndVirial()
    {
        var potential = ModelWithPair();
        var s = PotentialTestData.Mo(9).Frames.Last();
        var prediction = potential.Predict(s);
        // Neighbours out to 1 A past the influence distance: the library must ignore those beyond each cutoff.
        var list = NeighbourList.Build(s, potential.InfluenceDistance + 1);
        var counts = new long[s.Count];
        var numbers = new List<int>();
        var d = new List<double>();
        for (var i = 0; i < s.Count; i++)
        {
            counts[i] = list.Of(i).Length;
            foreach (var nb in list.Of(i))
            {
                numbers.Add(s.AtomicNumbers[nb.Index]);
                d.AddRange([nb.Displacement.X, nb.Displacement.Y, nb.Displacement.Z]);
            }
        }
        var energies = new double[s.Count];
        var g = new double[d.Count];
        potential.SiteEnergies(s.AtomicNumbers, counts, numbers.ToArray(), d.ToArray(), energies, g);
        // The descriptor's list is this one cut at its cutoff, in the same order: the same bits per atom.
        Assert.Equal(prediction.AtomEnergies, energies);
        Assert.Equal(prediction.Energy, energies.Sum(), 1e-10 * Math.Abs(prediction.Energy));
        var forces = new Vec3[s.Count];
        var virial = new double[9];
        var k = 0;
        var ignored = 0;
        for (var i = 0; i < s.Count; i++)
            foreach (var nb in list.Of(i))
            {
                var grad = new Vec3(g[3 * k], g[3 * k + 1], g[3 * k + 2]);
                if (nb.Displacement.Norm >= potential.InfluenceDistance) { Assert.Equal(Vec3.Zero, grad); ignored++; }
                forces[nb.Index] -= grad;
                forces[i] += grad;
                for (var a = 0; a < 3; a++)
                    for (var b = 0; b < 3; b++) virial[3 * a + b] += nb.Displacement[a] * grad[b];
                k++;
            }
        Assert.True(ignored > 0);
        var scale = prediction.Forces.Max(f => f.Norm);
        for (var i = 0; i < s.Count; i++) Assert.True((forces[i] - prediction.Forces[i]).Norm < 1e-12 * scale, $"atom {i}");
        for (var a = 0; a < 9; a++) Assert.Equal(prediction.Virial[a], virial[a], 1e-10 * prediction.Virial.Max(Math.Abs));
    }

    [Fact]
    public void SitesRefuseUnknownSpeciesAndNonFiniteDisplacements()
    {
        var potential = ModelWithPair();
        var e = Assert.Throws<InputException>(() => potential.SiteEnergies([74], [1], [42], [2.7, 0, 0], new double[1], new double[3]));
        Assert.Contains("site 0 is W", e.Message);
        e = Assert.Throws<InputException>(() => potential.SiteEnergies([42], [1], [42], [double.NaN, 0, 0], new double[1], new double[3]));
        Assert.Contains("not a finite number", e.Message);
        e = Assert.Throws<InputException>(() => potential.SiteEnergies([42], [1], [42], [9, 0, 0], new double[1], new double[3]));
        Assert.Contains("no neighbours within the cutoff", e.Message);
    }
}
