using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Milad.IO;

/// <summary>
/// Parses the comment line of an extended xyz frame the way ASE does: whitespace-separated
/// <c>key=value</c> pairs, values bare, quoted ("..." or '...', backslash escapes) or in brackets
/// (<c>[1, 2, 3]</c>, nested brackets are flattened); a key without a value means true.
/// Values are typed: long, double, bool or string, and arrays of those (long[], double[], bool[],
/// string[]) when a quoted or bracketed value holds several items.
/// </summary>
internal static class KeyValueLine
{
    /// <summary>True when the line is meant as key=value pairs (has an '='); otherwise it is a plain xyz comment.</summary>
    public static bool LooksLikeKeyValues(ReadOnlySpan<char> line) => line.Contains('=');

    /// <summary>The pairs in line order; throws <see cref="FormatException"/> with a short reason on malformed text.</summary>
    public static List<KeyValuePair<string, object>> Parse(ReadOnlySpan<char> line) => Parse(line, null);

    /// <summary>
    /// The pairs whose key is one of <paramref name="keys"/> (all pairs when null), in line order. The other values are
    /// stepped over without being typed or kept, but checked the same way: malformed text throws the same exception.
    /// </summary>
    public static List<KeyValuePair<string, object>> Parse(ReadOnlySpan<char> line, string[]? keys)
    {
        var pairs = new List<KeyValuePair<string, object>>();
        var i = 0;
        while (true)
        {
            SkipSpace(line, ref i);
            if (i == line.Length) return pairs;
            var key = ReadKey(line, ref i, keys, out var name);
            var afterKey = i;
            SkipSpace(line, ref i);
            if (i < line.Length && line[i] == '=')
            {
                i++;
                SkipSpace(line, ref i);
                var value = ReadValue(line, ref i, name, keep: key != null);
                if (key != null) pairs.Add(new(key, value!));
            }
            else
            {
                i = afterKey;
                if (key != null) pairs.Add(new(key, true));
            }
        }
    }

    private static readonly SearchValues<char> Spaces = SearchValues.Create(" \t\v\f\r\n");
    private static readonly SearchValues<char> KeyEnds = SearchValues.Create(" \t\v\f\r\n=");

    private static void SkipSpace(ReadOnlySpan<char> s, ref int i)
    {
        while (i < s.Length && IsSpace(s[i])) i++;
    }

    /// <summary>Moves i to the first of <paramref name="ends"/> at or after it, or to the end of s.</summary>
    private static void SkipTo(ReadOnlySpan<char> s, ref int i, SearchValues<char> ends)
    {
        var n = s[i..].IndexOfAny(ends);
        i = n < 0 ? s.Length : i + n;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsSpace(char c) => c is ' ' or '\t' or '\v' or '\f' or '\r' or '\n';

    /// <summary>
    /// The key at s[i]; null when <paramref name="keys"/> is given and does not hold it (its value is then not kept).
    /// <paramref name="name"/> is where the key's text is, for messages: a string, or a range of s.
    /// </summary>
    private static string? ReadKey(ReadOnlySpan<char> s, ref int i, string[]? keys, out KeyName name)
    {
        if (s[i] is '"' or '\'')
        {
            var quoted = ReadQuoted(s, ref i)!;
            name = new KeyName(quoted, default);
            return keys == null || Array.IndexOf(keys, quoted) >= 0 ? quoted : null;
        }
        var start = i;
        SkipTo(s, ref i, KeyEnds);
        if (i == start) throw new FormatException($"'=' without a key at column {start + 1}");
        name = new KeyName(null, start..i);
        if (keys == null) return name.Text = s[start..i].ToString();
        foreach (var k in keys)
            if (s[start..i].SequenceEqual(k)) return name.Text = k; // the caller's string: no allocation
        return null;
    }

    /// <summary>A key's text for messages: made a string only when a message needs it.</summary>
    private struct KeyName(string? text, Range range)
    {
        public string? Text = text;
        public readonly string Of(ReadOnlySpan<char> s) => Text ?? s[range].ToString();
    }

    /// <summary>The value at s[i], typed; with <paramref name="keep"/> false only checked and stepped over (null).</summary>
    private static object? ReadValue(ReadOnlySpan<char> s, ref int i, KeyName key, bool keep)
    {
        if (i == s.Length) throw new FormatException($"key '{key.Of(s)}' has no value after '='");
        switch (s[i])
        {
            case '"' or '\'':
            {
                var text = ReadQuoted(s, ref i, keep);
                if (i < s.Length && !IsSpace(s[i])) throw new FormatException($"value of '{key.Of(s)}' continues after its closing quote");
                return keep ? Infer(text!) : null;
            }
            case '[' or '{':
                return ReadBracketed(s, ref i, key, keep);
            default:
            {
                var start = i;
                SkipTo(s, ref i, Spaces);
                return keep ? InferToken(s[start..i]) : null;
            }
        }
    }

    /// <summary>Reads a quoted string starting at s[i] (the quote), unescaping \\, \", \' and \n; i ends after the closing quote.</summary>
    private static string? ReadQuoted(ReadOnlySpan<char> s, ref int i, bool keep = true)
    {
        var quote = s[i];
        var start = ++i;
        var close = s[start..].IndexOfAny(quote, '\\');
        if (close >= 0 && s[start + close] == quote)
        {
            i = start + close + 1; // common case: nothing to unescape
            return keep ? s.Slice(start, close).ToString() : null;
        }
        var sb = keep ? new StringBuilder() : null;
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (c == quote) { i++; return sb?.ToString(); }
            if (c == '\\' && i + 1 < s.Length)
            {
                c = s[++i];
                sb?.Append(c switch { 'n' => '\n', 't' => '\t', _ => c });
            }
            else sb?.Append(c);
        }
        throw new FormatException($"unterminated {quote} quote starting at column {start}");
    }

