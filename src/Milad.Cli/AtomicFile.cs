namespace Milad.Cli;

/// <summary>
/// An output file written under a temporary name beside its destination and renamed into place only
/// when complete, so a failure never leaves a half-written file.
/// </summary>
public sealed class AtomicFile : IDisposable
{
    private bool _committed;

    public AtomicFile(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        var dir = System.IO.Path.GetDirectoryName(Path)!;
        if (!Directory.Exists(dir)) throw new InputException($"{path}: the output directory does not exist");
        TemporaryPath = System.IO.Path.Combine(dir, $".{System.IO.Path.GetFileName(Path)}.{Environment.ProcessId}.tmp");
        Stream = new FileStream(TemporaryPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16);
    }

    public string Path { get; }

    public string TemporaryPath { get; }

    public FileStream Stream { get; }

    /// <summary>Flushes, closes and renames the temporary file to its destination.</summary>
    public void Commit()
    {
        Stream.Flush();
        Stream.Dispose();
        File.Move(TemporaryPath, Path, overwrite: true);
        _committed = true;
    }

    /// <summary>Without <see cref="Commit"/>, the temporary file is deleted.</summary>
    public void Dispose()
    {
        if (_committed) return;
        Stream.Dispose();
        try { File.Delete(TemporaryPath); } catch (IOException) { }
    }
}
