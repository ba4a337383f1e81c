using System.CommandLine;
using System.Globalization;
using System.Text;
using Milad.IO;
using Milad.Potentials;

namespace Milad.Cli;

/// <summary>
/// `milad predict --model MODEL.json INPUT --output PRED.xyz`: energy, forces and (for periodic cells)
/// stress of every frame, as extended xyz (energy= in eV, forces column in eV/A, stress= 9 numbers in
/// eV/A^3, ASE convention); the input's own energy and forces, if any, are replaced.
/// </summary>
public static class PredictCommand
{
    public static Command Create(TextWriter stdout)
    {
        var model = new Option<string>("--model") { Required = true, Description = "Model file written by milad train." };
        var input = new Argument<string>("INPUT") { Description = "Structure file (extended xyz or mlearn JSON)." };
        var output = new Option<string>("--output", "-o") { Required = true, Description = "Extended xyz file to write." };
        var shard = Shard.Option("cat of the N outputs is the unsharded output (a shard without frames writes an empty file).");
        var command = new Command("predict", "Predict energies, forces and stresses with a trained potential.") { model, input, output, shard };
        command.SetAction(p => Run(p.GetValue(model)!, p.GetValue(input)!, p.GetValue(output)!, stdout, Shard.Parse(p.GetValue(shard))));
        return command;
    }

    internal static int Run(string modelPath, string input, string output, TextWriter stdout, Shard? shard = null)
    {
        var part = shard ?? Shard.All;
        OutputPaths.Check([modelPath, input], new OutputPaths.Output(output, "--output", ".xyz", ".extxyz"));
        _ = StructureFiles.Read(input); // a missing input or unknown type fails before the model is read
        var potential = PotentialFile.Read(modelPath);
        string[] inputs = [input];
        // A shard finds its block of frames with a cheap first pass (parse only); an unsharded run streams once.
        long start = 0, end = long.MaxValue, total = -1;
        InputFrames.Counts? counts = null;
        if (part.IsSharded)
        {
            counts = InputFrames.Count(inputs);
            total = counts.Frames;
            (start, end) = part.Range(total);
        }
        var frames = InputFrames.Read(inputs, start, end, counts);
        using var file = new AtomicFile(output);
        var count = 0;
        using (var writer = new StreamWriter(file.Stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true))
        using (var progress = new ProgressLine("predict"))
        {
            foreach (var frame in frames)
            {
                var s = frame.Structure;
                try
                {
                    var p = potential.Predict(s);
                    // A damaged model (huge but finite coefficients) must not write NaN as a prediction.
                    if (!double.IsFinite(p.Energy) || !Array.TrueForAll(p.Forces, f => f.IsFinite) || (p.Stress != null && !Array.TrueForAll(p.Stress, double.IsFinite)))
                        throw new InputException($"the model predicts a value that is not a finite number (is {modelPath} damaged?)");
                    s.Energy = p.Energy;
                    s.Forces = p.Forces;
                    if (p.Stress != null) s.Info["stress"] = p.Stress;
                    else s.Info.Remove("stress");
                }
                catch (InputException e)
                {
                    throw InputException.AtFrame(input, frame.FrameInFile, e.Message);
                }
                ExtendedXyz.Write(writer, s);
                count++;
                progress.Report(count);
            }
        }
        if (count == 0 && !part.IsSharded) throw new InputException($"{input}: no frames");
        file.Commit();
        var of = part.IsSharded ? $" ({part.Describe(total)})" : "";
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"predicted {count} frame(s) with the {potential.Kind} model -> {output}{of}"));
        return MiladCommand.Ok;
    }
}
