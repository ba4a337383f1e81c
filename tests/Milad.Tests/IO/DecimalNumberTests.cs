using System.Globalization;
using Milad.IO;

namespace Milad.Tests.IO;

/// <summary>The structure files' number parser returns what the runtime's parser returns, bit for bit.</summary>
public class DecimalNumberTests
{
    private static void Same(string text)
    {
        var expectedOk = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var expected);
        var ok = DecimalNumber.TryParse(text, out var value);
        Assert.True(expectedOk == ok, $"'{text}': runtime {expectedOk}, DecimalNumber {ok}");
        if (ok) Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(value), $"'{text}': {expected:R} against {value:R}");
    }

    [Theory]
    [InlineData("0")] [InlineData("-0")] [InlineData("-0.0")] [InlineData("+1")] [InlineData("1.")] [InlineData(".5")] [InlineData("-.5")]
    [InlineData("1.e5")] [InlineData("1e")] [InlineData("e5")] [InlineData(".")] [InlineData("-")] [InlineData("")] [InlineData("+")]
    [InlineData("0e99999")] [InlineData("1e99999")] [InlineData("1e-99999")] [InlineData("00012.5000")] [InlineData("1_0")] [InlineData(" 1")]
    [InlineData("1 ")] [InlineData("NaN")] [InlineData("Infinity")] [InlineData("-Infinity")] [InlineData("1e-22")] [InlineData("1e22")]
    [InlineData("1e23")] [InlineData("9007199254740992")] [InlineData("9007199254740993")] [InlineData("123456789012345678901234")]
    [InlineData("0.1")] [InlineData("0.30000000000000004")] [InlineData("1E+05")] [InlineData("1e+5")] [InlineData("--1")] [InlineData("1..2")]
    [InlineData("1e5.5")] [InlineData("0x10")] [InlineData("1,5")] [InlineData("4.9406564584124654E-324")] [InlineData("1.7976931348623157E+308")]
    [InlineData("-6.05621000")] [InlineData("9.40451472")] [InlineData("157.7118")] [InlineData("0.00000000")] [InlineData("42")]
    public void EdgeCases(string text) => Same(text);

    [Fact]
    public void RandomNumbersInTheFormsFilesUse()
    {
        var random = new Random(7);
        string[] formats = ["R", "F3", "F8", "E10", "G5", "G17", "0.############", "E3"];
        for (var k = 0; k < 200_000; k++)
        {
            var magnitude = Math.Pow(10, random.Next(-30, 31));
            var x = (random.NextDouble() - 0.5) * magnitude;
            Same(x.ToString(formats[k % formats.Length], CultureInfo.InvariantCulture));
        }
        for (var k = 0; k < 100_000; k++)
        {
            // Random digit strings: up to 25 digits, a decimal point anywhere, an exponent sometimes.
            var digits = new char[random.Next(1, 26)];
            for (var i = 0; i < digits.Length; i++) digits[i] = (char)('0' + random.Next(10));
            var text = new string(digits);
            var point = random.Next(digits.Length + 1);
            if (random.Next(3) > 0) text = text.Insert(point, ".");
            if (random.Next(2) == 0) text += "e" + random.Next(-30, 31).ToString(CultureInfo.InvariantCulture);
            if (random.Next(2) == 0) text = "-" + text;
            Same(text);
        }
    }
}
