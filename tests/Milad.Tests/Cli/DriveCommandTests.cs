using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Milad.IO;
using Milad.Potentials;
using Milad.Structures;
using Milad.Tests.Potentials;

namespace Milad.Tests.Cli;

/// <summary>
/// `milad drive` against the real i-PI server of ASE (SocketIOCalculator, Debian's python3-ase under /usr/bin/python3):
/// the energies, forces and stresses ASE receives equal those `milad predict` computes for the same cells.
/// </summary>
public class DriveCommandTests
{
    private const string Python = "/usr/bin/python3";
    private static readonly string Script = Path.Combine(TestData.RepositoryRoot, "examples", "md", "ase_socket.py");
    private static readonly string[] Small = ["--nmax", "4", "--cutoff", "4.5", "--folds", "2"];

    /// <summary>A tiny model of a kind trained on 5 small Mo frames (as the train/predict tests do).</summary>
    internal static string Train(string dir, string variant)
    {
        var frames = PotentialTestData.Mo(7).Frames;
        string train = Path.Combine(dir, "train.xyz"), test = Path.Combine(dir, "test.xyz"), model = Path.Combine(dir, "model.json");
        ExtendedXyz.Write(train, frames.Take(5));
        ExtendedXyz.Write(test, frames.Skip(5));
        string[] extra = variant.EndsWith("-pair") ? ["--pair-cutoff", "5", "--pair-functions", "4", "--energy-weights", "10,100"]
            : variant.EndsWith("-radial") ? ["--radial-exponent", "0.75"] : [];
        var (exit, _, err) = CliRunner.Run(["train", "--train", train, "--test", test, "--model", model, "--kind", variant.Split('-')[0], .. Small,
            "--quadratic-components", "4", "--components", "6", "--hidden", "6,5", "--epochs", "10", "--batch", "2", "--validation", "0.25", .. extra]);
        Assert.True(exit == 0, err);
        return model;
    }

