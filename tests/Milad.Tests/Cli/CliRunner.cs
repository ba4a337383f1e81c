using Milad.Cli;

namespace Milad.Tests.Cli;

/// <summary>Runs the `milad` command in-process and captures its output.</summary>
public static class CliRunner
{
    public static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = MiladCommand.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A fresh temporary directory for one test's files.</summary>
    public static string TempDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "milad-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
