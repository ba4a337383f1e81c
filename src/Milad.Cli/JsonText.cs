using System.Globalization;
using System.Text.Json;

namespace Milad.Cli;

/// <summary>
/// JSON values as UTF-8, byte for byte what <see cref="Utf8JsonWriter"/> writes for them (compact, default
/// encoder), for output made mostly of numbers: the fingerprint file's frames.
/// </summary>
internal static class JsonText
{
    private static readonly JsonWriterOptions Compact = new() { Indented = false, SkipValidation = true };

    public static void Integer(PooledBytes output, long value)
    {
        value.TryFormat(output.GetSpan(20), out var n, default, CultureInfo.InvariantCulture);
        output.Advance(n);
    }

    /// <summary>A quoted string; letters and digits (element symbols, formulas, modes) need no escaping.</summary>
    public static void String(PooledBytes output, string value)
    {
        foreach (var c in value)
            if (!char.IsAsciiLetterOrDigit(c))
            {
                output.Write((byte)'"');
                output.Write(JsonEncodedText.Encode(value).EncodedUtf8Bytes);
                output.Write((byte)'"');
                return;
            }
        var span = output.GetSpan(value.Length + 2);
        span[0] = (byte)'"';
        for (var i = 0; i < value.Length; i++) span[i + 1] = (byte)value[i];
        span[value.Length + 1] = (byte)'"';
        output.Advance(value.Length + 2);
    }

    /// <summary>An array of numbers: [v0,v1,...] in the shortest form that reads back to the same double.</summary>
    public static void Numbers(PooledBytes output, ReadOnlySpan<double> values)
    {
        output.Write((byte)'[');
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            if (!double.IsFinite(v)) Refuse(v);
            var span = output.GetSpan(33);
            var at = 0;
            if (i > 0) span[at++] = (byte)',';
            v.TryFormat(span[at..], out var n, default, CultureInfo.InvariantCulture);
            output.Advance(at + n);
        }
        output.Write((byte)']');
    }

    /// <summary>Throws what <see cref="Utf8JsonWriter"/> throws for a number JSON cannot hold (NaN, infinities).</summary>
    private static void Refuse(double v)
    {
        using var w = new Utf8JsonWriter(Stream.Null, Compact);
        w.WriteNumberValue(v);
        throw new ArgumentException($"{v} cannot be written as a JSON number");
    }
}
