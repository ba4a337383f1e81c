using System.Text.RegularExpressions;
using Milad.IO;
using Milad.Structures;
using Xunit.Abstractions;

namespace Milad.Tests.Cli;

/// <summary>
/// The work budget decides the result, not the clock: the same fingerprints give the same output bytes (apart from
/// the seconds) on one thread and on two threads beside a busy one.
/// </summary>
public class DecodeDeterminismTests(ITestOutputHelper output)
{
    [Fact]
    public async Task OneThreadAndTwoBusyThreadsGiveTheSameOutput()
    {
        var dir = CliRunner.TempDirectory();
        // Two QM9 molecules the paper preset decodes, benzene (symmetric: searches) and a 21-atom molecule
        // (past the pencil's reach), which spend the whole work budget when they fail: the cases a clock would change.
        var examples = StructureFiles.Read(Path.Combine(TestData.RepositoryRoot, "examples", "molecules.xyz"))
            .Where(s => s.Info.TryGetValue("name", out var n) && (string)n == "benzene");
        var qm9 = StructureFiles.Read(TestData.File("molecules", "qm9_derived_985.xyz")).Take(40)
            .Select(s => new Structure(s.AtomicNumbers, s.Positions)).ToList();
        var chosen = examples.Concat([qm9[0], qm9[1], qm9.First(s => s.Count >= 21)]).ToList();
        Assert.Equal(4, chosen.Count);
        var molecules = Path.Combine(dir, "molecules.xyz");
        ExtendedXyz.Write(molecules, chosen);
        var fingerprints = Path.Combine(dir, "fp.json");
        var (exit, _, err) = CliRunner.Run("fingerprint", molecules, "--output", fingerprints, "--preset", "paper");
        Assert.True(exit == 0, err);

        string Decode(int threads, string name)
        {
            var path = Path.Combine(dir, name);
            var (code, stdout, stderr) = CliRunner.Run("decode", fingerprints, "--output", path, "--work", "3000", "--threads", threads.ToString());
            Assert.True(code == 0, stderr);
            output.WriteLine(stdout);
            return Regex.Replace(File.ReadAllText(path), @"seconds=\S+", "seconds=_");
        }

        var one = Decode(1, "one.xyz");
        string two;
        using (var stop = new CancellationTokenSource())
        {
            // A busy thread competing for the cores while the second run decodes.
            var busy = Task.Run(() =>
            {
                var x = 0.0;
                while (!stop.IsCancellationRequested) x = Math.Sin(x + 1);
                return x;
            });
            two = Decode(2, "two.xyz");
            stop.Cancel();
            await busy;
        }
        Assert.Equal(one, two);
        // Both kinds of frame are there: decoded ones and ones that spent the whole budget.
        var frames = StructureFiles.Read(Path.Combine(dir, "one.xyz")).ToList();
        Assert.Contains(frames, f => f.Info["decoded"] is true);
        Assert.Contains(frames, f => f.Info["decoded"] is false && (long)f.Info["work"] >= 3000);
    }
}