    private static object? ReadBracketed(ReadOnlySpan<char> s, ref int i, KeyName key, bool keep)
    {
        var items = keep ? new List<string>() : null;
        var forcedString = false; // a quoted item stays a string, as in JSON
        var depth = 0;
        var item = -1;
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (c is '"' or '\'')
            {
                Flush(s, ref item, i, items);
                var quoted = ReadQuoted(s, ref i, keep);
                items?.Add(quoted!);
                forcedString = true;
                i--;
                continue;
            }
            if (c is '[' or '{') { Flush(s, ref item, i, items); depth++; continue; }
            if (c is ']' or '}')
            {
                Flush(s, ref item, i, items);
                if (--depth == 0) { i++; break; }
                continue;
            }
            if (c == ',' || IsSpace(c)) { Flush(s, ref item, i, items); continue; }
            if (item < 0) item = i;
        }
        if (depth != 0) throw new FormatException($"value of '{key.Of(s)}' has an unclosed bracket");
        if (i < s.Length && !IsSpace(s[i])) throw new FormatException($"value of '{key.Of(s)}' continues after its closing bracket");
        if (items == null) return null;
        if (items.Count == 0) return Array.Empty<double>();
        return forcedString ? items.ToArray() : InferArray(items) ?? items.ToArray();

        static void Flush(ReadOnlySpan<char> s, ref int item, int end, List<string>? items)
        {
            if (item < 0) return;
            items?.Add(s[item..end].ToString());
            item = -1;
        }
    }

    /// <summary>Type of a quoted value: one item is a scalar, several numeric or logical items an array, anything else the text.</summary>
    private static object Infer(string text)
    {
        var span = text.AsSpan();
        var tokens = new List<string>();
        var i = 0;
        while (true)
        {
            SkipSpace(span, ref i);
            if (i == span.Length) break;
            var start = i;
            while (i < span.Length && !IsSpace(span[i])) i++;
            tokens.Add(span[start..i].ToString());
        }
        return tokens.Count switch
        {
            0 => text,
            1 => InferToken(tokens[0]) switch { string => text, var scalar => scalar },
            _ => InferArray(tokens) ?? text,
        };
    }

    private static object InferToken(ReadOnlySpan<char> token)
    {
        if (TryLong(token, out var l)) return l;
        if (TryDouble(token, out var d)) return d;
        if (TryBool(token, out var b)) return b;
        return token.ToString();
    }

    /// <summary>long[] when every item is an integer, double[] when every item is a number, bool[] when all are logical, else null.</summary>
    private static object? InferArray(List<string> items)
    {
        var longs = new long[items.Count];
        var ok = true;
        for (var k = 0; k < items.Count && ok; k++) ok = TryLong(items[k], out longs[k]);
        if (ok) return longs;
        var doubles = new double[items.Count];
        ok = true;
        for (var k = 0; k < items.Count && ok; k++) ok = TryDouble(items[k], out doubles[k]);
        if (ok) return doubles;
        var bools = new bool[items.Count];
        ok = true;
        for (var k = 0; k < items.Count && ok; k++) ok = TryBool(items[k], out bools[k]);
        return ok ? bools : null;
    }

    internal static bool TryLong(ReadOnlySpan<char> s, out long value) =>
        long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    internal static bool TryDouble(ReadOnlySpan<char> s, out double value) => DecimalNumber.TryParse(s, out value);

    /// <summary>ASE's logical values: T, F, True, False (any case).</summary>
    internal static bool TryBool(ReadOnlySpan<char> s, out bool value)
    {
        if (s is "T" or "t" || s.Equals("true", StringComparison.OrdinalIgnoreCase)) { value = true; return true; }
        if (s is "F" or "f" || s.Equals("false", StringComparison.OrdinalIgnoreCase)) { value = false; return true; }
        value = false;
        return false;
    }
}