    /// <summary>Starts the ASE server script and waits until it listens.</summary>
    private static Process StartServer(params string[] args)
    {
        var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Script);
        foreach (var a in args) info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        var line = process.StandardOutput.ReadLine();
        // (The server's stderr is read only on failure: reading it blocks until the server ends.)
        if (line != "listening") Assert.Fail($"the ASE server did not start: {line} {process.StandardError.ReadToEnd()}");
        return process;
    }

    private static void WaitForServer(Process server)
    {
        var err = server.StandardError.ReadToEndAsync();
        Assert.True(server.WaitForExit(60_000), "the ASE server did not finish");
        Assert.True(server.ExitCode == 0, err.Result);
    }

    private static string SocketName() => "milad_test_" + Guid.NewGuid().ToString("N")[..12];

    [Theory]
    [InlineData("linear", true)]
    [InlineData("quadratic", false)]
    [InlineData("neural", true)]
    [InlineData("quadratic-pair", false)]
    public void AseThroughTheSocketGetsWhatPredictComputes(string variant, bool sendExit)
    {
        var dir = CliRunner.TempDirectory();
        var model = Train(dir, variant);
        var output = Path.Combine(dir, "ase.json");
        var name = SocketName();
        // Frame 15 of Mo_test: 34 atoms in a triclinic surface cell; with a rattled and a strained copy.
        string[] args = ["--frames", TestData.File("mlearn", "Mo_test.xyz"), "--index", "15", "--unix", name, "--variants", "--output", output];
        var server = StartServer(sendExit ? [.. args, "--exit"] : args);
        var (exit, stdout, err) = CliRunner.Run("drive", "--model", model, "--unix", name);
        WaitForServer(server);
        Assert.True(exit == 0, err);
        Assert.Contains("3 evaluation(s)", stdout);
        Assert.Contains(sendExit ? "sent EXIT" : "closed the connection", stdout);
        Assert.Single(stdout.Trim().Split('\n'));

        var potential = PotentialFile.Read(model);
        using var doc = JsonDocument.Parse(File.ReadAllText(output));
        var results = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(3, results.Count);
        foreach (var r in results)
        {
            var cell = DoorResults.Rows(r.GetProperty("cell"));
            var structure = new Structure(r.GetProperty("numbers").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
                DoorResults.Rows(r.GetProperty("positions")), new Cell(cell[0], cell[1], cell[2]));
            DoorResults.AssertEqual(potential.Predict(structure), r);
        }
        // The copies differ: the socket carried new positions and a new cell each time.
        Assert.NotEqual(results[0].GetProperty("energy").GetDouble(), results[1].GetProperty("energy").GetDouble());
        Assert.NotEqual(results[1].GetProperty("energy").GetDouble(), results[2].GetProperty("energy").GetDouble());
    }

    [Fact]
    public void TcpAddressWorksAndATemplateGivesTheSpecies()
    {
        var dir = CliRunner.TempDirectory();
        var model = Train(dir, "linear");
        var output = Path.Combine(dir, "ase.json");
        var template = Path.Combine(dir, "template.xyz");
        var frame = StructureFiles.Read(TestData.File("mlearn", "Mo_test.xyz")).Skip(16).First();
        ExtendedXyz.Write(template, [frame]);
        var port = FreePort();
        var server = StartServer("--frames", TestData.File("mlearn", "Mo_test.xyz"), "--index", "16", "--port", port.ToString(), "--output", output);
        var (exit, stdout, err) = CliRunner.Run("drive", "--model", model, "--address", $"localhost:{port}", "--template", template);
        WaitForServer(server);
        Assert.True(exit == 0, err);
        Assert.Contains("1 evaluation(s)", stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(output));
        var energy = doc.RootElement[0].GetProperty("energy").GetDouble();
        var expected = PotentialFile.Read(model).Predict(frame).Energy;
        Assert.Equal(expected, energy, 1e-8 * Math.Abs(expected));
    }

    [Fact]
    public void UnreadableModelIsOneLineBeforeConnecting()
    {
        var dir = CliRunner.TempDirectory();
        var model = Path.Combine(dir, "model.json");
        File.WriteAllText(model, "{\"format\": \"milad-potential\", \"version\": 1, \"kind\": ");
        var (exit, _, err) = CliRunner.Run("drive", "--model", model, "--unix", SocketName());
        Assert.Equal(2, exit);
        Assert.Contains(model, err);
        Assert.Contains("not a JSON model file", err);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Fact]
    public void TemplateSpeciesTheModelLacksIsOneLine()
    {
        var dir = CliRunner.TempDirectory();
        var model = Train(dir, "linear");
        var frame = StructureFiles.Read(TestData.File("mlearn", "Mo_test.xyz")).Skip(16).First();
        var template = Path.Combine(dir, "cu.xyz");
        ExtendedXyz.Write(template, [new Structure(frame.AtomicNumbers.Select((z, i) => i == 3 ? 29 : z).ToArray(), frame.Positions, frame.Cell)]);
        var (exit, _, err) = CliRunner.Run("drive", "--model", model, "--unix", SocketName(), "--template", template);
        Assert.Equal(2, exit);
        Assert.Contains($"{template}: frame 0", err);
        Assert.Contains("atom 3 is Cu", err);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Fact]
    public void NoServerIsOneLine()
    {
        var dir = CliRunner.TempDirectory();
        var model = Train(dir, "linear");
        var name = SocketName();
        var (exit, _, err) = CliRunner.Run("drive", "--model", model, "--unix", name);
        Assert.Equal(2, exit);
        Assert.Contains($"/tmp/ipi_{name}", err);
        Assert.Single(err.Trim().Split('\n'));
        (exit, _, err) = CliRunner.Run("drive", "--model", model, "--address", "localhost");
        Assert.Equal(2, exit);
        Assert.Contains("HOST:PORT", err);
        (exit, _, err) = CliRunner.Run("drive", "--model", model);
        Assert.Equal(2, exit);
        Assert.Contains("exactly one of --address", err);
    }

    /// <summary>A server that speaks something else: one line naming what it sent, exit 2.</summary>
    [Fact]
    public void UnknownMessageIsOneLine()
    {
        var dir = CliRunner.TempDirectory();
        var model = Train(dir, "linear");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        string? status = null;
        var serve = new Thread(() =>
        {
            using var client = listener.AcceptTcpClient();
            var stream = client.GetStream();
            stream.Write("STATUS      "u8);
            var reply = new byte[12];
            stream.ReadExactly(reply);
            status = System.Text.Encoding.ASCII.GetString(reply).Trim();
            stream.Write("HELLO       "u8);
        });
        serve.Start();
        var (exit, _, err) = CliRunner.Run("drive", "--model", model, "--address", $"127.0.0.1:{port}");
        Assert.True(serve.Join(30_000));
        Assert.Equal("NEEDINIT", status);
        Assert.Equal(2, exit);
        Assert.Contains("'HELLO'", err);
        Assert.Single(err.Trim().Split('\n'));
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

}
