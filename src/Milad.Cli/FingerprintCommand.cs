using System.CommandLine;
using System.Globalization;
using Milad.Fingerprints;
using Milad.IO;
using Milad.Structures;

namespace Milad.Cli;

/// <summary>`milad fingerprint INPUT... --output OUT.(json|npy|csv)`: encode every frame of the inputs.</summary>
public static class FingerprintCommand
{
    public static Command Create(TextWriter stdout)
    {
        var inputs = new Argument<string[]>("INPUT") { Arity = ArgumentArity.OneOrMore, Description = "Structure files: .xyz/.extxyz (extended xyz) or .json (mlearn)." };
        var output = new Option<string>("--output", "-o") { Required = true, Description = "Output file; .json, .npy or .csv by extension." };
        var preset = new Option<string>("--preset") { DefaultValueFactory = _ => "default", Description = $"Descriptor preset: {string.Join(", ", Presets.Names)}." };
        var nmax = new Option<int?>("--nmax") { Description = "Largest Zernike order n_max (overrides the preset)." };
        var cutoff = new Option<double?>("--cutoff") { Description = "Molecule radius / environment cutoff in Angstrom (overrides the preset: 7.5 for molecules, 5 for environments)." };
        var weights = new Option<string?>("--weights") { Description = "Species weights, e.g. H=1,C=6,N=7,O=8 (default: atomic numbers)." };
        var invariants = InvariantsOption();
        var secondWeights = SecondWeightsOption();
        var mode = new Option<string?>("--mode") { Description = "molecule or environments (default: molecule for non-periodic frames, environments for periodic ones)." };
        mode.AcceptOnlyFromAmong("molecule", "environments");
        var derivatives = new Option<bool>("--derivatives") { Description = "Also write the Jacobian of every invariant with respect to every atom position." };
        var centre = new Option<bool>("--include-centre") { Description = "Environments: the centre atom is part of its own density." };
        var threads = new Option<int>("--threads")
        {
            DefaultValueFactory = _ => Environment.ProcessorCount,
            Description = "Frames encoded in parallel (default: all cores); the output is the same for any number.",
        };
        var shard = Shard.Option("shard 1 writes the format's start (JSON descriptor, CSV header, NPY header with the total row count), "
            + "shard N the end, so cat of the N outputs is the unsharded file; a JSON piece alone is not valid JSON unless N = 1.");

        var command = new Command("fingerprint", "Encode structures as rotation-, translation- and permutation-invariant fingerprints.")
        {
            inputs, output, preset, nmax, cutoff, invariants, weights, secondWeights, mode, derivatives, centre, threads, shard,
        };
        command.SetAction(p =>
        {
            var options = new FingerprintOptions(
                p.GetValue(preset)!, p.GetValue(nmax), p.GetValue(cutoff), ParseWeights(p.GetValue(weights)),
                p.GetValue(mode), p.GetValue(derivatives), p.GetValue(centre), ParseWeights(p.GetValue(secondWeights), "--second-weights"), p.GetValue(invariants));
            var shardValue = Shard.Parse(p.GetValue(shard));
            var threadCount = p.GetValue(threads);
            if (threadCount is < 1 or > Potentials.TrainingOptions.MaxThreads)
                throw new InputException($"--threads must be from 1 to {Potentials.TrainingOptions.MaxThreads}, got {threadCount}");
            return Run(p.GetValue(inputs)!, p.GetValue(output)!, options, stdout, threadCount, shardValue);
        });
        return command;
    }

    internal sealed record FingerprintOptions(string Preset, int? NMax, double? Cutoff, IReadOnlyDictionary<string, double>? Weights,
        string? Mode, bool Derivatives, bool IncludeCentre, IReadOnlyDictionary<string, double>? SecondWeights = null, string? Invariants = null)
    {
        public DescriptorSettings SettingsFor(string mode)
        {
            var s = Presets.Get(Preset, mode);
            if (NMax is { } n) s = s with { NMax = n };
            if (Cutoff is { } c) s = s with { Cutoff = c };
            if (Invariants != null) s = s with { InvariantSet = Invariants };
            if (Weights != null) s = s with { Weights = Weights };
            if (SecondWeights != null) s = s with { SecondWeights = SecondWeights };
            if (IncludeCentre) s = s with { IncludeCentre = true };
            s.Validate();
            return s;
        }
    }

    /// <summary>
    /// A block of the pipeline (frames read, encoded and formatted together): up to this many frames and about this
    /// many atoms, so a block is a fraction of a millisecond of molecules or some milliseconds of environments.
    /// </summary>
    private const int BlockFrames = 64, BlockAtoms = 2048;

