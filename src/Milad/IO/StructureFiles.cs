using Milad.Structures;

namespace Milad.IO;

/// <summary>Reads a structure file by its extension: .xyz and .extxyz as extended xyz, .json as mlearn JSON.</summary>
public static class StructureFiles
{
    /// <summary>Extensions <see cref="Read(string)"/> understands, lower case with the dot.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".xyz", ".extxyz", ".json"];

    /// <summary>
    /// The frames of a file, read lazily (see <see cref="ExtendedXyz.Read(string)"/>, <see cref="MlearnJson.Read(string)"/>).
    /// A missing file or an unknown extension throws a one-line <see cref="InputException"/> at once.
    /// </summary>
    public static IEnumerable<Structure> Read(string path) => Read(path, 0);

    /// <summary>
    /// The frames of a file after the first <paramref name="skip"/>, which extended xyz steps over without
    /// parsing their atoms (mlearn JSON parses them).
    /// </summary>
    public static IEnumerable<Structure> Read(string path, long skip)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        return IsXyz(path) ? ExtendedXyz.Read(path, skip) : MlearnJson.Read(path).Skip(checked((int)skip));
    }

    /// <summary>
    /// A cheap pass: per frame its atom count and, with <paramref name="periodicity"/>, whether it is periodic
    /// (<see cref="ExtendedXyz.Scan"/>; mlearn JSON is parsed in full).
    /// </summary>
    public static IEnumerable<FrameSummary> Scan(string path, bool periodicity = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        return IsXyz(path)
            ? ExtendedXyz.Scan(path, periodicity)
            : MlearnJson.Read(path).Select(s => new FrameSummary(s.Count, s.IsPeriodic));
    }

    /// <summary>True for extended xyz, false for mlearn JSON; a missing file or unknown extension throws.</summary>
    internal static bool IsXyz(string path)
    {
        if (Directory.Exists(path)) throw new InputException($"{path}: is a folder, not a structure file");
        if (!File.Exists(path)) throw new InputException($"{path}: no such file");
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".xyz" or ".extxyz" => true,
            ".json" => false,
            var ext => throw new InputException(
                $"{path}: unknown structure file type '{(ext.Length == 0 ? "(no extension)" : ext)}' (expected {string.Join(", ", Extensions)})"),
        };
    }
}
