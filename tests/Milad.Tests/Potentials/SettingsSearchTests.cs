using Milad.Potentials;

namespace Milad.Tests.Potentials;

/// <summary>The settings search: its column restriction, its choice, its safety stop.</summary>
public class SettingsSearchTests
{
    private static readonly TrainingOptions Options = new() { Descriptor = PotentialTestData.Small, Folds = 3, Threads = 1 };

    [Fact]
    public void FitWithoutPairColumnsEqualsFitAccumulatedWithoutPairTerm()
    {
        var data = PotentialTestData.Mo(8);
        var withPair = Options with { PairCutoff = 5.5, PairFunctions = 6 };
        var sums = PotentialTrainer.Accumulate(data, withPair, null);
        var dropped = PotentialTrainer.Solve(sums, withPair, withPair: false, null);
        var direct = PotentialTrainer.FitPolynomial(data, Options, null);
        Assert.Null(dropped.Polynomial.Pair);
        Assert.Equal(direct.Choice.EnergyWeight, dropped.Choice.EnergyWeight);
        Assert.Equal(direct.Choice.Lambda, dropped.Choice.Lambda);
        var worst = 0.0;
        foreach (var frame in data.Frames)
        {
            var a = direct.Polynomial.PredictEnergy(frame);
            var b = dropped.Polynomial.PredictEnergy(frame);
            worst = Math.Max(worst, Math.Abs(a - b) / frame.Count);
        }
        Console.WriteLine($"largest energy difference without pair columns: {worst:E2} eV/atom");
        Assert.True(worst < 1e-9, $"{worst}");
        // The pair term itself changes the model: the check above could not pass by accident.
        var paired = PotentialTrainer.Solve(sums, withPair, withPair: true, null);
        Assert.NotNull(paired.Polynomial.Pair);
        Assert.True(Math.Abs(paired.Polynomial.PredictEnergy(data.Frames[0]) - direct.Polynomial.PredictEnergy(data.Frames[0])) / data.Frames[0].Count > 1e-6);
    }

    [Fact]
    public void SearchChoosesTheCandidateWithTheBestCrossValidatedScoreAndFitsIt()
    {
        var data = PotentialTestData.Mo(8);
        var space = new SearchSpace { NMax = false, Invariants = false };
        var (search, fit, options) = SettingsSearch.Run(data, Options with { PairFunctions = 6 }, space, null);
        // Three cutoffs with and without the pair term, then three more pair cutoffs.
        Assert.True(search.Complete);
        var minE = search.Trials.Min(t => t.Ridge.EnergyRmse);
        var minF = search.Trials.Min(t => t.Ridge.ForceRmse);
        var scores = search.Trials.Select(t => t.Ridge.EnergyRmse / minE + t.Ridge.ForceRmse / minF).ToArray();
        Assert.Equal(scores.Min(), scores[search.Chosen]);
        Assert.Equal(SettingsSearch.Cutoffs.Select(c => c), search.Trials.Where(t => t.Stage == "cutoff").Select(t => t.Descriptor.Cutoff).Distinct());
        Assert.Equal(2 * SettingsSearch.Cutoffs.Length, search.Trials.Count(t => t.Stage == "cutoff"));
        var chosen = search.Trials[search.Chosen];
        Assert.Equal(chosen.Descriptor, fit.Polynomial.Descriptor.Settings);
        Assert.Equal(chosen.Descriptor, options.Descriptor);
        Assert.Equal(chosen.PairCutoff, options.PairCutoff);
        Assert.Equal(chosen.PairCutoff, fit.Polynomial.Pair?.Basis.Cutoff ?? 0);
        Assert.Equal(chosen.Ridge, fit.Choice);
        Assert.Equal(PotentialTestData.Small.NMax, options.Descriptor.NMax);
        Assert.Equal(PotentialTestData.Small.InvariantSet, options.Descriptor.InvariantSet);
        // The pair stage ran only if a pair term was winning after the cutoff stage.
        Assert.Equal(search.Trials.Count(t => t.Stage == "pair"), search.Trials.Take(6).Select((t, i) => (t, i)).MinBy(x =>
            x.t.Ridge.EnergyRmse / search.Trials.Take(6).Min(u => u.Ridge.EnergyRmse) + x.t.Ridge.ForceRmse / search.Trials.Take(6).Min(u => u.Ridge.ForceRmse)).t.PairCutoff > 0
            ? SettingsSearch.PairCutoffs.Length : 0);
        // Last, the quadratic model at the best linear settings; the chosen kind is the model's kind.
        var quadratic = Assert.Single(search.Trials, t => t.Stage == "kind");
        Assert.Equal("quadratic", quadratic.Kind);
        Assert.All(search.Trials.Where(t => t.Stage != "kind"), t => Assert.Equal("linear", t.Kind));
        var linear = search.Trials.SkipLast(1).ToArray();
        var bestLinear = linear.MinBy(t => t.Ridge.EnergyRmse / linear.Min(u => u.Ridge.EnergyRmse) + t.Ridge.ForceRmse / linear.Min(u => u.Ridge.ForceRmse))!;
        Assert.Equal(bestLinear.Descriptor, quadratic.Descriptor);
        Assert.Equal(bestLinear.PairCutoff, quadratic.PairCutoff);
        Assert.Equal(chosen.Kind, options.Kind);
        Assert.Equal(chosen.Kind, fit.Polynomial.Kind);
    }

    [Fact]
    public void GivenKindIsNotSearched()
    {
        var data = PotentialTestData.Mo(6);
        var space = new SearchSpace { NMax = false, Invariants = false, Cutoff = false, Kind = false };
        var (search, fit, options) = SettingsSearch.Run(data, Options with { PairFunctions = 6 }, space, null);
        Assert.DoesNotContain(search.Trials, t => t.Kind != "linear");
        Assert.Equal("linear", options.Kind);
        Assert.Equal("linear", fit.Polynomial.Kind);
        // A network given by the user: its baseline's settings are searched, the kind stays.
        var (neuralSearch, _, neuralOptions) = SettingsSearch.Run(data, Options with { PairFunctions = 6, Kind = "neural" },
            new SearchSpace { NMax = false, Invariants = false, Cutoff = false }, null);
        Assert.DoesNotContain(neuralSearch.Trials, t => t.Kind != "linear");
        Assert.Equal("neural", neuralOptions.Kind);
    }

    [Fact]
    public void BudgetStopsTheSearchAfterTheFirstCandidateAndSaysSo()
    {
        var data = PotentialTestData.Mo(6);
        var space = new SearchSpace { NMax = false, Invariants = false, BudgetSeconds = 1e-9 };
        var (search, _, _) = SettingsSearch.Run(data, Options with { PairFunctions = 6 }, space, null);
        Assert.False(search.Complete);
        Assert.Equal(2, search.Trials.Length);   // one accumulation: with and without the pair term
    }
}
