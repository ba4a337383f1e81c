using System.Diagnostics;
using System.Globalization;
using Milad.Fingerprints;

namespace Milad.Potentials;

/// <summary>Which settings <see cref="SettingsSearch"/> chooses (the others stay as the options give them) and its time limit.</summary>
public sealed record SearchSpace
{
    /// <summary>Choose the descriptor's cutoff.</summary>
    public bool Cutoff { get; init; } = true;

    /// <summary>Choose n_max.</summary>
    public bool NMax { get; init; } = true;

    /// <summary>Choose the radial map's exponent (<see cref="DescriptorSettings.RadialExponent"/>).</summary>
    public bool RadialExponent { get; init; } = true;

    /// <summary>Choose the invariant set.</summary>
    public bool Invariants { get; init; } = true;

    /// <summary>Choose whether there is a pair term and its cutoff.</summary>
    public bool Pair { get; init; } = true;

    /// <summary>Choose the model kind: linear, or quadratic terms on top (tried last, at the best linear settings).</summary>
    public bool Kind { get; init; } = true;

    /// <summary>
    /// Seconds of work after which no further candidate is started: a safety stop. Work is the process's CPU time divided
    /// by the worker threads, so the default is a 15-minute fit on an idle machine whatever the thread count, and the
    /// stop does not move with the load of other processes (wall time would). The candidates are a fixed list tried in
    /// a fixed order, so the model depends on the machine only when this stop fires (the report says so).
    /// </summary>
    public double BudgetSeconds { get; init; } = 900;

    /// <summary>Whether anything is left to choose.</summary>
    public bool Any => Cutoff || NMax || RadialExponent || Invariants || Pair || Kind;
}

/// <summary>One candidate the search fitted, with the cross-validated errors of its chosen ridge point.</summary>
/// <param name="Stage">"cutoff", "pair", "nmax", "radial", "invariants" or "kind": the setting the candidate varies.</param>
/// <param name="Kind">Its model kind: "linear" or "quadratic".</param>
/// <param name="Descriptor">Its descriptor.</param>
/// <param name="PairCutoff">Its pair cutoff (0: none).</param>
/// <param name="Ridge">The ridge point its own cross-validation chose, with its errors.</param>
/// <param name="Seconds">Wall time of its accumulation and fit (two candidates that share one accumulation share it).</param>
/// <param name="WorkSeconds">The same in work: CPU seconds over the worker threads (<see cref="SearchSpace.BudgetSeconds"/>).</param>
public sealed record SearchTrial(string Stage, string Kind, DescriptorSettings Descriptor, double PairCutoff, RidgeChoice Ridge, double Seconds, double WorkSeconds)
{
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Kind} {Descriptor.InvariantSet} n_max {Descriptor.NMax} {Descriptor.Cutoff:0.0##} A{(Descriptor.RadialExponent != 1 ? $" (r/rc)^{Descriptor.RadialExponent:0.0##}" : "")}, {(PairCutoff > 0 ? $"pair {PairCutoff:0.0##} A" : "no pair")}");
}

/// <summary>The search behind a model's settings.</summary>
/// <param name="Trials">Every candidate, in the order fitted.</param>
/// <param name="Chosen">Index of the chosen candidate in <paramref name="Trials"/>.</param>
/// <param name="Complete">False when the time limit stopped the search before the end of its list.</param>
/// <param name="Seconds">Wall time of the search.</param>
/// <param name="WorkSeconds">Its work: CPU seconds over the worker threads, what the budget counts.</param>
public sealed record SearchResult(SearchTrial[] Trials, int Chosen, bool Complete, double Seconds, double WorkSeconds);

