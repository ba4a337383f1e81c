using System.Text.Json;
using Milad.Fingerprints;

namespace Milad.Cli;

/// <summary>
/// The JSON report of `milad roundtrip` (DESIGN.md's contract, with additions):
/// <c>{"descriptor": {...}, "decoding": {...}, "scoring": {...}, "results": [...], "summary": {..., "by_size": [...]}}</c>.
/// Rates are fractions from 0 to 1; times in seconds; lengths in Angstrom. A number that does not exist
/// (the RMSD of a molecule decoded with the wrong number of atoms) is null.
/// </summary>
internal static class RoundtripReport
{
    public static void Write(Stream stream, string preset, Descriptor descriptor, DecodingOptions options, bool allowReflection,
        IReadOnlyList<RoundtripResult> results, RoundtripSummary summary, double wallSeconds, ShardInfo? shard = null)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();

        // The same descriptor object as a fingerprint file, so the settings can be reused as they are.
        w.WriteStartObject("descriptor");
        w.WriteString("preset", preset);
        w.WriteString("mode", "molecule");
        DescriptorSettingsJson.WriteProperties(w, descriptor.Settings, includeCutoff: false);
        w.WriteNumber("molecule_radius", descriptor.Settings.Cutoff);
        w.WriteNumber("length", descriptor.Length);
        w.WriteEndObject();

        w.WriteStartObject("decoding");
        w.WriteNumber("work", options.Work);
        w.WriteNumber("budget_seconds", options.BudgetSeconds);
        w.WriteNumber("tolerance", options.Tolerance);
        w.WriteNumber("threads", options.Threads);
        w.WriteNumber("seed", options.Seed);
        w.WriteEndObject();

        w.WriteStartObject("scoring");
        w.WriteNumber("rmsd_threshold", RoundtripResult.RmsdThreshold);
        w.WriteBoolean("allow_reflection", allowReflection);
        w.WriteEndObject();

        if (shard is { } sh)
        {
            // Which block this report covers: its summary is over these molecules only.
            w.WriteStartObject("shard");
            w.WriteNumber("index", sh.Shard.Index);
            w.WriteNumber("count", sh.Shard.Count);
            w.WriteNumber("first", sh.First);
            w.WriteNumber("molecules", sh.Molecules);
            w.WriteNumber("total", sh.Total);
            w.WriteEndObject();
        }

        w.WriteStartArray("results");
        foreach (var r in results)
        {
            w.WriteStartObject();
            w.WriteNumber("index", r.Index);
            w.WriteNumber("natoms", r.NAtoms);
            w.WriteString("formula", r.Formula);
            Number(w, "rmsd", r.Rmsd);
            w.WriteBoolean("positions_ok", r.PositionsOk);
            w.WriteBoolean("species_ok", r.SpeciesOk);
            w.WriteNumber("seconds", Math.Round(r.Seconds, 4));
            w.WriteNumber("work", r.Work);
            w.WriteBoolean("decoded", r.Decoded);
            Number(w, "residual", r.Residual);
            Number(w, "species_rmsd", r.SpeciesRmsd);
            if (r.Reflected) w.WriteBoolean("reflected", true);
            if (r.DecodedNAtoms is { } n) w.WriteNumber("decoded_natoms", n);
            if (r.DecodedFormula is { } f) w.WriteString("decoded_formula", f);
            if (r.Route is { } route) w.WriteString("route", route);
            if (r.Reason is { } reason) w.WriteString("reason", reason);
            w.WriteString("file", r.File);
            w.WriteNumber("frame", r.Frame);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartObject("summary");
        w.WriteNumber("molecules", summary.Molecules);
        Number(w, "positions_success_rate", summary.PositionsSuccessRate);
        Number(w, "species_success_rate", summary.SpeciesSuccessRate);
        Number(w, "decoded_rate", summary.DecodedRate);
        Number(w, "median_seconds", summary.MedianSeconds);
        Number(w, "p95_seconds", summary.P95Seconds);
        Number(w, "max_seconds", summary.MaxSeconds);
        Number(w, "median_work", summary.MedianWork);
        Number(w, "p95_work", summary.P95Work);
        w.WriteNumber("wall_seconds", Math.Round(wallSeconds, 3));
        w.WriteStartArray("by_size");
        foreach (var s in summary.BySize)
        {
            w.WriteStartObject();
            w.WriteNumber("natoms", s.NAtoms);
            w.WriteNumber("molecules", s.Molecules);
            Number(w, "positions_success_rate", s.PositionsSuccessRate);
            Number(w, "species_success_rate", s.SpeciesSuccessRate);
            Number(w, "median_seconds", s.MedianSeconds);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();

        w.WriteEndObject();
    }

    /// <summary>A sharded run's block: <paramref name="Molecules"/> molecules from global index <paramref name="First"/>, of <paramref name="Total"/>.</summary>
    public sealed record ShardInfo(Shard Shard, long First, long Molecules, long Total);

    /// <summary>JSON has no infinity or NaN: those are written as null.</summary>
    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value);
        else w.WriteNull(name);
    }
}