    internal static int Run(string[] inputs, string output, FingerprintOptions options, TextWriter stdout, int threads = 1, Shard? shard = null)
    {
        var part = shard ?? Shard.All;
        // Settings errors surface before any file is opened or written.
        // Frames run in parallel in the pipeline, one thread each; only a large frame spreads its environments.
        var molecule = new Descriptor(options.SettingsFor("molecule")) { MaxThreads = 1 };
        var environments = new Descriptor(options.SettingsFor("environments")) { MaxThreads = 1 };
        var wide = new Lazy<Descriptor>(() => new Descriptor(environments.Settings) { MaxThreads = threads });
        foreach (var input in inputs)
            if (!File.Exists(input)) throw new InputException($"{input}: no such file");
        FingerprintSink.CheckFormat(output, options);
        OutputPaths.Check(inputs, new OutputPaths.Output(output, "--output"));
        string ModeOf(bool periodic) => options.Mode ?? (periodic ? "environments" : "molecule");

        // A shard needs the total to find its block (and shard 1 the total row count for the NPY header):
        // a cheap pass over the inputs, no encoding. An unsharded run streams in one pass.
        long start = 0, end = long.MaxValue, total = -1, totalRows = -1;
        InputFrames.Counts? counts = null;
        if (part.IsSharded)
        {
            // Rows (one per molecule, one per environment) only for the NPY header: they need the comment lines.
            Func<FrameSummary, long>? rows = Path.GetExtension(output).Equals(".npy", StringComparison.OrdinalIgnoreCase)
                ? f => ModeOf(f.IsPeriodic) == "molecule" ? 1 : f.Atoms
                : null;
            counts = InputFrames.Count(inputs, rows);
            (total, totalRows) = (counts.Frames, counts.Rows);
            (start, end) = part.Range(total);
        }

        using var sink = FingerprintSink.Open(output, options, molecule, environments, part, totalRows);
        long written = 0;
        using var progress = new ProgressLine("fingerprint");
        var encoder = new BlockEncoder(molecule, environments, wide, ModeOf, options.Derivatives, sink);
        // Jacobians are large (3 x atoms values per invariant): then blocks of one frame, a couple per thread in flight.
        var (blockFrames, window) = options.Derivatives ? (1, 2 * threads) : (BlockFrames, 4 * threads);
        OrderedPipeline.Run(InputFrames.Blocks(inputs, blockFrames, BlockAtoms, start, end, counts), threads, window,
            block =>
            {
                // Parsed here, on the worker; frames before a parse error are encoded first (their errors come first).
                var frames = block.Parse(out var parseError);
                var bytes = frames.Count > 0 ? encoder.Encode(frames) : new PooledBytes(0);
                if (parseError != null)
                {
                    bytes.Dispose();
                    parseError.Throw();
                }
                return (Bytes: bytes, Frames: frames.Count);
            },
            (_, result) =>
            {
                using (result.Bytes) sink.Append(result.Bytes.WrittenSpan);
                written += result.Frames;
                progress.Report(written, part.IsSharded ? end - start : null);
            });
        if ((part.IsSharded ? total : written) == 0) throw new InputException($"{string.Join(", ", inputs)}: no frames");
        sink.Commit();
        stdout.WriteLine(part.IsSharded
            ? string.Create(CultureInfo.InvariantCulture, $"wrote {written} frame(s) to {output} ({part.Describe(total)})")
            : string.Create(CultureInfo.InvariantCulture, $"wrote {written} frame(s) to {output}"));
        return MiladCommand.Ok;
    }

    /// <summary>--invariants of the commands that encode molecules: a named set instead of the preset's.</summary>
    internal static Option<string?> InvariantsOption() => new("--invariants")
    {
        Description = $"Invariant set (overrides the preset's): {Milad.Invariants.InvariantSet.KnownNames}. complete-Fx: the complete set thinned to F x as many degree-3 couplings as unknowns (shorter fingerprints, still decodable).",
    };

    /// <summary>The --second-weights option (shared by the commands that encode).</summary>
    internal static Option<string?> SecondWeightsOption() => new("--second-weights")
    {
        Description = "A second species weighting, e.g. H=1,C=2,N=3,O=4: the fingerprint is then both fingerprints concatenated, and the decoder tells species apart by the pair of weights.",
    };

    /// <summary>"H=1,C=6" -> {H: 1, C: 6}; one clear error for anything else.</summary>
    internal static IReadOnlyDictionary<string, double>? ParseWeights(string? text, string option = "--weights")
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = part.Split('=', StringSplitOptions.TrimEntries);
            if (kv.Length != 2 || !double.TryParse(kv[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var w))
                throw new InputException($"{option}: '{part}' is not SYMBOL=NUMBER");
            if (!Elements.TryGetAtomicNumber(kv[0], out var z)) throw new InputException($"{option}: unknown element '{kv[0]}'");
            result[Elements.Symbol(z)] = w;
        }
        return result;
    }
}