/// <summary>
/// Chooses the descriptor (cutoff, n_max, invariant set) and the pair term by cross-validation on the training
/// frames alone, as coordinate descent over a fixed list of candidates; the energy weight and ridge strength are
/// chosen inside every candidate's ridge fit (<see cref="RidgeFit"/>). Stages, each starting from the best so far:
/// <list type="number">
/// <item>cutoff 4.0, 4.5, 5.0 A (n_max 11, scalar), each with a pair term to 6 A and without it (one accumulation
/// gives both: the pair columns are dropped from the sums), and 5.5 A when 5.0 A wins;</item>
/// <item>the pair cutoff: 5.0, 5.5, 6.5 A (when the best has a pair term);</item>
/// <item>the radial map's exponents 0.75 and 0.5 (neighbour shells moved outwards, where the solid harmonics of high l
/// are large); then n_max 13; then the compact invariant set;</item>
/// <item>the quadratic model (<see cref="TrainingOptions.QuadraticComponents"/> principal components) at the best
/// settings so far, when the kind is not given.</item>
/// </list>
/// A candidate's score is its chosen point's cross-validated errors, E / min E + F / min F over all candidates (E the
/// energy MAE, F the force RMSE; see <see cref="Score"/>); the best candidate's fit is the model, nothing is refitted.
/// Why this list: measured on the Zuo et al. sets, the resolution of the Zernike radial basis is the limit
/// (cutoffs 4-5 A at n_max 11-13 were best) and a pair term adds the radial shells beyond the cutoff.
/// </summary>
public static class SettingsSearch
{
    /// <summary>Cutoffs tried first (A).</summary>
    public static readonly double[] Cutoffs = [4.0, 4.5, 5.0];

    /// <summary>Tried after <see cref="Cutoffs"/> when their longest wins (A).</summary>
    public const double LongerCutoff = 5.5;

    /// <summary>The pair cutoff of the first stage and the others tried next (A).</summary>
    public const double FirstPairCutoff = 6.0;

    public static readonly double[] PairCutoffs = [5.0, 5.5, 6.5];

    /// <summary>n_max tried after the cutoff and pair stages.</summary>
    public const int LargerNMax = 13;

    /// <summary>Radial exponents tried after the pair stage, before n_max (<see cref="DescriptorSettings.RadialExponent"/>): at n_max 11 they
    /// cost less, and n_max 13 is then tried with the exponent chosen (on Mo, n_max 11 at 0.75 cross-validates as well as 13 at 1).</summary>
    public static readonly double[] RadialExponents = [0.75, 0.5];

