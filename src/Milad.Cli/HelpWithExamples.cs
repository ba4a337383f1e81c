using System.CommandLine;
using System.Text.RegularExpressions;

namespace Milad.Cli;

/// <summary>
/// `--help`: System.CommandLine's help with the program called `milad` (not the name of the assembly that
/// runs it) and an "Examples:" section for every command.
/// </summary>
internal static class HelpWithExamples
{
    /// <summary>Examples by command name ("milad" for the root), each a command line and what it does.</summary>
    public static readonly IReadOnlyDictionary<string, (string Line, string What)[]> Examples = new Dictionary<string, (string, string)[]>
    {
        ["milad"] =
        [
            ("milad fingerprint molecules.xyz --output fingerprints.json", "encode every molecule"),
            ("milad decode fingerprints.json --output decoded.xyz", "decode the fingerprints back into atoms"),
            ("milad train --train train.xyz --test test.xyz --model model.json", "fit a potential"),
            ("milad fingerprint --help", "the options of one command"),
        ],
        ["fingerprint"] =
        [
            ("milad fingerprint molecules.xyz --output fingerprints.json", "molecule fingerprints (default preset: n_max 11, complete invariants)"),
            ("milad fingerprint crystal.extxyz --output envs.npy --nmax 8 --cutoff 5", "one fingerprint per atom environment of a periodic cell"),
        ],
        ["decode"] =
        [
            ("milad decode fingerprints.json --output decoded.xyz", "every fingerprint back into atoms (decoded=T/F per frame)"),
            ("milad decode fingerprints.json --output decoded.xyz --work 200000 --threads 4", "more work per molecule (the same result on any machine), four at a time"),
        ],
        ["roundtrip"] =
        [
            ("milad roundtrip molecules.xyz --report report.json", "encode, decode and score every molecule"),
            ("milad roundtrip molecules.xyz --report report.json --plot rates.png --limit 100", "the first 100 molecules, with a plot"),
        ],
        ["train"] =
        [
            ("milad train --train train.xyz --test test.xyz --model model.json --report report.json", "a linear potential, with test errors"),
            ("milad train --train train.xyz --model model.json --kind neural", "a neural-network potential, no test set"),
        ],
        ["predict"] =
        [
            ("milad predict --model model.json structures.xyz --output predicted.xyz", "energies, forces and stresses of every frame"),
        ],
        ["bench"] =
        [
            ("milad bench --quick", "a short measurement of every benchmark"),
            ("milad bench --only molecules-nmax7 --json bench.json", "one benchmark, results as JSON"),
        ],
    };

    /// <summary>Writes <paramref name="help"/> (System.CommandLine's text for <paramref name="command"/>) as milad's, then the examples.</summary>
    public static void Write(TextWriter output, string help, Command command, string executableName)
    {
        // The root command is named after the executable (Milad.Cli, or a test host); users type milad.
        help = Regex.Replace(help, $@"(?<=^\s*){Regex.Escape(executableName)}\b", "milad", RegexOptions.Multiline);
        output.Write(help.TrimEnd('\n', '\r'));
        output.WriteLine();
        var name = command is RootCommand ? "milad" : command.Name;
        if (Examples.TryGetValue(name, out var examples))
        {
            output.WriteLine();
            output.WriteLine("Examples:");
            foreach (var (line, what) in examples)
            {
                output.WriteLine($"  {line}");
                output.WriteLine($"      {what}");
            }
        }
        output.WriteLine();
    }
}
