using BenchmarkDotNet.Attributes;
using Milad.Fingerprints;
using Milad.IO;
using Decoder = Milad.Decoding.Decoder;

namespace Milad.Benchmarks;

/// <summary>
/// Decoding with the default preset: the 12 generic QM9 molecules (8-17 atoms) of milad bench's decode
/// (BenchSuite.DecodeMolecules), which take the decoder's direct route rather than its slow symmetric search.
/// </summary>
[MemoryDiagnoser]
public class DecodeBenchmarks
{
    private static readonly int[] Molecules = [18, 21, 29, 30, 31, 35, 37, 39, 78, 79, 96, 98];
    private double[][] _fingerprints = [];
    private Decoder _decoder = null!;

    [GlobalSetup]
    public void Setup()
    {
        var all = StructureFiles.Read(SharedData.File("molecules", "qm9_first100.xyz")).ToArray();
        var settings = Presets.Get("default");
        var encoder = new Descriptor(settings);
        _fingerprints = Molecules.Select(i => encoder.Encode(all[i]).Values).ToArray();
        _decoder = new Decoder(settings);
    }

    [Benchmark(Description = "12 QM9 molecules, default preset")]
    public int Decode()
    {
        var decoded = 0;
        foreach (var f in _fingerprints) decoded += _decoder.Decode(f).Decoded ? 1 : 0;
        return decoded;
    }
}
