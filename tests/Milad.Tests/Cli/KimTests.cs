using System.Diagnostics;
using System.Text.Json;
using Milad.IO;
using Milad.Potentials;
using Milad.Structures;

namespace Milad.Tests.Cli;

/// <summary>
/// KIM collections of its own in a temporary folder (a KIM API configuration file whose "user" collection is there,
/// so that the tests neither see nor change the machine's), with the Milad model driver installed by
/// kim/install-driver.sh; shared by the tests of <see cref="KimTests"/>.
/// </summary>
public sealed class KimCollection : IDisposable
{
    public KimCollection()
    {
        Folder = CliRunner.TempDirectory();
        foreach (var d in new[] { "drivers", "models", "simulator-models" }) Directory.CreateDirectory(Path.Combine(Folder, d));
        File.WriteAllText(Configuration, $"""
            model-drivers-dir = {Path.Combine(Folder, "drivers")}
            portable-models-dir = {Path.Combine(Folder, "models")}
            simulator-models-dir = {Path.Combine(Folder, "simulator-models")}

            """);
        var (exit, output) = Run("bash", Path.Combine(TestData.RepositoryRoot, "kim", "install-driver.sh"), "user");
        if (exit != 0) throw new InvalidOperationException($"kim/install-driver.sh failed:\n{output}");
    }

    public string Folder { get; }

    private string Configuration => Path.Combine(Folder, "kim-api-config");

    /// <summary>Runs a command with the collection in its environment; exit code and stdout + stderr.</summary>
    public (int Exit, string Output) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Folder };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["KIM_API_CONFIGURATION_FILE"] = Configuration;
        foreach (var v in new[] { "KIM_API_MODEL_DRIVERS_DIR", "KIM_API_PORTABLE_MODELS_DIR", "KIM_API_SIMULATOR_MODELS_DIR" }) info.Environment.Remove(v);
        info.Environment["OMPI_MCA_rmaps_base_oversubscribe"] = "1";
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(600_000)) { process.Kill(true); throw new TimeoutException($"{file} {string.Join(' ', args)}"); }
        return (process.ExitCode, stdout + stderr.Result);
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>
/// Same numbers through LAMMPS: `milad export-kim` models run in LAMMPS (pair_style kim, python3-lammps for full
/// precision) on 1 and 2 MPI ranks and give the energies, per-atom energies, forces and stresses `milad predict`
/// computes, for every model kind; and a model the driver cannot load is a KIM error with the reason.
/// </summary>
public class KimTests(KimCollection kim) : IClassFixture<KimCollection>
{
    private static readonly string Script = Path.Combine(TestData.RepositoryRoot, "examples", "md", "lammps_kim.py");

    private string Export(string variant, string name)
    {
        var dir = CliRunner.TempDirectory();
        var model = DriveCommandTests.Train(dir, variant);
        var folder = Path.Combine(dir, name);
        var (exit, _, err) = CliRunner.Run("export-kim", "--model", model, "--name", name, "--output", folder);
        Assert.True(exit == 0, err);
        Assert.Equal(File.ReadAllBytes(model), File.ReadAllBytes(Path.Combine(folder, "milad-model.json")));
        var (code, output) = kim.Run("kim-api-collections-management", "install", "--force", "user", folder);
        Assert.True(code == 0, output);
        return model;
    }

    [Theory]
    [InlineData("linear")]
    [InlineData("quadratic")]
    [InlineData("neural")]
    [InlineData("quadratic-pair")]
    [InlineData("linear-radial")]
    public void LammpsOnOneAndTwoRanksGetsWhatPredictComputes(string variant)
    {
        var name = $"Milad_test_{variant.Replace('-', '_')}__MO_000000000000_000";
        var model = Export(variant, name);
        var potential = PotentialFile.Read(model);
        if (variant.EndsWith("-radial")) Assert.Equal(0.75, potential.Descriptor.Settings.RadialExponent);
        // Frames 15 and 16 of Mo_test: 34 and 24 atoms in triclinic surface cells (rotated into LAMMPS's frame).
        var frames = StructureFiles.Read(TestData.File("mlearn", "Mo_test.xyz")).Skip(15).Take(2).ToList();
        foreach (var ranks in new[] { 1, 2 })
        {
            var output = Path.Combine(kim.Folder, $"{name}.{ranks}.json");
            string[] args = ["--model", name, "--frames", TestData.File("mlearn", "Mo_test.xyz"), "--index", "15:17", "--output", output];
            var (exit, log) = ranks == 1
                ? kim.Run("/usr/bin/python3", [Script, .. args])
                : kim.Run("mpirun", ["--allow-run-as-root", "-np", "2", "/usr/bin/python3", Script, .. args]);
            Assert.True(exit == 0, log);
            using var doc = JsonDocument.Parse(File.ReadAllText(output));
            var results = doc.RootElement.EnumerateArray().ToList();
            Assert.Equal(2, results.Count);
            for (var f = 0; f < 2; f++)
            {
                var r = results[f];
                var p = potential.Predict(frames[f]);
                DoorResults.AssertEqual(p, r);
                Assert.Equal(p.Energy, r.GetProperty("energies").EnumerateArray().Sum(e => e.GetDouble()), 1e-8 * Math.Abs(p.Energy));
            }
        }
    }

