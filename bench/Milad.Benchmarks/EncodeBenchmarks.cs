using BenchmarkDotNet.Attributes;
using Milad.Fingerprints;
using Milad.IO;
using Milad.Structures;

namespace Milad.Benchmarks;

/// <summary>Encoding throughput: QM9 molecules (molecule mode), Mo and Ni cells (environments, 5 A), one thread.</summary>
[MemoryDiagnoser]
public class EncodeBenchmarks
{
    private Structure[] _molecules = [];
    private Structure[] _mo = [];
    private Structure[] _ni = [];
    private Descriptor _molecule = null!;
    private Descriptor _environments = null!;

    [Params(7, 9, 11)]
    public int NMax { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _molecules = StructureFiles.Read(SharedData.File("molecules", "qm9_first100.xyz")).ToArray();
        _mo = StructureFiles.Read(SharedData.File("mlearn", "Mo_test.xyz")).Take(4).ToArray();
        // Ni cells have about twice the atoms (108) and neighbours of the Mo ones: 2 of them.
        _ni = StructureFiles.Read(SharedData.File("mlearn", "Ni_test.xyz")).Where(s => s.Count > 100).Take(2).ToArray();
        _molecule = new Descriptor(Presets.Get("paper") with { NMax = NMax });
        _environments = new Descriptor(Presets.Get("paper", "environments") with { NMax = NMax });
    }

    [Benchmark(Description = "100 QM9 molecules")]
    public double Molecules()
    {
        double s = 0;
        foreach (var m in _molecules) s += _molecule.Encode(m).Values[0];
        return s;
    }

    [Benchmark(Description = "4 Mo cells, environments")]
    public double Environments() => EncodeCells(_mo, withJacobian: false);

    [Benchmark(Description = "4 Mo cells, environments + Jacobian")]
    public double EnvironmentsWithJacobian() => EncodeCells(_mo, withJacobian: true);

    [Benchmark(Description = "2 Ni cells, environments")]
    public double NiEnvironments() => EncodeCells(_ni, withJacobian: false);

    [Benchmark(Description = "2 Ni cells, environments + Jacobian")]
    public double NiEnvironmentsWithJacobian() => EncodeCells(_ni, withJacobian: true);

    /// <summary>Every environment of the cells; returns a value of the first so the work cannot be skipped.</summary>
    private double EncodeCells(Structure[] cells, bool withJacobian)
    {
        double s = 0;
        foreach (var c in cells) s += _environments.EncodeEnvironments(c, withJacobian)[0].Values[0];
        return s;
    }
}
