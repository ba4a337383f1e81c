using System.CommandLine;
using System.Globalization;

namespace Milad.Cli;

/// <summary>
/// The options `milad decode` and `milad roundtrip` share: time budget per molecule, worker threads, seed.
/// </summary>
internal sealed record DecodingOptions(double BudgetSeconds, int Threads, int Seed)
{
    /// <summary>The decoder's own default budget; enough for every QM9 molecule that decodes at all.</summary>
    public const double DefaultBudgetSeconds = 10;

    public TimeSpan Budget => TimeSpan.FromSeconds(BudgetSeconds);

    /// <summary>Throws a one-line <see cref="InputException"/> for an option out of range.</summary>
    public void Validate()
    {
        if (!(BudgetSeconds > 0) || !double.IsFinite(BudgetSeconds) || BudgetSeconds > 1e6)
            throw new InputException(string.Create(CultureInfo.InvariantCulture, $"--budget must be a positive number of seconds, got {BudgetSeconds}"));
        if (Threads is < 1 or > Potentials.TrainingOptions.MaxThreads)
            throw new InputException($"--threads must be from 1 to {Potentials.TrainingOptions.MaxThreads}, got {Threads}");
    }

    /// <summary>The three options, added to <paramref name="command"/>; <see cref="Read"/> gets their values.</summary>
    public sealed class Set
    {
        private readonly Option<double> _budget = new("--budget")
        {
            DefaultValueFactory = _ => DefaultBudgetSeconds,
            Description = "Time budget per molecule in seconds (wall time); a molecule not decoded by then is reported as not decoded.",
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
            command.Options.Add(_budget);
            command.Options.Add(_threads);
            command.Options.Add(_seed);
        }

        public DecodingOptions Read(ParseResult p)
        {
            var options = new DecodingOptions(p.GetValue(_budget), p.GetValue(_threads), p.GetValue(_seed));
            options.Validate();
            return options;
        }
    }
}
