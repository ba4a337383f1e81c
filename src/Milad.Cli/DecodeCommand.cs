using System.CommandLine;
using System.Globalization;
using System.Text;
using Decoder = Milad.Decoding.Decoder;
using Milad.Decoding;
using Milad.IO;
using Milad.Structures;

namespace Milad.Cli;

/// <summary>
/// `milad decode FINGERPRINTS.json --output DECODED.xyz`: every molecule-mode fingerprint back to atoms, one
/// extended-xyz frame per input frame in the same order. A frame that is not decoded is still written, with
/// decoded=F, the reason, and the decoder's best candidate (or no atoms).
/// </summary>
public static class DecodeCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var input = new Argument<string>("FINGERPRINTS") { Description = "Molecule-mode fingerprints (.json) written by milad fingerprint." };
        var output = new Option<string>("--output", "-o") { Required = true, Description = "Decoded molecules, extended xyz (.xyz or .extxyz)." };
        var shard = Shard.Option("cat of the N outputs is the unsharded output (a shard without frames writes an empty file).");
        var command = new Command("decode", "Decode molecule fingerprints back into atoms (positions and species, up to a rotation).") { input, output, shard };
        var decoding = new DecodingOptions.Set(command);
        command.SetAction(p => Run(p.GetValue(input)!, p.GetValue(output)!, decoding.Read(p), stdout, stderr, Shard.Parse(p.GetValue(shard))));
        return command;
    }

    internal static int Run(string input, string output, DecodingOptions options, TextWriter stdout, TextWriter stderr, Shard? shard = null)
    {
        var part = shard ?? Shard.All;
        var extension = Path.GetExtension(output).ToLowerInvariant();
        if (extension is not (".xyz" or ".extxyz"))
            throw new InputException($"{output}: decoded molecules are written as extended xyz (.xyz or .extxyz), not '{extension}'");
        OutputPaths.Check([input], new OutputPaths.Output(output, "--output"));
        Decoder? decoder = null;
        var file = FingerprintFile.Read(input, s => (decoder = new Decoder(s)).Length);
        // Opened before the long part, so a missing output folder fails at once; deleted unless committed.
        using var sink = new AtomicFile(output);

        // The file is read whole (it is one JSON document); a shard decodes its block of the frames.
        var (start, end) = part.Range(file.Frames.Count);
        var frames = file.Frames.Skip((int)start).Take((int)(end - start)).ToArray();
        var results = ParallelDecoding.Run(decoder!, frames.Length, options.Threads,
            (d, i) => d.Decode(frames[i].Fingerprint, options.Budget, options.Seed, options.Work, options.Tolerance),
            (i, e, seconds) => new DecodeResult(null, false, $"internal error in the decoder ({e.GetType().Name}: {OneLine(e.Message)})", double.PositiveInfinity, seconds),
            "decode");

        using (var writer = new StreamWriter(sink.Stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true))
            for (var i = 0; i < frames.Length; i++)
                ExtendedXyz.Write(writer, DecodedFrame(frames[i], results[i]));
        sink.Commit();

        var decoded = results.Count(r => r.Decoded);
        var seconds = results.Select(r => r.Seconds).ToArray();
        var timing = seconds.Length == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $" (median {Statistics.Median(seconds):F2} s, max {seconds.Max():F2} s per frame)");
        var of = part.IsSharded ? $", {part.Describe(file.Frames.Count)}" : "";
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"decoded {decoded} of {frames.Length} frame(s) to {output}{timing}{of}"));
        return ReportInternalErrors(results.Count(r => r.Reason.StartsWith("internal error", StringComparison.Ordinal)), output, stderr);
    }

    /// <summary>
    /// The frame written for one input frame: the decoded atoms (or the best candidate, or none) with
    /// decoded=T/F, residual, seconds, work units, the input's index, and the reason (route when decoded).
    /// </summary>
    internal static Structure DecodedFrame(FingerprintFile.Frame frame, DecodeResult result)
    {
        var s = result.Structure is { } found ? new Structure(found.AtomicNumbers, found.Positions) : new Structure([], []);
        s.Info["index"] = frame.Index;
        s.Info["decoded"] = result.Decoded;
        if (double.IsFinite(result.Residual)) s.Info["residual"] = result.Residual;
        s.Info["seconds"] = Math.Round(result.Seconds, 4);
        s.Info["work"] = result.Work;
        s.Info[result.Decoded ? "route" : "reason"] = OneLine(result.Reason);
        if (frame.NAtoms is { } natoms) s.Info["input_natoms"] = (long)natoms;
        if (frame.Formula is { } formula) s.Info["input_formula"] = formula;
        return s;
    }

    /// <summary>A decoder bug is not the user's mistake: the output is complete, but the exit code says something went wrong.</summary>
    internal static int ReportInternalErrors(int count, string output, TextWriter stderr)
    {
        if (count == 0) return MiladCommand.Ok;
        stderr.WriteLine($"milad: internal error in the decoder for {count} molecule(s) (reason \"internal error ...\" in {output}) -- please report it with the input");
        return MiladCommand.InternalError;
    }

    internal static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
