using System.CommandLine;
using System.CommandLine.Parsing;

namespace Milad.Cli;

/// <summary>
/// The one line shown for a command line the parser refuses, in the user's words: a misspelt command is named
/// with the nearest one, an unknown option is named (never taken for an input file), and a value of the wrong
/// type says what was expected ("an integer"), not the .NET type.
/// </summary>
internal static class ParseErrors
{
    /// <summary>The line to show, or null when the command line is good.</summary>
    public static string? FirstError(RootCommand root, string[] args, ParseResult parsed)
    {
        var commands = root.Subcommands.Select(c => c.Name).ToArray();
        var list = string.Join(", ", commands);
        if (args.Length == 0) return $"no command given (expected one of {list}; see milad --help)";
        var first = args[0];
        if (!first.StartsWith('-') && !commands.Contains(first))
            return $"unknown command '{first}'{Suggest(first, commands, "command")} (commands: {list}; see milad --help)";

        var command = parsed.CommandResult.Command;
        var where = command is RootCommand ? "milad" : $"milad {command.Name}";
        // An option the command does not have: System.CommandLine would give it to an INPUT argument as a file name.
        var options = command.Options.Concat(root.Options.Where(o => o.Recursive))
            .SelectMany(o => o.Aliases.Prepend(o.Name)).Distinct().ToArray();
        foreach (var token in UnknownOptions(parsed))
            return $"unknown option '{token}' for {where}{Suggest(token, options, "option")} (see {where} --help)";
        if (parsed.Errors.Count == 0) return null;

        foreach (var e in parsed.Errors)
            if (e.SymbolResult is OptionResult { Option: var option } o && Wrong(option.ValueType) is { } expected)
            {
                var value = o.Tokens.Count > 0 ? o.Tokens[^1].Value : null;
                if (value != null && !Parses(option.ValueType, value))
                    return long.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out _) && expected == "an integer"
                        ? $"{option.Name}: expected an integer of at most {int.MaxValue}, got '{value}' (see {where} --help)"
                        : $"{option.Name}: expected {expected}, got '{value}' (see {where} --help)";
            }
        return $"{OneLine(parsed.Errors[0].Message)} (see {where} --help)";
    }

    /// <summary>Tokens that look like options ("--name", "-x") but were matched to no option.</summary>
    private static IEnumerable<string> UnknownOptions(ParseResult parsed)
    {
        foreach (var token in parsed.UnmatchedTokens)
            if (LooksLikeOption(token)) yield return token;
        foreach (var child in parsed.CommandResult.Children)
            if (child is ArgumentResult argument)
                foreach (var token in argument.Tokens)
                    if (LooksLikeOption(token.Value)) yield return token.Value;
    }

    private static bool LooksLikeOption(string token) =>
        token.Length > 1 && token[0] == '-' && !double.TryParse(token, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);

    /// <summary>What a value of this type is, in words; null for types whose parser says it well enough.</summary>
    private static string? Wrong(Type type) =>
        (Nullable.GetUnderlyingType(type) ?? type) switch
        {
            var t when t == typeof(int) || t == typeof(long) => "an integer",
            var t when t == typeof(double) || t == typeof(float) => "a number",
            var t when t == typeof(bool) => "true or false",
            _ => null,
        };

    private static bool Parses(Type type, string value)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        var c = System.Globalization.CultureInfo.InvariantCulture;
        if (t == typeof(int)) return int.TryParse(value, System.Globalization.NumberStyles.Integer, c, out _);
        if (t == typeof(long)) return long.TryParse(value, System.Globalization.NumberStyles.Integer, c, out _);
        if (t == typeof(double) || t == typeof(float)) return double.TryParse(value, System.Globalization.NumberStyles.Float, c, out _);
        if (t == typeof(bool)) return bool.TryParse(value, out _);
        return true;
    }

    /// <summary>" (did you mean X?)" for the nearest name within a few edits, else "".</summary>
    private static string Suggest(string given, IEnumerable<string> names, string kind)
    {
        var best = names.Select(n => (Name: n, Distance: Distance(given.ToLowerInvariant(), n.ToLowerInvariant())))
            .OrderBy(x => x.Distance).FirstOrDefault();
        return best.Name != null && best.Distance <= Math.Max(2, given.Length / 3) ? $" (did you mean {best.Name}?)" : "";
    }

    /// <summary>Levenshtein distance.</summary>
    private static int Distance(string a, string b)
    {
        var row = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) row[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }

    /// <summary>Parser messages may list choices on several lines; an error is one line.</summary>
    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
