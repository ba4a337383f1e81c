using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Milad.Potentials;
using Milad.Structures;

namespace Milad.Cli;

/// <summary>
/// `milad export-kim --model M.json --name NAME --output DIR`: a KIM portable model folder over the Milad model
/// driver: the model file unchanged as its parameter file, a CMakeLists.txt and a README.
/// `kim-api-collections-management install user DIR` builds and installs it (the driver must be installed first).
/// </summary>
public static partial class ExportKimCommand
{
    /// <summary>The KIM model driver every exported model names (kim/ in the repository).</summary>
    public const string DriverName = "Milad__MD_000000000000_000";

    /// <summary>The parameter file's name inside the portable model.</summary>
    public const string ParameterFile = "milad-model.json";

    public static Command Create(TextWriter stdout)
    {
        var model = new Option<string>("--model") { Required = true, Description = "Model file written by milad train." };
        var name = new Option<string>("--name") { Required = true, Description = "KIM name of the portable model, e.g. Milad_Mo_linear__MO_000000000000_000 (letters, digits and _, starting with a letter)." };
        var output = new Option<string>("--output", "-o") { Required = true, Description = "Folder to create (must not exist, or be empty)." };
        var command = new Command("export-kim", "Write a KIM portable model folder for a trained potential (LAMMPS pair_style kim, ASE kimpy, ...).") { model, name, output };
        command.SetAction(p => Run(p.GetValue(model)!, p.GetValue(name)!, p.GetValue(output)!, stdout));
        return command;
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]*$")]
    private static partial Regex KimName();

    internal static int Run(string modelPath, string name, string output, TextWriter stdout)
    {
        if (!KimName().IsMatch(name) || name.Length > 200)
            throw new InputException($"--name '{name}' is not a KIM name (letters, digits and _, starting with a letter, e.g. Milad_Mo__MO_000000000000_000)");
        var potential = PotentialFile.Read(modelPath);
        if (potential.Magnetic != null)
            throw new InputException($"{modelPath}: the model has a magnetic term, which needs each atom's magnetic moment; KIM simulators do not pass moments");
        var target = Path.GetFullPath(output);
        if (File.Exists(target) || (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any()))
            throw new InputException($"{output}: exists and is not an empty folder");
        var parent = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(parent)) throw new InputException($"{output}: the parent folder does not exist");

        // Written beside the target and moved into place whole, so a failure leaves nothing half-written.
        var staging = Path.Combine(parent, $".{Path.GetFileName(target)}.{Environment.ProcessId}.tmp");
        Directory.CreateDirectory(staging);
        try
        {
            File.Copy(modelPath, Path.Combine(staging, ParameterFile));
            File.WriteAllText(Path.Combine(staging, "CMakeLists.txt"), CMakeLists(name));
            File.WriteAllText(Path.Combine(staging, "README"), Readme(name, potential, modelPath));
            if (Directory.Exists(target)) Directory.Delete(target);
            Directory.Move(staging, target);
        }
        catch
        {
            try { Directory.Delete(staging, recursive: true); } catch (IOException) { }
            throw;
        }
        stdout.WriteLine($"KIM portable model {name} ({potential.Kind}, {string.Join(" ", potential.Species.Select(Elements.Symbol))}) -> {output}");
        stdout.WriteLine($"install it with: kim-api-collections-management install user {output}");
        return MiladCommand.Ok;
    }

    private static string CMakeLists(string name) => $"""
        # KIM portable model {name}: a Milad potential ({ParameterFile}) over the model driver {DriverName}.
        # Written by `milad export-kim`. Install: kim-api-collections-management install user <this folder>
        cmake_minimum_required(VERSION 3.10)

        list(APPEND CMAKE_PREFIX_PATH $ENV{"{"}KIM_API_CMAKE_PREFIX_DIR{"}"})
        find_package(KIM-API-ITEMS 2.2 REQUIRED CONFIG)

        kim_api_items_setup_before_project(ITEM_TYPE "portableModel")
        project({name})
        kim_api_items_setup_after_project(ITEM_TYPE "portableModel")

        add_kim_api_model_library(
          NAME            ${"{"}PROJECT_NAME{"}"}
          DRIVER_NAME     "{DriverName}"
          PARAMETER_FILES "{ParameterFile}"
          )

        """;

    private static string Readme(string name, Potential potential, string modelPath)
    {
        var species = string.Join(" ", potential.Species.Select(Elements.Symbol));
        var cutoff = Math.Max(potential.Descriptor.Settings.Cutoff, potential.Pair?.Basis.Cutoff ?? 0);
        return string.Create(CultureInfo.InvariantCulture, $"""
            {name}: a Milad interatomic potential as a KIM portable model.

            Kind: {potential.Kind}{(potential.Pair != null ? " with a pair term" : "")}; species: {species}; influence distance {cutoff} Angstrom.
            Parameter file: {ParameterFile}, the model file {Path.GetFileName(modelPath)} written by `milad train`, unchanged.
            Driver: {DriverName} (install it first: kim/install-driver.sh in the Milad repository).

            Install:  kim-api-collections-management install user .
            LAMMPS:   kim init {name} metal
                      kim interactions {species}

            """);
    }
}
