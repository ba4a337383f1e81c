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
        var space = new SearchSpace { NMax = false, RadialExponent = false, Invariants = false };
        var reports = new List<TrainingProgress>();
        var (search, fit, options) = SettingsSearch.Run(data, Options with { PairFunctions = 6 }, space, reports.Add);
        // Three cutoffs with and without the pair term, then three more pair cutoffs.
        Assert.True(search.Complete);
        // The progress line ends at its total, which counts only the accumulations that ran (two trials share one in
        // the cutoff stage).
        var last = reports.Last();
        var accumulations = search.Trials.Count(t => t.Stage == "cutoff") / 2 + search.Trials.Count(t => t.Stage != "cutoff");
        Assert.Equal(accumulations, last.Total);
        Assert.Equal(last.Total, last.Done);
        // Energies are compared by their cross-validated MAE, forces by their RMSE.
        Assert.All(search.Trials, t => Assert.True(t.Ridge.EnergyMae > 0 && t.Ridge.EnergyMae <= t.Ridge.EnergyRmse));
        var minE = search.Trials.Min(t => t.Ridge.EnergyMae);
        var minF = search.Trials.Min(t => t.Ridge.ForceRmse);
        var scores = search.Trials.Select(t => t.Ridge.EnergyMae / minE + t.Ridge.ForceRmse / minF).ToArray();
        Assert.Equal(scores.Min(), scores[search.Chosen]);
        // The three cutoffs, and 5.5 A exactly when 5.0 A won among them.
        var first = search.Trials.Take(6).ToArray();
        var bestFirst = first.MinBy(t => t.Ridge.EnergyMae / first.Min(u => u.Ridge.EnergyMae) + t.Ridge.ForceRmse / first.Min(u => u.Ridge.ForceRmse))!;
        var longer = bestFirst.Descriptor.Cutoff == SettingsSearch.Cutoffs[^1];
        Assert.Equal(SettingsSearch.Cutoffs.Concat(longer ? [SettingsSearch.LongerCutoff] : []), search.Trials.Where(t => t.Stage == "cutoff").Select(t => t.Descriptor.Cutoff).Distinct());
        Assert.Equal(2 * SettingsSearch.Cutoffs.Length + (longer ? 2 : 0), search.Trials.Count(t => t.Stage == "cutoff"));
        var chosen = search.Trials[search.Chosen];
        Assert.Equal(chosen.Descriptor, fit.Polynomial.Descriptor.Settings);
        Assert.Equal(chosen.Descriptor, options.Descriptor);
        Assert.Equal(chosen.PairCutoff, options.PairCutoff);
        Assert.Equal(chosen.PairCutoff, fit.Polynomial.Pair?.Basis.Cutoff ?? 0);
        Assert.Equal(chosen.Ridge, fit.Choice);
        Assert.Equal(PotentialTestData.Small.NMax, options.Descriptor.NMax);
        Assert.Equal(PotentialTestData.Small.InvariantSet, options.Descriptor.InvariantSet);
        // The pair stage ran only if a pair term was winning after the cutoff stage.
        var cutoffStage = search.Trials.Where(t => t.Stage == "cutoff").ToArray();
        Assert.Equal(search.Trials.Count(t => t.Stage == "pair"), cutoffStage.MinBy(t =>
            t.Ridge.EnergyMae / cutoffStage.Min(u => u.Ridge.EnergyMae) + t.Ridge.ForceRmse / cutoffStage.Min(u => u.Ridge.ForceRmse))!.PairCutoff > 0
            ? SettingsSearch.PairCutoffs.Length : 0);
        // Last, the quadratic model at the best linear settings; the chosen kind is the model's kind.
        var quadratic = Assert.Single(search.Trials, t => t.Stage == "kind");
        Assert.Equal("quadratic", quadratic.Kind);
        Assert.All(search.Trials.Where(t => t.Stage != "kind"), t => Assert.Equal("linear", t.Kind));
        var linear = search.Trials.SkipLast(1).ToArray();
        var bestLinear = linear.MinBy(t => t.Ridge.EnergyMae / linear.Min(u => u.Ridge.EnergyMae) + t.Ridge.ForceRmse / linear.Min(u => u.Ridge.ForceRmse))!;
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
    public void ProgressCountsOnlyTheAccumulationsThatRun()
    {
        const int frames = 6;
        var reports = new List<TrainingProgress>();
        var space = new SearchSpace { NMax = false, RadialExponent = false, Invariants = false, Kind = false, Pair = false };
        var (search, _, _) = SettingsSearch.Run(PotentialTestData.Mo(frames), Options, space, reports.Add);
        // The last report names the choice; its count is the accumulations that ran (no pair term: one trial each).
        var last = reports.Last();
        Assert.Equal(search.Trials.Length, last.Total);
        Assert.Equal(last.Total, last.Done);
        Assert.Contains(search.Trials[search.Chosen].Describe(), last.Message);
    }

    [Fact]
    public void RadialStageTriesEachExponentAtTheBestSettingsSoFar()
    {
        var data = PotentialTestData.Mo(6);
        var space = new SearchSpace { Cutoff = false, NMax = false, Invariants = false, Kind = false, Pair = false };
        var reports = new List<TrainingProgress>();
        var (search, fit, options) = SettingsSearch.Run(data, Options, space, reports.Add);
        Assert.Equal(new[] { 1.0 }.Concat(SettingsSearch.RadialExponents), search.Trials.Select(t => t.Descriptor.RadialExponent));
        Assert.Equal(["cutoff", "radial", "radial"], search.Trials.Select(t => t.Stage));
        Assert.All(search.Trials, t => Assert.Equal(PotentialTestData.Small with { RadialExponent = t.Descriptor.RadialExponent }, t.Descriptor));
        // The exponents give different fits (the map changes the fingerprint), and the best score is the model.
        Assert.Equal(3, search.Trials.Select(t => t.Ridge.ForceRmse).Distinct().Count());
        var chosen = search.Trials[search.Chosen];
        Assert.Equal(chosen.Descriptor.RadialExponent, fit.Polynomial.Descriptor.Settings.RadialExponent);
        Assert.Equal(chosen.Descriptor, options.Descriptor);
        Assert.Equal(3, reports.Last().Total);
        if (chosen.Descriptor.RadialExponent != 1) Assert.Contains("(r/rc)^", chosen.Describe());
        // Each candidate's ridge point is its best by the search's own measure: energy MAE with force RMSE.
        double Score(RidgeChoice g, RidgeChoice[] grid) => g.EnergyMae / grid.Min(x => x.EnergyMae) + g.ForceRmse / grid.Min(x => x.ForceRmse);
        Assert.Equal(fit.Grid.Min(g => Score(g, fit.Grid)), Score(fit.Choice, fit.Grid));
        // Without the search the RMSE decides, as documented for hand-chosen settings.
        var plain = PotentialTrainer.FitPolynomial(data, Options with { Descriptor = chosen.Descriptor }, null);
        double RmseScore(RidgeChoice g) => g.EnergyRmse / plain.Grid.Min(x => x.EnergyRmse) + g.ForceRmse / plain.Grid.Min(x => x.ForceRmse);
        Assert.Equal(plain.Grid.Min(RmseScore), RmseScore(plain.Choice));
    }

    [Fact]
    public void BudgetStopsTheSearchAfterTheFirstCandidateAndSaysSo()
    {
        var data = PotentialTestData.Mo(6);
        var space = new SearchSpace { NMax = false, RadialExponent = false, Invariants = false, BudgetSeconds = 1e-9 };
        var (search, _, _) = SettingsSearch.Run(data, Options with { PairFunctions = 6 }, space, null);
        Assert.False(search.Complete);
        Assert.Equal(2, search.Trials.Length);   // one accumulation: with and without the pair term
    }

    /// <summary>The kept energy rows give the same held-out squared error as the sums, and the MAE from them.</summary>
    [Fact]
    public void CrossValidatedEnergyMaeComesFromTheHeldOutFramesRows()
    {
        var data = PotentialTestData.Mo(8);
        var sums = PotentialTrainer.Accumulate(data, Options, null);
        var fit = PotentialTrainer.Solve(sums, Options, withPair: true, null);
        var ne = sums.Equations;
        var penalised = Enumerable.Range(0, ne.Size).Select(c => c % sums.Accumulator.BlockSize != 0).ToArray();
        Assert.Equal(data.Frames.Count, ne.EnergyRows.Sum(r => r.Count));
        double sse = 0, sae = 0;
        var n = 0;
        for (var k = 0; k < ne.Folds; k++)
        {
            var c = RidgeFit.Solve(ne, k, -1, fit.Choice.EnergyWeight, 0, fit.Choice.Lambda, penalised)!;
            double foldSse = 0;
            foreach (var (row, target) in ne.EnergyRows[k])
            {
                var r = System.Numerics.Tensors.TensorPrimitives.Dot(row, c) - target;
                foldSse += r * r;
                sae += Math.Abs(r);
                n++;
            }
            var fromSums = RidgeFit.ResidualSquares(ne.Parts[0, k], c);
            // The sums lose digits to cancellation (|t|^2 of ~100 (eV/atom)^2 against residuals of ~1e-5): bounded by it.
            Assert.True(Math.Abs(foldSse - fromSums) <= 1e-12 * ne.Parts[0, k].TargetNorm + 1e-3 * fromSums, $"fold {k}: rows {foldSse:E6}, sums {fromSums:E6}");
            sse += foldSse;
        }
        Assert.True(Math.Abs(fit.Choice.EnergyRmse - Math.Sqrt(sse / n)) <= 1e-3 * fit.Choice.EnergyRmse);
        Assert.Equal(fit.Choice.EnergyMae, sae / n, 12);
        Assert.True(fit.Choice.EnergyMae < fit.Choice.EnergyRmse);
    }
}
