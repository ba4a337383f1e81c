using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Milad.Fingerprints;
using Milad.Invariants;
using Milad.IO;
using Milad.Structures;
using Decoder = Milad.Decoding.Decoder;

namespace Milad.Cli;

/// <summary>
/// `milad roundtrip INPUT... --report REPORT.json [--plot PLOT.png]`: encode every molecule, decode its
/// fingerprint, superpose the result on the molecule and score it (see <see cref="RoundtripResult"/>);
/// report per molecule and by size, a table on stdout, optionally a plot.
/// </summary>
public static class RoundtripCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var inputs = new Argument<string[]>("INPUT") { Arity = ArgumentArity.OneOrMore, Description = "Molecules: .xyz/.extxyz files (a cell without periodic boundaries, as in a boxed molecule, is ignored)." };
        var report = new Option<string>("--report", "-r") { Required = true, Description = "JSON report: descriptor, one result per molecule, summary with rates by size." };
        var plot = new Option<string?>("--plot") { Description = "PNG plot of the success rate against the number of atoms." };
        var preset = new Option<string>("--preset") { DefaultValueFactory = _ => "default", Description = $"Descriptor preset: {string.Join(", ", Presets.Names)}." };
        var nmax = new Option<int?>("--nmax") { Description = "Largest Zernike order n_max (overrides the preset)." };
        var cutoff = new Option<double?>("--cutoff") { Description = "Molecule radius in Angstrom (overrides the preset's 7.5)." };
        var weights = new Option<string?>("--weights") { Description = "Species weights, e.g. H=1,C=6,N=7,O=8 (default: atomic numbers)." };
        var secondWeights = FingerprintCommand.SecondWeightsOption();
        var invariants = FingerprintCommand.InvariantsOption();
        var limit = new Option<int?>("--limit") { Description = "Only the first K molecules (over all inputs, in order)." };
        var noise = new Option<double>("--noise") { DefaultValueFactory = _ => 0, Description = "Relative Gaussian noise on every invariant before decoding: I (1 + sigma g), g ~ N(0, 1), seeded by the molecule's index (tests decoding to the nearest structure)." };
        var round = new Option<string?>("--round") { Description = "Round every invariant to float16 or float32 before decoding (after --noise)." };
        var shard = Shard.Option("with --limit K, blocks of those K. Each shard writes a complete report of its molecules (global \"index\", "
            + "summary over the shard only, a \"shard\" object); reports do not concatenate: merge their \"results\".");
        var command = new Command("roundtrip", "Encode molecules, decode their fingerprints, and score how many come back (positions; positions and species).")
        {
            inputs, report, plot, preset, nmax, cutoff, invariants, weights, secondWeights, limit, shard, noise, round,
        };
        var decoding = new DecodingOptions.Set(command);
        command.SetAction(p =>
        {
            var settings = new FingerprintCommand.FingerprintOptions(p.GetValue(preset)!, p.GetValue(nmax), p.GetValue(cutoff),
                FingerprintCommand.ParseWeights(p.GetValue(weights)), "molecule", false, false,
                FingerprintCommand.ParseWeights(p.GetValue(secondWeights), "--second-weights"), p.GetValue(invariants)).SettingsFor("molecule");
            return Run(p.GetValue(inputs)!, p.GetValue(report)!, p.GetValue(plot), p.GetValue(preset)!, settings, p.GetValue(limit),
                decoding.Read(p), stdout, stderr, Shard.Parse(p.GetValue(shard)), Perturbation.Parse(p.GetValue(noise), p.GetValue(round)));
        });
        return command;
    }

    internal static int Run(string[] inputs, string reportPath, string? plotPath, string preset, DescriptorSettings settings, int? limit,
        DecodingOptions options, TextWriter stdout, TextWriter stderr, Shard? shard = null, Perturbation? perturbation = null)
    {
        var part = shard ?? Shard.All;
        Decoder.Check(settings);
        if (limit is < 1) throw new InputException($"--limit must be at least 1, got {limit}");
        if (Path.GetExtension(reportPath).ToLowerInvariant() != ".json")
            throw new InputException($"{reportPath}: the report is JSON; give it a .json name");
        if (plotPath != null && Path.GetExtension(plotPath).ToLowerInvariant() != ".png")
            throw new InputException($"{plotPath}: the plot is a PNG image; give it a .png name");
        OutputPaths.Check(inputs, new OutputPaths.Output(reportPath, "--report"), new OutputPaths.Output(plotPath, "--plot"));
        foreach (var input in inputs)
            _ = StructureFiles.Read(input); // a missing file or unknown type fails before any work

        // A shard takes its block of the (first --limit) molecules, found by a cheap counting pass.
        long start = 0, end = limit ?? int.MaxValue, total = -1;
        InputFrames.Counts? counts = null;
        if (part.IsSharded)
        {
            counts = InputFrames.Count(inputs, max: limit ?? long.MaxValue);
            total = counts.Frames;
            (start, end) = part.Range(total);
        }
        var descriptor = new Descriptor(settings);
        var molecules = ReadMolecules(inputs, descriptor, start, end, counts);
        if (perturbation is { IsNone: false } perturb)
            molecules = molecules.Select(m => m with { Fingerprint = perturb.Apply(m.Fingerprint, m.Index) }).ToList();
        if (molecules.Count == 0 && !part.IsSharded) throw new InputException($"{string.Join(", ", inputs)}: no frames");
        var decoder = new Decoder(settings);
        // Without pseudoscalars a molecule and its mirror image have the same fingerprint: either is right.
        var allowReflection = descriptor.Invariants.Invariants.All(i => i.Kind != InvariantKind.Pseudoscalar);

        // Opened before the long part, so a missing output folder fails at once; deleted unless committed.
        using var report = new AtomicFile(reportPath);
        using var plot = plotPath == null ? null : new AtomicFile(plotPath);

        var clock = Stopwatch.StartNew();
        var results = ParallelDecoding.Run(decoder, molecules.Count, options.Threads,
            (d, i) => RoundtripResult.Score(molecules[i], d.Decode(molecules[i].Fingerprint, options.Budget, options.Seed, options.Work, options.Tolerance), allowReflection),
            (i, e, seconds) => RoundtripResult.Crashed(molecules[i], e, seconds),
            "roundtrip");
        var wall = clock.Elapsed.TotalSeconds;
        var summary = RoundtripSummary.Of(results);

        var shardInfo = part.IsSharded ? new RoundtripReport.ShardInfo(part, start, end - start, total) : null;
        RoundtripReport.Write(report.Stream, preset, descriptor, options, allowReflection, results, summary, wall, shardInfo);
        if (plot != null)
        {
            var title = string.Create(CultureInfo.InvariantCulture,
                $"milad roundtrip, preset {preset} (n_max {settings.NMax}, {settings.InvariantSet}): positions {100 * summary.PositionsSuccessRate:F1} %, + species {100 * summary.SpeciesSuccessRate:F1} % of {summary.Molecules}");
            plot.Stream.Write(RoundtripPlot.Render(summary, title));
        }
        report.Commit();
        plot?.Commit();

        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"roundtrip: {summary.Molecules} molecule(s){(part.IsSharded ? $" ({part.Describe(total)})" : "")}{(perturbation is { IsNone: false } pt ? $", fingerprints {pt}" : "")}, preset {preset} (n_max {settings.NMax}, {settings.InvariantSet}, {descriptor.Length} invariants), work {options.Work} units, safety limit {options.BudgetSeconds:G} s, {options.Threads} thread(s), {wall:F1} s"));
        RoundtripTable.Write(stdout, summary);
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"decoder confirmed {100 * summary.DecodedRate:F1}%; seconds per molecule: median {summary.MedianSeconds:F3}, p95 {summary.P95Seconds:F2}, max {summary.MaxSeconds:F2}; work units: median {summary.MedianWork:F0}, p95 {summary.P95Work:F0}"));
        stdout.WriteLine(plotPath == null ? $"wrote {reportPath}" : $"wrote {reportPath} and {plotPath}");
        return DecodeCommand.ReportInternalErrors(results.Count(r => r.InternalError), reportPath, stderr);
    }

    /// <summary>
    /// Reads and encodes the molecules [<paramref name="start"/>, <paramref name="end"/>) in order (fast next
    /// to decoding), so a bad frame fails before any decoding, naming its file and frame. The cell of a
    /// non-periodic frame (a molecule in a box) is dropped.
    /// </summary>
    private static List<MoleculeInput> ReadMolecules(string[] inputs, Descriptor descriptor, long start, long end, InputFrames.Counts? counts)
    {
        var molecules = new List<MoleculeInput>();
        foreach (var f in InputFrames.Read(inputs, start, end, counts)) // frames after the block are not even read
        {
            var structure = f.Structure;
            if (structure.IsPeriodic)
                throw InputException.AtFrame(f.File, f.FrameInFile, "periodic boundaries: roundtrip decodes molecules (a crystal's environments cannot be decoded into one structure)");
            if (structure.Count == 0) throw InputException.AtFrame(f.File, f.FrameInFile, "the frame has no atoms");
            var molecule = new Structure(structure.AtomicNumbers, structure.Positions);
            double[] fingerprint;
            try
            {
                fingerprint = descriptor.Encode(molecule).Values;
            }
            catch (InputException e)
            {
                throw InputException.AtFrame(f.File, f.FrameInFile, e.Message);
            }
            molecules.Add(new MoleculeInput(f.Index, f.File, f.FrameInFile, molecule, fingerprint));
        }
        return molecules;
    }
}
