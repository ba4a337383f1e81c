using BenchmarkDotNet.Attributes;
using Milad.IO;
using Milad.Potentials;
using Milad.Structures;

namespace Milad.Benchmarks;

/// <summary>
/// Prediction with a potential: energy alone (the baseline, so BenchmarkDotNet reports the ratio) against
/// energy + forces + stress, the same linear model on the same 4 Mo cells, library threading as in use.
/// </summary>
[MemoryDiagnoser]
public class PredictBenchmarks
{
    private Structure[] _frames = [];
    private Potential _potential = null!;

    [GlobalSetup]
    public void Setup()
    {
        // As milad bench: a linear model with the trainer's default descriptor on every 24th Mo_train frame.
        var train = StructureFiles.Read(SharedData.File("mlearn", "Mo_train.xyz")).Where((_, i) => i % 24 == 0).ToList();
        _potential = PotentialTrainer.Train(new TrainingSet("Mo_train", train), new TrainingOptions { Kind = "linear", Folds = 2 }).Potential;
        _frames = StructureFiles.Read(SharedData.File("mlearn", "Mo_test.xyz")).Take(4).ToArray();
    }

    [Benchmark(Baseline = true, Description = "4 Mo cells, energy")]
    public double Energy()
    {
        double s = 0;
        foreach (var f in _frames) s += _potential.PredictEnergy(f);
        return s;
    }

    [Benchmark(Description = "4 Mo cells, energy + forces + stress")]
    public double EnergyAndForces()
    {
        double s = 0;
        foreach (var f in _frames) s += _potential.Predict(f).Energy;
        return s;
    }
}
