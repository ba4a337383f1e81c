using Milad.Structures;

namespace Milad.IO;

/// <summary>Reads a structure file by its extension: .xyz and .extxyz as extended xyz, .json as mlearn JSON.</summary>
public static class StructureFiles
{
    /// <summary>Extensions <see cref="Read"/> understands, lower case with the dot.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".xyz", ".extxyz", ".json"];

    /// <summary>
    /// The frames of a file, read lazily (see <see cref="ExtendedXyz.Read(string)"/>, <see cref="MlearnJson.Read(string)"/>).
    /// A missing file or an unknown extension throws a one-line <see cref="InputException"/> at once.
    /// </summary>
    public static IEnumerable<Structure> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) throw new InputException($"{path}: is a folder, not a structure file");
        if (!File.Exists(path)) throw new InputException($"{path}: no such file");
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".xyz" or ".extxyz" => ExtendedXyz.Read(path),
            ".json" => MlearnJson.Read(path),
            var ext => throw new InputException(
                $"{path}: unknown structure file type '{(ext.Length == 0 ? "(no extension)" : ext)}' (expected {string.Join(", ", Extensions)})"),
        };
    }
}
