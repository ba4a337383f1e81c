using BenchmarkDotNet.Attributes;
using Milad.Fingerprints;
using Milad.IO;
using Milad.Potentials;
using Milad.Structures;

namespace Milad.Benchmarks;

/// <summary>
/// The work examples/python/benchmark.py times through libmilad.so, here in-process, single thread: what the Python
/// boundary costs is the difference (docs/python.md). The model file is $MILAD_MODEL (the one the Python script used).
/// </summary>
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class BoundaryBenchmarks
{
    private Descriptor _descriptor = null!;
    private Structure _molecule = null!;
    private Structure[] _molecules = [];
    private double[] _rows = [];
    private Potential _potential = null!;
    private Structure _cell = null!;

    [GlobalSetup]
    public void Setup()
    {
        _descriptor = new Descriptor(Presets.Get("paper")) { MaxThreads = 1 };
        _molecule = StructureFiles.Read(SharedData.File("molecules", "qm9_first100.xyz")).ElementAt(50);
        _molecules = StructureFiles.Read(SharedData.File("molecules", "qm7_even.xyz")).Take(1000).ToArray();
        _rows = new double[_molecules.Length * _descriptor.Length];
        var model = Environment.GetEnvironmentVariable("MILAD_MODEL") ?? throw new InvalidOperationException("set MILAD_MODEL to a model file");
        _potential = PotentialFile.Read(model);
        _potential.Descriptor.MaxThreads = 1;
        _cell = MoCell();
    }

    /// <summary>bcc Mo, a = 3.16 A, 4 x 4 x 4 cubic cells (128 atoms), atom i moved by 0.05 (sin 1.3i, cos 0.7i, sin(2.1i + 0.5)) A, as benchmark.py.</summary>
    internal static Structure MoCell()
    {
        const double a = 3.16;
        var positions = new List<Vec3>();
        for (var i = 0; i < 4; i++)
            for (var j = 0; j < 4; j++)
                for (var k = 0; k < 4; k++)
                    foreach (var b in new[] { 0.0, 0.5 })
                    {
                        var n = positions.Count;
                        var shift = 0.05 * new Vec3(Math.Sin(1.3 * n), Math.Cos(0.7 * n), Math.Sin(2.1 * n + 0.5));
                        positions.Add(a * new Vec3(i + b, j + b, k + b) + shift);
                    }
        return new Structure(Enumerable.Repeat(42, positions.Count).ToArray(), positions,
            new Cell(new Vec3(4 * a, 0, 0), new Vec3(0, 4 * a, 0), new Vec3(0, 0, 4 * a)));
    }

    [Benchmark(Description = "one QM9 molecule, paper preset")]
    public double OneMolecule()
    {
        _descriptor.Encode(_molecule, _rows.AsSpan(0, _descriptor.Length));
        return _rows[0];
    }

    [Benchmark(Description = "1,000 QM7 molecules, one Encode each (the path of milad fingerprint and libmilad)")]
    public double ThousandMolecules()
    {
        var length = _descriptor.Length;
        for (var m = 0; m < _molecules.Length; m++) _descriptor.Encode(_molecules[m], _rows.AsSpan(m * length, length));
        return _rows[0];
    }

    [Benchmark(Description = "1,000 QM7 molecules, four per pass (Encode of a list)")]
    public double ThousandMoleculesFourLanes()
    {
        _descriptor.Encode(_molecules, _rows);
        return _rows[0];
    }

    [Benchmark(Description = "128-atom Mo cell, energy + forces + stress")]
    public double MoCellEnergyAndForces() => _potential.Predict(_cell).Energy;
}
