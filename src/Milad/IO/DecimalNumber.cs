using System.Globalization;

namespace Milad.IO;

/// <summary>
/// Parses a number as <c>double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture)</c> does, with the
/// same result, bit for bit, several times faster for the numbers structure files are made of.
/// </summary>
/// <remarks>
/// Fast path (Clinger 1990): plain decimal text ([sign] digits [. digits] [e [sign] digits]) with at most 19
/// significant digits whose integer value w is at most 2^53 and whose decimal exponent k satisfies |k| &lt;= 22:
/// w and 10^|k| are exact doubles, so w x 10^k or w / 10^-k, one correctly rounded operation, is the correctly
/// rounded value of the text, which is what the runtime's parser returns. Anything else goes to the runtime.
/// </remarks>
internal static class DecimalNumber
{
    private static readonly double[] PowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    public static bool TryParse(ReadOnlySpan<char> s, out double value) =>
        TryParseFast(s, out value) || double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static bool TryParseFast(ReadOnlySpan<char> s, out double value)
    {
        value = 0;
        var i = 0;
        var negative = false;
        if (i < s.Length && s[i] is '-' or '+') negative = s[i++] == '-';
        // Common case first: at most 19 digits in all, so w cannot overflow and leading zeros need no care
        // (they add nothing to w); the same w and scale as the digit-by-digit loop below.
        var first = i;
        ulong w = 0;
        for (uint d; i < s.Length && (d = (uint)(s[i] - '0')) <= 9; i++) w = 10 * w + d;
        var digits = i - first;
        var scale = 0;
        if (digits <= 19 && i < s.Length && s[i] == '.')
        {
            var dot = ++i;
            for (uint d; i < s.Length && (d = (uint)(s[i] - '0')) <= 9; i++) w = 10 * w + d;
            scale = dot - i;
            digits -= scale;
        }
        if (digits > 19) return TryParseDigitByDigit(s, first, negative, out value);
        return Finish(s, i, digits, w, scale, negative, out value);
    }

    /// <summary>Numbers with more than 19 digits: leading zeros skipped, at most 19 significant digits.</summary>
    private static bool TryParseDigitByDigit(ReadOnlySpan<char> s, int i, bool negative, out double value)
    {
        value = 0;
        ulong w = 0;
        int digits = 0, significant = 0, scale = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++, digits++)
        {
            if (w == 0 && s[i] == '0') continue; // leading zeros are not significant
            if (++significant > 19) return false;
            w = 10 * w + (ulong)(s[i] - '0');
        }
        if (i < s.Length && s[i] == '.')
        {
            for (i++; i < s.Length && char.IsAsciiDigit(s[i]); i++, digits++)
            {
                scale--;
                if (w == 0 && s[i] == '0') continue;
                if (++significant > 19) return false;
                w = 10 * w + (ulong)(s[i] - '0');
            }
        }
        return Finish(s, i, digits, w, scale, negative, out value);
    }

    /// <summary>The exponent from s[i] on, then w x 10^scale in one exact operation when that is the correctly rounded value.</summary>
    private static bool Finish(ReadOnlySpan<char> s, int i, int digits, ulong w, int scale, bool negative, out double value)
    {
        value = 0;
        if (digits == 0) return false;
        if (i < s.Length && s[i] is 'e' or 'E')
        {
            i++;
            var negativeExponent = false;
            if (i < s.Length && s[i] is '-' or '+') negativeExponent = s[i++] == '-';
            var start = i;
            var exponent = 0;
            for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
            {
                if (exponent > 1000) return false;
                exponent = 10 * exponent + (s[i] - '0');
            }
            if (i == start) return false;
            scale += negativeExponent ? -exponent : exponent;
        }
        if (i != s.Length || w > 1UL << 53) return false;
        if (w == 0) scale = 0; // zero with any exponent is zero
        if (scale is < -22 or > 22) return false;
        var x = (double)w;
        x = scale < 0 ? x / PowersOfTen[-scale] : x * PowersOfTen[scale];
        value = negative ? -x : x;
        return true;
    }
}
