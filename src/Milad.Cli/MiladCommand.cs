using System.CommandLine;

namespace Milad.Cli;

/// <summary>
/// The `milad` command: builds the command tree and turns every user mistake into one line on stderr
/// and exit code 2 (parse errors included), never a stack trace.
/// </summary>
public static class MiladCommand
{
    public const int Ok = 0;
    public const int InternalError = 1;
    public const int UserError = 2;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("Milad: invertible, rotation-invariant Zernike-moment fingerprints of atomic structures.");
        root.Subcommands.Add(FingerprintCommand.Create(stdout));
        root.Subcommands.Add(DecodeCommand.Create(stdout, stderr));
        root.Subcommands.Add(RoundtripCommand.Create(stdout, stderr));
        root.Subcommands.Add(TrainCommand.Create(stdout));
        root.Subcommands.Add(PredictCommand.Create(stdout));
        root.Subcommands.Add(DriveCommand.Create(stdout));
        root.Subcommands.Add(ExportKimCommand.Create(stdout));
        root.Subcommands.Add(BenchCommand.Create(stdout));
        ParseResult parsed;
        try
        {
            parsed = root.Parse(args);
        }
        catch (Exception e)
        {
            stderr.WriteLine($"milad: error: {e.Message}");
            return UserError;
        }
        if (ParseErrors.FirstError(root, args, parsed) is { } error)
        {
            stderr.WriteLine($"milad: error: {error}");
            return UserError;
        }
        try
        {
            if (parsed.Action is System.CommandLine.Help.HelpAction)
            {
                // Help goes through a buffer: the program is named milad and every command gets its examples.
                var help = new StringWriter();
                var code = parsed.Invoke(new InvocationConfiguration { Output = help, Error = stderr, EnableDefaultExceptionHandler = false });
                HelpWithExamples.Write(stdout, help.ToString(), parsed.CommandResult.Command, root.Name);
                return code;
            }
            return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (InputException e)
        {
            stderr.WriteLine($"milad: error: {e.Message}");
            return UserError;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"milad: error: {e.Message}");
            return UserError;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"milad: internal error ({e.GetType().Name}): {e.Message} -- please report it with the input that caused it");
            return InternalError;
        }
    }
}
