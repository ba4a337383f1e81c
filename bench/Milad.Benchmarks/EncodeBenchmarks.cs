using BenchmarkDotNet.Attributes;
using Milad.Fingerprints;
using Milad.IO;
using Milad.Structures;

namespace Milad.Benchmarks;

/// <summary>Encoding throughput: QM9 molecules (molecule mode) and Mo cells (environments, 5 A), one thread.</summary>
[MemoryDiagnoser]
public class EncodeBenchmarks
{
    private Structure[] _molecules = [];
    private Structure[] _mo = [];
    private Descriptor _molecule = null!;
    private Descriptor _environments = null!;

    [Params(7, 9, 11)]
    public int NMax { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _molecules = StructureFiles.Read(SharedData.File("molecules", "qm9_first100.xyz")).ToArray();
        _mo = StructureFiles.Read(SharedData.File("mlearn", "Mo_test.xyz")).Take(4).ToArray();
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
    public double Environments()
    {
        double s = 0;
        foreach (var c in _mo) s += _environments.EncodeEnvironments(c)[0].Values[0];
        return s;
    }

    [Benchmark(Description = "4 Mo cells, environments + Jacobian")]
    public double EnvironmentsWithJacobian()
    {
        double s = 0;
        foreach (var c in _mo) s += _environments.EncodeEnvironments(c, withJacobian: true)[0].Values[0];
        return s;
    }
}
