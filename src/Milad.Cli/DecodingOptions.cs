using System.CommandLine;
using System.Globalization;

namespace Milad.Cli;

/// <summary>
/// The options `milad decode` and `milad roundtrip` share: work budget and wall-time safety limit per molecule,
/// worker threads, seed, and the residual accepted as decoded.
/// </summary>
internal sealed record DecodingOptions(double BudgetSeconds, int Threads, int Seed, long Work = Milad.Decoding.Decoder.DefaultWork,
    double Tolerance = Milad.Decoding.Decoder.SuccessResidual)
{
    /// <summary>
    /// The wall-time safety limit: far above what the work budget takes on a loaded machine, so that it never decides
    /// a result (a result it decides says so, and may depend on the load).
    /// </summary>
    public const double DefaultBudgetSeconds = 600;

    public TimeSpan Budget => TimeSpan.FromSeconds(BudgetSeconds);

    /// <summary>Throws a one-line <see cref="InputException"/> for an option out of range.</summary>
    public void Validate()
    {
        if (!(BudgetSeconds > 0) || !double.IsFinite(BudgetSeconds) || BudgetSeconds > 1e6)
            throw new InputException(string.Create(CultureInfo.InvariantCulture, $"--budget must be a positive number of seconds, got {BudgetSeconds}"));
        if (Work < 1) throw new InputException($"--work must be at least 1, got {Work}");
        if (!Milad.Decoding.Decoder.IsTolerance(Tolerance))
            throw new InputException(string.Create(CultureInfo.InvariantCulture, $"--tolerance must be a relative residual above 0 and at most {Milad.Decoding.Decoder.MaxTolerance}, got {Tolerance}"));
        if (Threads is < 1 or > Potentials.TrainingOptions.MaxThreads)
            throw new InputException($"--threads must be from 1 to {Potentials.TrainingOptions.MaxThreads}, got {Threads}");
    }

    /// <summary>The five options, added to <paramref name="command"/>; <see cref="Read"/> gets their values.</summary>
    public sealed class Set
    {
        private readonly Option<double> _budget = new("--budget")
        {
            DefaultValueFactory = _ => DefaultBudgetSeconds,
            Description = "Wall-time safety limit per molecule in seconds; the work budget (--work) decides results, so the same input gives the same output on any machine load and thread count unless this limit is reached (the reason then says so).",
        };

        private readonly Option<long> _work = new("--work")
        {
            DefaultValueFactory = _ => Milad.Decoding.Decoder.DefaultWork,
            Description = "Work budget per molecule in units (one evaluation of a least-squares step, one linear solve or pencil); a molecule not decoded within it is reported as not decoded.",
        };

        private readonly Option<double> _tolerance = new("--tolerance")
        {
            DefaultValueFactory = _ => Milad.Decoding.Decoder.SuccessResidual,
            Description = "Relative residual |I(atoms) - I| / |I| accepted as decoded (decoded=T), which ends the search (default 1e-6: an exact fingerprint re-encodes to ~1e-13). For a fingerprint with noise or rounding of relative size s (float16: s = 5e-4), about 2 s; otherwise the whole work budget is spent looking for a closer structure.",
        };

        private readonly Option<int> _threads = new("--threads")
        {
            DefaultValueFactory = _ => Environment.ProcessorCount,
            Description = "Molecules decoded in parallel (default: all cores).",
        };

        private readonly Option<int> _seed = new("--seed")
        {
            DefaultValueFactory = _ => 1,
            Description = "Seed of the decoder's random restarts; every molecule uses it, so results do not depend on order or threads.",
        };

        public Set(Command command)
        {
            command.Options.Add(_work);
            command.Options.Add(_budget);
            command.Options.Add(_tolerance);
            command.Options.Add(_threads);
            command.Options.Add(_seed);
        }

        public DecodingOptions Read(ParseResult p)
        {
            var options = new DecodingOptions(p.GetValue(_budget), p.GetValue(_threads), p.GetValue(_seed), p.GetValue(_work), p.GetValue(_tolerance));
            options.Validate();
            return options;
        }
    }
}
