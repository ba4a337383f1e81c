using System.Runtime.InteropServices;
using System.Text.Json;
using Milad.Decoding;
using Milad.Fingerprints;

namespace Milad.Native;

/// <summary>milad_decode and the functions that read its result (include/milad.h).</summary>
internal static unsafe class DecodingExports
{
    /// <summary>
    /// The decoder's work budget, wall-time safety limit, seed and accepted residual as `milad decode` takes them
    /// (--work, --budget, --seed, --tolerance); null: the decoder's defaults, which are the command's.
    /// </summary>
    private static (long? Work, double? Budget, int Seed, double? Tolerance) Options(byte* json)
    {
        if (json == null) return (null, null, 1, null);
        var text = DescriptorExports.Text(json, "options_json");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException e)
        {
            throw new InputException($"decode options: invalid JSON ({e.Message.Split('\n')[0]})");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InputException("decode options: not a JSON object");
            (long? work, double? budget, int seed, double? tolerance) = (null, null, 1, null);
            foreach (var p in root.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "budget":
                        if (p.Value.ValueKind != JsonValueKind.Number || !(p.Value.GetDouble() is > 0 and <= 1e6))
                            throw new InputException($"decode options: budget must be a positive number of seconds (at most 1e6), got {p.Value.GetRawText()}");
                        budget = p.Value.GetDouble();
                        break;
                    case "work":
                        if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt64(out var units) || units < 1)
                            throw new InputException($"decode options: work must be a positive integer (work units), got {p.Value.GetRawText()}");
                        work = units;
                        break;
                    case "tolerance":
                        if (p.Value.ValueKind != JsonValueKind.Number || !Decoder.IsTolerance(p.Value.GetDouble()))
                            throw new InputException($"decode options: tolerance must be a relative residual above 0 and at most {Decoder.MaxTolerance}, got {p.Value.GetRawText()}");
                        tolerance = p.Value.GetDouble();
                        break;
                    case "seed":
                        if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out seed))
                            throw new InputException($"decode options: seed must be an integer, got {p.Value.GetRawText()}");
                        break;
                    default:
                        throw new InputException($"decode options: unknown key \"{p.Name}\" (expected work, budget, seed, tolerance)");
                }
            }
            return (work, budget, seed, tolerance);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "milad_decode")]
    public static int Decode(nint handle, double* fingerprint, long length, byte* optionsJson, nint* result) => NativeErrors.Guard(() =>
    {
        NativeErrors.Require(result, "out");
        *result = 0;
        var d = DescriptorExports.Get(handle);
        var (work, budget, seed, tolerance) = Options(optionsJson);
        if (length != d.Length)
            throw new InputException($"fingerprint of {length} values, but the descriptor (n_max {d.Settings.NMax}, {d.Settings.InvariantSet} invariants) has {d.Length}");
        NativeErrors.Require(fingerprint, "fingerprint");
        var values = new ReadOnlySpan<double>(fingerprint, d.Length);
        for (var q = 0; q < values.Length; q++)
            if (!double.IsFinite(values[q])) throw new InputException($"fingerprint value {q} is not a finite number");
        // A decoder per call (it is not thread-safe): the same code and options as `milad decode`.
        var decoded = new Decoder(d.Settings).Decode(values, budget is { } b ? TimeSpan.FromSeconds(b) : null, seed, work, tolerance);
        *result = Handles.New(decoded);
        return NativeErrors.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "milad_decoded_free")]
    public static void Free(nint handle)
        => Handles.Free(handle);

    [UnmanagedCallersOnly(EntryPoint = "milad_decoded_natoms")]
    public static int NAtoms(nint handle, long* natoms) => NativeErrors.Guard(() =>
    {
        NativeErrors.Require(natoms, "natoms");
        *natoms = Handles.Get<DecodeResult>(handle, "decoded result").Structure?.Count ?? 0;
        return NativeErrors.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "milad_decoded_atoms")]
    public static int Atoms(nint handle, int* numbers, double* positions) => NativeErrors.Guard(() =>
    {
        var s = Handles.Get<DecodeResult>(handle, "decoded result").Structure;
        if (s == null) return NativeErrors.Ok;
        for (var i = 0; i < s.Count; i++)
        {
            if (numbers != null) numbers[i] = s.AtomicNumbers[i];
            if (positions != null) (positions[3 * i], positions[3 * i + 1], positions[3 * i + 2]) = (s.Positions[i].X, s.Positions[i].Y, s.Positions[i].Z);
        }
        return NativeErrors.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "milad_decoded_info")]
    public static int Info(nint handle, int* decoded, double* residual, double* seconds, byte* reason, nuint size, nuint* needed) => NativeErrors.Guard(() =>
    {
        var r = Handles.Get<DecodeResult>(handle, "decoded result");
        if (decoded != null) *decoded = r.Decoded ? 1 : 0;
        if (residual != null) *residual = r.Residual;
        if (seconds != null) *seconds = r.Seconds;
        return NativeErrors.WriteString(r.Reason, reason, size, needed);
    });
}
