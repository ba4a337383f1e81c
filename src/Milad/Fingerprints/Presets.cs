namespace Milad.Fingerprints;

/// <summary>Named descriptor settings, one per use.</summary>
public static class Presets
{
    /// <summary>Names of the presets.</summary>
    public static IReadOnlyList<string> Names { get; } = ["default", "paper", "compact"];

    /// <summary>
    /// The settings of a preset for a mode ("molecule" or "environments"): the cutoff is the molecule radius
    /// (7.5 A: QM9 molecules reach 6.9 A from their centroid) or the neighbour cutoff (5 A).
    /// <list type="bullet">
    /// <item>default: complete invariants at n_max = 11, enough moments for the matrix pencil to recover ~30 atoms;</item>
    /// <item>paper: complete invariants at n_max = 7, the order of Uhrin, PRB 104, 144110 (2021);</item>
    /// <item>compact: compact invariants at n_max = 7, for property prediction.</item>
    /// </list>
    /// </summary>
    public static DescriptorSettings Get(string name, string mode = "molecule")
    {
        var cutoff = mode == "environments" ? 5.0 : 7.5;
        return name switch
        {
            "default" => new DescriptorSettings { NMax = 11, InvariantSet = "complete", Cutoff = cutoff },
            "paper" => new DescriptorSettings { NMax = 7, InvariantSet = "complete", Cutoff = cutoff },
            "compact" => new DescriptorSettings { NMax = 7, InvariantSet = "compact", Cutoff = cutoff },
            _ => throw new InputException($"unknown preset '{name}' (expected {string.Join(", ", Names)})"),
        };
    }
}
