namespace Milad.Cli;

/// <summary>
/// A one-line progress counter on the terminal (stderr), redrawn at most a few times a second; silent when
/// stderr is redirected, so logs and tests see only results.
/// </summary>
public sealed class ProgressLine(string label) : IDisposable
{
    private readonly bool _enabled = !Console.IsErrorRedirected;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private long _lastDraw = -1000;
    private bool _drawn;

    public void Report(long done, long? total = null)
    {
        if (!_enabled || _clock.ElapsedMilliseconds - _lastDraw < 200) return;
        _lastDraw = _clock.ElapsedMilliseconds;
        var rate = done / Math.Max(1e-9, _clock.Elapsed.TotalSeconds);
        var of = total is { } t ? $"/{t}" : "";
        Console.Error.Write($"\r{label}: {done}{of} frames, {rate:F1}/s ");
        _drawn = true;
    }

    /// <summary>Shows a free-form status (e.g. the current losses) after the label.</summary>
    public void Report(string status)
    {
        if (!_enabled || _clock.ElapsedMilliseconds - _lastDraw < 200) return;
        _lastDraw = _clock.ElapsedMilliseconds;
        var line = $"\r{label}: {status}";
        Console.Error.Write(line.Length > 100 ? line[..100] : line.PadRight(80));
        _drawn = true;
    }

    public void Dispose()
    {
        if (_drawn) Console.Error.Write("\r" + new string(' ', 100) + "\r");
    }
}
