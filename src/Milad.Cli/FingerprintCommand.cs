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
        var secondWeights = SecondWeightsOption();
        var mode = new Option<string?>("--mode") { Description = "molecule or environments (default: molecule for non-periodic frames, environments for periodic ones)." };
        mode.AcceptOnlyFromAmong("molecule", "environments");
        var derivatives = new Option<bool>("--derivatives") { Description = "Also write the Jacobian of every invariant with respect to every atom position." };
        var centre = new Option<bool>("--include-centre") { Description = "Environments: the centre atom is part of its own density." };

        var command = new Command("fingerprint", "Encode structures as rotation-, translation- and permutation-invariant fingerprints.")
        {
            inputs, output, preset, nmax, cutoff, weights, secondWeights, mode, derivatives, centre,
        };
        command.SetAction(p =>
        {
            var options = new FingerprintOptions(
                p.GetValue(preset)!, p.GetValue(nmax), p.GetValue(cutoff), ParseWeights(p.GetValue(weights)),
                p.GetValue(mode), p.GetValue(derivatives), p.GetValue(centre), ParseWeights(p.GetValue(secondWeights), "--second-weights"));
            return Run(p.GetValue(inputs)!, p.GetValue(output)!, options, stdout);
        });
        return command;
    }

    internal sealed record FingerprintOptions(string Preset, int? NMax, double? Cutoff, IReadOnlyDictionary<string, double>? Weights,
        string? Mode, bool Derivatives, bool IncludeCentre, IReadOnlyDictionary<string, double>? SecondWeights = null)
    {
        public DescriptorSettings SettingsFor(string mode)
        {
            var s = Presets.Get(Preset, mode);
            if (NMax is { } n) s = s with { NMax = n };
            if (Cutoff is { } c) s = s with { Cutoff = c };
            if (Weights != null) s = s with { Weights = Weights };
            if (SecondWeights != null) s = s with { SecondWeights = SecondWeights };
            if (IncludeCentre) s = s with { IncludeCentre = true };
            s.Validate();
            return s;
        }
    }

    internal static int Run(string[] inputs, string output, FingerprintOptions options, TextWriter stdout)
    {
        // Settings errors surface before any file is opened or written.
        var molecule = new Lazy<Descriptor>(() => new Descriptor(options.SettingsFor("molecule")));
        var environments = new Lazy<Descriptor>(() => new Descriptor(options.SettingsFor("environments")));
        _ = molecule.Value; _ = environments.Value;
        foreach (var input in inputs)
            if (!File.Exists(input)) throw new InputException($"{input}: no such file");

        using var sink = FingerprintSink.Open(output, options, molecule.Value, environments.Value);
        var index = 0;
        using var progress = new ProgressLine("fingerprint");
        foreach (var input in inputs)
        {
            var frameInFile = 0;
            foreach (var structure in StructureFiles.Read(input))
            {
                var mode = options.Mode ?? (structure.IsPeriodic ? "environments" : "molecule");
                try
                {
                    if (mode == "molecule")
                        sink.Write(index, structure, mode, [molecule.Value.Encode(structure, options.Derivatives)]);
                    else
                    {
                        if (!structure.IsPeriodic && structure.Cell == null && structure.Count == 0)
                            throw new InputException("the frame has no atoms");
                        sink.Write(index, structure, mode, environments.Value.EncodeEnvironments(structure, options.Derivatives));
                    }
                }
                catch (InputException e)
                {
                    throw InputException.AtFrame(input, frameInFile, e.Message);
                }
                index++;
                frameInFile++;
                progress.Report(index);
            }
        }
        if (index == 0) throw new InputException($"{string.Join(", ", inputs)}: no frames");
        sink.Commit();
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {index} frame(s) to {output}"));
        return MiladCommand.Ok;
    }

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