    [Fact]
    public void UnreadableModelIsAKimErrorWithTheReason()
    {
        const string name = "Milad_test_broken__MO_000000000000_000";
        var dir = CliRunner.TempDirectory();
        var model = DriveCommandTests.Train(dir, "linear");
        var folder = Path.Combine(dir, name);
        Assert.Equal(0, CliRunner.Run("export-kim", "--model", model, "--name", name, "--output", folder).Exit);
        var parameters = Path.Combine(folder, "milad-model.json");
        File.WriteAllText(parameters, File.ReadAllText(parameters).Replace("\"version\": 1", "\"version\": 99"));
        var (code, output) = kim.Run("kim-api-collections-management", "install", "--force", "user", folder);
        Assert.True(code == 0, output);
        var input = Path.Combine(kim.Folder, "broken.in");
        File.WriteAllText(input, $"kim init {name} metal\n");
        var (exit, log) = kim.Run("lmp", "-in", input, "-log", "none");
        Assert.NotEqual(0, exit);
        Assert.Contains("Milad KIM driver: cannot load the Milad model (parameter file milad-model.json)", log);
        Assert.Contains("version 99 is not supported", log);
    }

    /// <summary>
    /// LAMMPS in "real" units (kcal/mol, atm) gets the "metal" numbers (eV, bar) converted by the driver; a species
    /// the model does not have is refused with its symbol named.
    /// </summary>
    [Fact]
    public void OtherUnitsAreConvertedAndUnknownSpeciesRefused()
    {
        const string name = "Milad_test_units__MO_000000000000_000";
        Export("linear", name);
        string Input(string units, string species) => $"""
            kim init {name} {units}
            lattice bcc 3.16
            region box block 0 2 0 2 0 2
            create_box 1 box
            create_atoms 1 box
            displace_atoms all random 0.1 0.1 0.1 12345 units box
            mass 1 95.95
            kim interactions {species}
            thermo_style custom step pe press
            thermo_modify format float %.15g
            run 0
            """;
        (double Energy, double Pressure) Run(string units)
        {
            var input = Path.Combine(kim.Folder, $"{units}.in");
            File.WriteAllText(input, Input(units, "Mo"));
            var (exit, log) = kim.Run("lmp", "-in", input, "-log", "none");
            Assert.True(exit == 0, log);
            var lines = log.Split('\n');
            var row = lines[Array.FindIndex(lines, l => l.TrimStart().StartsWith("Step PotEng Press")) + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return (double.Parse(row[1], System.Globalization.CultureInfo.InvariantCulture), double.Parse(row[2], System.Globalization.CultureInfo.InvariantCulture));
        }
        var metal = Run("metal");
        var real = Run("real");
        Assert.True(Math.Abs(metal.Energy) > 1 && Math.Abs(metal.Pressure) > 100, $"{metal}");
        // 1 eV = 23.0605478 kcal/mol (KIM's conversion); 1 atm = 1.01325 bar.
        Assert.Equal(metal.Energy * 23.0605478, real.Energy, 1e-6 * Math.Abs(real.Energy));
        Assert.Equal(metal.Pressure / 1.01325, real.Pressure, 1e-6 * Math.Abs(real.Pressure));

        var w = Path.Combine(kim.Folder, "w.in");
        File.WriteAllText(w, Input("metal", "W"));
        var (code, output) = kim.Run("lmp", "-in", w, "-log", "none");
        Assert.Contains("symbol not found: W", output);
        Assert.DoesNotContain("Step PotEng", output);
        Assert.True(code != 0 || output.Contains("ERROR"), output);
    }

    [Fact]
    public void ExportRefusesBadNamesAndExistingFolders()
    {
        var dir = CliRunner.TempDirectory();
        var model = DriveCommandTests.Train(dir, "linear");
        var (exit, _, err) = CliRunner.Run("export-kim", "--model", model, "--name", "1bad-name", "--output", Path.Combine(dir, "x"));
        Assert.Equal(2, exit);
        Assert.Contains("not a KIM name", err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.False(Directory.Exists(Path.Combine(dir, "x")));
        (exit, _, err) = CliRunner.Run("export-kim", "--model", model, "--name", "Good_name", "--output", dir);
        Assert.Equal(2, exit);
        Assert.Contains("exists and is not an empty folder", err);
        (exit, _, err) = CliRunner.Run("export-kim", "--model", Path.Combine(dir, "none.json"), "--name", "Good_name", "--output", Path.Combine(dir, "y"));
        Assert.Equal(2, exit);
        Assert.Contains("no such model file", err);
        Assert.False(Directory.Exists(Path.Combine(dir, "y")));
    }
}
