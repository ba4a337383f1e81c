using System.Text.Json;
using Milad.Structures;

namespace Milad.IO;

/// <summary>
/// Reads the JSON form of the mlearn benchmark (Zuo et al. 2020): a top-level array whose items hold
/// <c>structure</c> (pymatgen <c>Structure.as_dict()</c>), <c>outputs</c> (<c>energy</c>, <c>forces</c>,
/// <c>virial_stress</c>) and descriptive fields (<c>group</c>, <c>tag</c>, <c>num_atoms</c>, ...).
/// </summary>
/// <remarks>
/// Each item becomes a <see cref="Structure"/>: cell from <c>lattice.matrix</c> (rows are lattice
/// vectors, periodic in all directions), positions from <c>sites[].xyz</c> (or <c>abc</c> through the
/// lattice), element from <c>sites[].species[0].element</c>; <c>outputs.energy</c> and
/// <c>outputs.forces</c> go to <see cref="Structure.Energy"/> and <see cref="Structure.Forces"/>;
/// every other output (e.g. <c>virial_stress</c>, a double[]) and every other top-level field
/// (strings, numbers, logicals, numeric arrays flattened; objects as their JSON text) go to
/// <see cref="Structure.Info"/>. Errors name the frame, counted from 0.
/// </remarks>
public static class MlearnJson
{
    /// <summary>
    /// Reads the items lazily, one parsed JSON item in memory at a time (so <c>First()</c> reads one item).
    /// A missing file throws at once; a malformed item throws "FILE: frame N: what" when reached, invalid
    /// JSON "FILE:LINE: invalid JSON ...".
    /// </summary>
    public static IEnumerable<Structure> Read(string path)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: no such file");
        return ReadFile(path);
    }

    private static IEnumerable<Structure> ReadFile(string path)
    {
        FileStream stream;
        try { stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InputException($"{path}: cannot open: {e.Message}"); }
        using (stream)
            foreach (var s in Read(stream, path)) yield return s;
    }

    /// <summary>Reads items lazily from a stream (which the caller disposes); <paramref name="name"/> names it in errors.</summary>
    public static IEnumerable<Structure> Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Iterate(stream, name);
    }

    private static IEnumerable<Structure> Iterate(Stream stream, string name)
    {
        var items = new JsonArrayReader(stream, name);
        while (items.Next() is { } item)
        {
            Structure s;
            using (item) s = ToStructure(item.RootElement, name, items.Count - 1);
            yield return s;
        }
        if (items.Count == 0) throw new InputException($"{name}: no frames");
    }

    private static Structure ToStructure(JsonElement item, string file, int frame)
    {
        InputException Error(string what) => InputException.AtFrame(file, frame, what);
        try
        {
            return ToStructure(item, Error);
        }
        catch (InputException e) when (!e.Message.StartsWith(file, StringComparison.Ordinal))
        {
            // A JsonFields message names the field; the frame is added here.
            throw Error(e.Message);
        }
    }

    private static Structure ToStructure(JsonElement item, Func<string, InputException> Error)
    {
        if (item.ValueKind != JsonValueKind.Object) throw Error($"item is a JSON {item.ValueKind.ToString().ToLowerInvariant()}, not an object");
        if (!item.TryGetProperty("structure", out var structure) || structure.ValueKind != JsonValueKind.Object)
            throw Error("no \"structure\" object");

        if (!structure.TryGetProperty("lattice", out var lattice) || !JsonFields.TryGet(JsonFields.Object(lattice, "structure.lattice"), "matrix", out var matrix))
            throw Error("structure has no lattice.matrix");
        var rows = Matrix(matrix, 3, "lattice.matrix", Error);
        var cell = new Cell(rows[0], rows[1], rows[2]);
        if (!(Math.Abs(cell.Volume) > 1e-10 * rows[0].Norm * rows[1].Norm * rows[2].Norm))
            throw Error("degenerate lattice.matrix: its vectors span zero volume");

        if (!structure.TryGetProperty("sites", out var sites) || sites.ValueKind != JsonValueKind.Array)
            throw Error("structure has no sites array");
        var n = sites.GetArrayLength();
        var numbers = new int[n];
        var positions = new Vec3[n];
        var k = 0;
        foreach (var site in sites.EnumerateArray())
        {
            if (site.ValueKind != JsonValueKind.Object) throw Error($"site {k} is not an object");
            if (!site.TryGetProperty("species", out var species) || species.ValueKind != JsonValueKind.Array || species.GetArrayLength() == 0)
                throw Error($"site {k} has no species");
            var first = JsonFields.Object(species[0], $"sites[{k}].species[0]");
            if (species.GetArrayLength() > 1 || (first.TryGetProperty("occu", out var occu) && JsonFields.Number(occu, $"sites[{k}].species[0].occu") != 1))
                throw Error($"site {k} is disordered (several species or partial occupancy)");
            if (!first.TryGetProperty("element", out var element) || element.ValueKind != JsonValueKind.String)
                throw Error($"site {k} has no species[0].element");
            if (!Elements.TryGetAtomicNumber(element.GetString()!, out numbers[k]))
                throw Error($"site {k}: unknown element '{element.GetString()}'");
            if (site.TryGetProperty("xyz", out var xyz)) positions[k] = Vector(xyz, $"sites[{k}].xyz", Error);
            else if (site.TryGetProperty("abc", out var abc)) positions[k] = cell.ToCartesian(Vector(abc, $"sites[{k}].abc", Error));
            else throw Error($"site {k} has neither xyz nor abc");
            if (!positions[k].IsFinite) throw Error($"site {k} has a non-finite position");
            k++;
        }

        var s = new Structure(numbers, positions, cell);
        foreach (var property in item.EnumerateObject())
        {
            switch (property.Name)
            {
                case "structure":
                    break;
                case "outputs":
                    foreach (var output in JsonFields.Object(property.Value, "outputs").EnumerateObject())
                    {
                        switch (output.Name)
                        {
                            case "energy":
                                s.Energy = JsonFields.Number(output.Value, "outputs.energy");
                                break;
                            case "forces":
                                s.Forces = Matrix(output.Value, n, "outputs.forces", Error);
                                break;
                            default:
                                s.Info[output.Name] = Value(output.Value);
                                break;
                        }
                    }
                    break;
                case "num_atoms":
                    if (JsonFields.Long(property.Value, "num_atoms") != n) throw Error($"num_atoms is {property.Value.GetRawText()} but there are {n} sites");
                    s.Info["num_atoms"] = (long)n;
                    break;
                default:
                    s.Info[property.Name] = Value(property.Value);
                    break;
            }
        }
        return s;
    }

    /// <summary>rows x 3 numbers as vectors.</summary>
    private static Vec3[] Matrix(JsonElement e, int rows, string what, Func<string, InputException> error)
    {
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != rows)
            throw error($"{what} must be {rows} rows of 3 numbers");
        var result = new Vec3[rows];
        var i = 0;
        foreach (var row in e.EnumerateArray()) result[i] = Vector(row, $"{what}[{i++}]", error);
        return result;
    }

    /// <summary>3 finite numbers.</summary>
    private static Vec3 Vector(JsonElement e, string what, Func<string, InputException> error)
    {
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != 3
            || e[0].ValueKind != JsonValueKind.Number || e[1].ValueKind != JsonValueKind.Number || e[2].ValueKind != JsonValueKind.Number)
            throw error($"{what} must be 3 numbers");
        return new Vec3(JsonFields.Number(e[0], $"{what}[0]"), JsonFields.Number(e[1], $"{what}[1]"), JsonFields.Number(e[2], $"{what}[2]"));
    }

    /// <summary>A JSON value as an Info value: string, long, double, bool, flattened numeric arrays, else its JSON text.</summary>
    private static object Value(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String: return e.GetString()!;
            case JsonValueKind.Number:
                if (e.TryGetInt64(out var l)) return l;
                return e.TryGetDouble(out var d) && double.IsFinite(d) ? d : e.GetRawText(); // 1e400 stays text
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            case JsonValueKind.Array:
                var numbers = new List<double>();
                if (Flatten(e, numbers)) return numbers.ToArray();
                goto default;
            default:
                return e.GetRawText();
        }

        static bool Flatten(JsonElement e, List<double> into)
        {
            foreach (var x in e.EnumerateArray())
            {
                if (x.ValueKind == JsonValueKind.Number && x.TryGetDouble(out var d) && double.IsFinite(d)) into.Add(d);
                else if (x.ValueKind != JsonValueKind.Array || !Flatten(x, into)) return false;
            }
            return true;
        }
    }
}
