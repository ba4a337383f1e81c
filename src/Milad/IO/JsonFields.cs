using System.Globalization;
using System.Text.Json;

namespace Milad.IO;

/// <summary>
/// Checked reading of JSON values for every JSON file milad reads (mlearn structures, fingerprint files,
/// model files, descriptor settings): a value of the wrong JSON type, a number out of range or a
/// non-finite number is a one-line <see cref="InputException"/> that names the field, e.g.
/// <c>"length" must be an integer, got a string ("x")</c>; never an InvalidOperationException of
/// System.Text.Json.
/// </summary>
public static class JsonFields
{
    /// <summary>The value of <paramref name="name"/> in object <paramref name="obj"/>; missing is an error naming <paramref name="label"/>.</summary>
    public static JsonElement Get(JsonElement obj, string name, string? label = null) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v)
            ? v
            : throw new InputException($"no \"{label ?? name}\"");

    /// <summary>The value of <paramref name="name"/> if <paramref name="obj"/> is an object that has it.</summary>
    public static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        if (obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out value)) return true;
        value = default;
        return false;
    }

    public static JsonElement Object(JsonElement e, string label) =>
        e.ValueKind == JsonValueKind.Object ? e : throw Wrong(label, "an object", e);

    public static JsonElement Array(JsonElement e, string label) =>
        e.ValueKind == JsonValueKind.Array ? e : throw Wrong(label, "a list", e);

    public static string String(JsonElement e, string label) =>
        e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Wrong(label, "a string", e);

    public static bool Bool(JsonElement e, string label) => e.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Wrong(label, "true or false", e),
    };

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static int Int(JsonElement e, string label, int min = int.MinValue, int max = int.MaxValue)
    {
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out var v)) throw Wrong(label, "an integer", e);
        if (v < min || v > max) throw new InputException($"\"{label}\" must be {Range(min, max)}, got {v}");
        return v;
    }

    public static long Long(JsonElement e, string label)
    {
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out var v)) throw Wrong(label, "an integer", e);
        return v;
    }

    /// <summary>A finite number (1e400, which System.Text.Json reads as infinity, is refused).</summary>
    public static double Number(JsonElement e, string label)
    {
        if (e.ValueKind != JsonValueKind.Number) throw Wrong(label, "a number", e);
        if (!e.TryGetDouble(out var v) || !double.IsFinite(v))
            throw new InputException($"\"{label}\" must be a finite number, got {Show(e)}");
        return v;
    }

    /// <summary>A list of finite numbers, of <paramref name="length"/> numbers unless it is negative.</summary>
    public static double[] Numbers(JsonElement e, string label, int length = -1)
    {
        Array(e, label);
        var n = e.GetArrayLength();
        if (length >= 0 && n != length) throw new InputException($"\"{label}\" has {n} numbers, expected {length}");
        var result = new double[n];
        var i = 0;
        foreach (var x in e.EnumerateArray())
        {
            result[i] = Number(x, $"{label}[{i}]");
            i++;
        }
        return result;
    }

    /// <summary>
    /// Refuses bytes that are not UTF-8 ("FILE:LINE: not UTF-8 text (byte 0xBB)"): System.Text.Json checks the
    /// structure of a document but decodes its strings only when they are read, and would then throw an exception
    /// that is not an input error. <paramref name="firstLine"/> is the file's line of the first byte.
    /// </summary>
    public static void CheckUtf8(ReadOnlySpan<byte> bytes, string file, long firstLine = 1)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes)) return;
        var at = 0;
        while (at < bytes.Length && System.Text.Rune.DecodeFromUtf8(bytes[at..], out _, out var used) == System.Buffers.OperationStatus.Done) at += used;
        var line = firstLine + bytes[..at].Count((byte)'\n');
        throw InputException.AtLine(file, line, $"not UTF-8 text (byte 0x{bytes[Math.Min(at, bytes.Length - 1)]:X2})");
    }

    /// <summary>"FIELD must be WHAT, got a string ("x")".</summary>
    public static InputException Wrong(string label, string what, JsonElement e) =>
        new($"\"{label}\" must be {what}, got {KindOf(e)} ({Show(e)})");

    private static string KindOf(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a logical",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    /// <summary>The value's JSON text, cut to 40 characters.</summary>
    public static string Show(JsonElement e)
    {
        var text = e.ValueKind == JsonValueKind.Undefined ? "" : e.GetRawText();
        text = string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return text.Length <= 40 ? text : text[..37] + "...";
    }

    private static string Range(int min, int max) =>
        min == int.MinValue ? string.Create(CultureInfo.InvariantCulture, $"at most {max}")
        : max == int.MaxValue ? string.Create(CultureInfo.InvariantCulture, $"at least {min}")
        : string.Create(CultureInfo.InvariantCulture, $"from {min} to {max}");
}
