using System.Text.Json;
using System.Text.Json.Nodes;
using Milad.IO;
using Milad.Tests.Potentials;

namespace Milad.Tests.Cli;

/// <summary>
/// Good inputs of every kind the commands read, small and made once per test run in a temporary folder:
/// molecules, periodic training and test frames (extended xyz and mlearn JSON, slices of ../shared/data), and a
/// fingerprint file and a model file written by milad itself. Hostile inputs are made from them.
/// </summary>
internal static class HostileFiles
{
    private static readonly Lazy<string> Base = new(Create);

    /// <summary>The folder holding water.xyz, mols.xyz, mo.xyz, motest.xyz, mo.json, fp.json and model.json.</summary>
    public static string Directory => Base.Value;

    public static readonly string[] Names = ["water.xyz", "mols.xyz", "mo.xyz", "motest.xyz", "mo.json", "fp.json", "model.json"];

    public static string Text(string name) => File.ReadAllText(Path.Combine(Directory, name));

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path.Combine(Directory, name));

    /// <summary>A JSON file of the base folder as a node to change.</summary>
    public static JsonNode Json(string name) => JsonNode.Parse(Text(name))!;

    private static string Create()
    {
        var dir = CliRunner.TempDirectory();
        File.WriteAllText(Path.Combine(dir, "water.xyz"), "3\nwater\nO 0 0 0\nH 0.96 0 0\nH -0.24 0.93 0\n");
        var molecules = File.ReadLines(TestData.File("molecules", "qm9_first100.xyz")).ToList();
        // The first three molecules (CH4, NH3, H2O): 5 + 4 + 3 atoms plus two header lines each.
        File.WriteAllLines(Path.Combine(dir, "mols.xyz"), molecules.Take(7 + 6 + 5));
        var frames = PotentialTestData.Mo(7).Frames;
        ExtendedXyz.Write(Path.Combine(dir, "mo.xyz"), frames.Take(5));
        ExtendedXyz.Write(Path.Combine(dir, "motest.xyz"), frames.Skip(5));
        using (var all = JsonDocument.Parse(File.ReadAllBytes(TestData.File("mlearn-json", "Mo", "test.json"))))
        {
            var smallest = all.RootElement.EnumerateArray().MinBy(e => e.GetProperty("num_atoms").GetInt32());
            File.WriteAllText(Path.Combine(dir, "mo.json"), $"[{smallest.GetRawText()}]");
        }
        Run("fingerprint", Path.Combine(dir, "water.xyz"), "--output", Path.Combine(dir, "fp.json"), "--preset", "paper", "--nmax", "4");
        Run("train", "--train", Path.Combine(dir, "mo.xyz"), "--model", Path.Combine(dir, "model.json"), "--nmax", "4", "--cutoff", "4.5", "--folds", "2");
        return dir;
    }

    private static void Run(params string[] args)
    {
        var (exit, _, err) = CliRunner.Run(args);
        if (exit != 0) throw new InvalidOperationException($"making the base files: milad {string.Join(' ', args)}: {err}");
    }
}
