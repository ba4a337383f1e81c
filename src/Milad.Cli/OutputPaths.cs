namespace Milad.Cli;

/// <summary>
/// Checks a command's output files before any work: each has an extension the command writes, its folder
/// exists, and none is one of the inputs (which the rename of the finished output would silently replace:
/// a user's DFT data lost) or another output.
/// </summary>
internal static class OutputPaths
{
    /// <summary>An output, the option that names it and the extensions it may have (lower case with the dot; empty: any).</summary>
    public readonly record struct Output(string? Path, string Option, params string[] Extensions);

    public static void Check(IEnumerable<string?> inputs, params Output[] outputs)
    {
        var seen = new Dictionary<string, (string Name, string? Option)>(StringComparer.Ordinal); // option null: an input
        foreach (var input in inputs)
            if (input != null) seen.TryAdd(Identity(input), (input, null));
        foreach (var (path, option, extensions) in outputs)
        {
            if (path == null) continue;
            if (path.Length == 0) throw new InputException($"{option}: an empty file name");
            if (Directory.Exists(path)) throw new InputException($"{path}: is a folder ({option} names the file to write)");
            var extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
            if (extensions.Length > 0 && !extensions.Contains(extension))
                throw new InputException($"{path}: {option} writes {string.Join(" or ", extensions)} files, not '{(extension.Length == 0 ? "(no extension)" : extension)}'");
            var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
            if (dir != null && !Directory.Exists(dir)) throw new InputException($"{path}: the output directory does not exist");
            var id = Identity(path);
            if (seen.TryGetValue(id, out var other))
                throw new InputException(other.Option == null
                    ? $"{path}: {option} would overwrite the input file {other.Name}; write the output elsewhere"
                    : $"{path}: {option} names the same file as {other.Option}");
            seen[id] = (path, option);
        }
    }

    /// <summary>The full path with symbolic links resolved, so two names of one file compare equal.</summary>
    private static string Identity(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        try
        {
            if (File.Exists(full) && new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true) is { } target) return target.FullName;
            var dir = System.IO.Path.GetDirectoryName(full);
            if (dir != null && Directory.Exists(dir) && new DirectoryInfo(dir).ResolveLinkTarget(returnFinalTarget: true) is { } d)
                return System.IO.Path.Combine(d.FullName, System.IO.Path.GetFileName(full));
        }
        catch (IOException)
        {
            // A broken or looping link: compare by name.
        }
        return full;
    }
}
