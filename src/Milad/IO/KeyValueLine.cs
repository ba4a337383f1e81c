using System.Globalization;
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
    public static List<KeyValuePair<string, object>> Parse(ReadOnlySpan<char> line)
    {
        var pairs = new List<KeyValuePair<string, object>>();
        var i = 0;
        while (true)
        {
            SkipSpace(line, ref i);
            if (i == line.Length) return pairs;
            var key = ReadKey(line, ref i);
            var afterKey = i;
            SkipSpace(line, ref i);
            if (i < line.Length && line[i] == '=')
            {
                i++;
                SkipSpace(line, ref i);
                pairs.Add(new(key, ReadValue(line, ref i, key)));
            }
            else
            {
                i = afterKey;
                pairs.Add(new(key, true));
            }
        }
    }

    private static void SkipSpace(ReadOnlySpan<char> s, ref int i)
    {
        while (i < s.Length && IsSpace(s[i])) i++;
    }

    internal static bool IsSpace(char c) => c is ' ' or '\t' or '\v' or '\f' or '\r' or '\n';

    private static string ReadKey(ReadOnlySpan<char> s, ref int i)
    {
        if (s[i] is '"' or '\'') return ReadQuoted(s, ref i);
        var start = i;
        while (i < s.Length && !IsSpace(s[i]) && s[i] != '=') i++;
        if (i == start) throw new FormatException($"'=' without a key at column {start + 1}");
        return s[start..i].ToString();
    }

    private static object ReadValue(ReadOnlySpan<char> s, ref int i, string key)
    {
        if (i == s.Length) throw new FormatException($"key '{key}' has no value after '='");
        switch (s[i])
        {
            case '"' or '\'':
            {
                var text = ReadQuoted(s, ref i);
                if (i < s.Length && !IsSpace(s[i])) throw new FormatException($"value of '{key}' continues after its closing quote");
                return Infer(text);
            }
            case '[' or '{':
                return ReadBracketed(s, ref i, key);
            default:
            {
                var start = i;
                while (i < s.Length && !IsSpace(s[i])) i++;
                return InferToken(s[start..i]);
            }
        }
    }

    /// <summary>Reads a quoted string starting at s[i] (the quote), unescaping \\, \", \' and \n; i ends after the closing quote.</summary>
    private static string ReadQuoted(ReadOnlySpan<char> s, ref int i)
    {
        var quote = s[i];
        var start = ++i;
        var close = s[start..].IndexOfAny(quote, '\\');
        if (close >= 0 && s[start + close] == quote)
        {
            i = start + close + 1; // common case: nothing to unescape
            return s.Slice(start, close).ToString();
        }
        var sb = new StringBuilder();
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (c == quote) { i++; return sb.ToString(); }
            if (c == '\\' && i + 1 < s.Length)
            {
                c = s[++i];
                sb.Append(c switch { 'n' => '\n', 't' => '\t', _ => c });
            }
            else sb.Append(c);
        }
        throw new FormatException($"unterminated {quote} quote starting at column {start}");
    }

    private static object ReadBracketed(ReadOnlySpan<char> s, ref int i, string key)
    {
        var items = new List<string>();
        var forcedString = false; // a quoted item stays a string, as in JSON
        var depth = 0;
        var item = -1;
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (c is '"' or '\'')
            {
                Flush(s, ref item, i, items);
                items.Add(ReadQuoted(s, ref i));
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
        if (depth != 0) throw new FormatException($"value of '{key}' has an unclosed bracket");
        if (i < s.Length && !IsSpace(s[i])) throw new FormatException($"value of '{key}' continues after its closing bracket");
        if (items.Count == 0) return Array.Empty<double>();
        return forcedString ? items.ToArray() : InferArray(items) ?? items.ToArray();

        static void Flush(ReadOnlySpan<char> s, ref int item, int end, List<string> items)
        {
            if (item < 0) return;
            items.Add(s[item..end].ToString());
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