    internal static (SearchResult Search, PotentialTrainer.PolynomialFit Fit, TrainingOptions Options) Run(
        TrainingSet data, TrainingOptions options, SearchSpace space, Action<TrainingProgress>? progress)
    {
        var clock = Stopwatch.StartNew();
        var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime.TotalSeconds;
        var workers = Math.Max(1, Math.Min(options.Threads, Environment.ProcessorCount));
        double Work()
        {
            process.Refresh();
            return (process.TotalProcessorTime.TotalSeconds - cpu0) / workers;
        }
        var trials = new List<SearchTrial>();
        var fits = new List<PotentialTrainer.PolynomialFit>();
        var settings = new List<TrainingOptions>();
        var complete = true;
        // The fits are of the closed-form model; a network is trained afterwards on the chosen baseline.
        var kind = options.Kind == "neural" ? "linear" : options.Kind;

        // Candidate lists are fixed up front per stage; the number of accumulations for the progress line.
        var planned = (space.Cutoff ? Cutoffs.Length + 1 : 1) + (space.Pair ? PairCutoffs.Length : 0)
            + (space.NMax ? 1 : 0) + (space.RadialExponent ? RadialExponents.Length : 0) + (space.Invariants ? 1 : 0) + (space.Kind ? 1 : 0);
        var done = 0;

        int Best()
        {
            var minE = trials.Min(t => t.Ridge.EnergyMae);
            var minF = trials.Min(t => t.Ridge.ForceRmse);
            var best = 0;
            for (var i = 1; i < trials.Count; i++)
                if (Score(trials[i], minE, minF) < Score(trials[best], minE, minF)) best = i;
            return best;
        }

        // One accumulation: the candidate, and without its pair term too when the pair term is being chosen.
        bool Try(string stage, DescriptorSettings descriptor, double pairCutoff, bool alsoWithoutPair = true, string? trialKind = null)
        {
            if (trials.Count > 0 && Work() >= space.BudgetSeconds) { complete = false; return false; }
            var o = options with { Kind = trialKind ?? kind, Descriptor = descriptor, PairCutoff = pairCutoff, EnergyByMae = true };
            var start = clock.Elapsed.TotalSeconds;
            var work = Work();
            done++;
            void Report(TrainingProgress p) => progress?.Invoke(p with { Stage = $"search {done}/{planned} {p.Stage}" });
            var sums = PotentialTrainer.Accumulate(data, o, Report);
            var variants = pairCutoff > 0 && space.Pair && alsoWithoutPair ? new[] { true, false } : [true];
            foreach (var withPair in variants)
            {
                var fit = PotentialTrainer.Solve(sums, o, withPair, Report);
                var trial = new SearchTrial(stage, o.Kind, descriptor, withPair ? pairCutoff : 0, fit.Choice, clock.Elapsed.TotalSeconds - start, Work() - work);
                trials.Add(trial);
                fits.Add(fit);
                settings.Add(o with { PairCutoff = trial.PairCutoff });
                progress?.Invoke(new TrainingProgress($"search {done}/{planned}", done, planned, Message: string.Create(CultureInfo.InvariantCulture,
                    $"{trial.Describe()}: CV energy MAE {1000 * fit.Choice.EnergyMae:F2} meV/atom, force RMSE {fit.Choice.ForceRmse:F4} eV/A; best {trials[Best()].Describe()}")));
            }
            return true;
        }

        var d0 = options.Descriptor;
        var pair0 = space.Pair ? FirstPairCutoff : options.PairCutoff;
        DescriptorSettings First(double cutoff) => d0 with { Cutoff = cutoff, NMax = space.NMax ? 11 : d0.NMax, InvariantSet = space.Invariants ? "scalar" : d0.InvariantSet };
        foreach (var cutoff in space.Cutoff ? Cutoffs : [d0.Cutoff])
            if (!Try("cutoff", First(cutoff), pair0))
                break;
        // The list's longest cutoff winning says the best may lie beyond it: one step further.
        if (complete && space.Cutoff && trials[Best()].Descriptor.Cutoff == Cutoffs[^1])
            Try("cutoff", First(LongerCutoff), pair0);
        else if (space.Cutoff)
            planned--; // the step beyond the list was not needed: the progress line counts only what runs
        if (complete && space.Pair && trials[Best()].PairCutoff > 0)
        {
            var d = trials[Best()].Descriptor;
            foreach (var pc in PairCutoffs)
                if (!Try("pair", d, pc, alsoWithoutPair: false)) break;
        }
        else if (complete && space.Pair)
            planned -= PairCutoffs.Length;
        if (complete && space.RadialExponent)
        {
            var b = trials[Best()];
            foreach (var exponent in RadialExponents)
                if (!Try("radial", b.Descriptor with { RadialExponent = exponent }, b.PairCutoff)) break;
        }
        if (complete && space.NMax)
        {
            var b = trials[Best()];
            Try("nmax", b.Descriptor with { NMax = LargerNMax }, b.PairCutoff);
        }
        if (complete && space.Invariants)
        {
            var b = trials[Best()];
            Try("invariants", b.Descriptor with { InvariantSet = "compact" }, b.PairCutoff);
        }
        if (complete && space.Kind && options.Kind == "linear")
        {
            var b = trials[Best()];
            Try("kind", b.Descriptor, b.PairCutoff, alsoWithoutPair: false, trialKind: "quadratic");
        }
        var chosen = Best();
        progress?.Invoke(new TrainingProgress($"search {done}/{done}", done, done, Message: $"chose {trials[chosen].Describe()}"));
        var result = new SearchResult(trials.ToArray(), chosen, complete, clock.Elapsed.TotalSeconds, Work());
        // A network (given by the user) is trained on the chosen linear baseline.
        return (result, fits[chosen], options.Kind == "neural" ? settings[chosen] with { Kind = "neural" } : settings[chosen]);
    }

    /// <summary>
    /// Energies are compared by their cross-validated MAE (the figure the benchmarks report). Why not the RMSE: a few
    /// training frames that no candidate fits (strained cells, surfaces) carry most of a squared error, so on Mo the RMSE
    /// of every 4 A candidate lies within 3.45-3.68 meV/atom while their MAE tells them apart (1.78-1.98).
    /// </summary>
    private static double Score(SearchTrial t, double minE, double minF) =>
        t.Ridge.EnergyMae / Math.Max(minE, 1e-300) + t.Ridge.ForceRmse / Math.Max(minF, 1e-300);
}
