namespace Milad.Potentials;

/// <summary>Errors of predicted against reference energies (per atom) and force components.</summary>
/// <param name="Frames">Frames compared.</param>
/// <param name="ForceComponents">Force components compared (3 x atoms).</param>
/// <param name="EnergyMae">Mean absolute error of the energy per atom (eV/atom).</param>
/// <param name="EnergyRmse">Root mean square error of the energy per atom (eV/atom).</param>
/// <param name="ForceMae">Mean absolute error of force components (eV/A).</param>
/// <param name="ForceRmse">Root mean square error of force components (eV/A).</param>
public sealed record ErrorSummary(int Frames, long ForceComponents, double EnergyMae, double EnergyRmse, double ForceMae, double ForceRmse)
{
    /// <summary>Frames with a reference stress (<see cref="StressTarget"/>) and a predicted one.</summary>
    public int StressFrames { get; init; }

    /// <summary>Root mean square error of the stress components (all nine, GPa) over <see cref="StressFrames"/>.</summary>
    public double StressRmse { get; init; }

    /// <summary>Per value of the frames' <c>config_type</c> (when they have one): frames and energy RMSE (eV/atom), by name.</summary>
    public IReadOnlyList<(string Name, int Frames, double EnergyRmse)> Groups { get; init; } = [];

    /// <summary>The errors of predictions against the frames' own energies and forces.</summary>
    public static ErrorSummary Of(IReadOnlyList<Structures.Structure> frames, IReadOnlyList<Prediction> predictions)
    {
        double eAbs = 0, eSq = 0, fAbs = 0, fSq = 0, sSq = 0;
        long components = 0;
        var stressFrames = 0;
        var groups = new SortedDictionary<string, (int Frames, double Squares)>(StringComparer.Ordinal);
        for (var f = 0; f < frames.Count; f++)
        {
            var s = frames[f];
            var p = predictions[f];
            var de = (p.Energy - s.Energy!.Value) / s.Count;
            eAbs += Math.Abs(de);
            eSq += de * de;
            if (s.Info.TryGetValue("config_type", out var group) && group is string name)
            {
                var (count, squares) = groups.GetValueOrDefault(name);
                groups[name] = (count + 1, squares + de * de);
            }
            if (p.Stress != null && StressTarget.Virial(s) is { } virial)
            {
                var volume = Math.Abs(s.Cell!.Volume);
                for (var k = 0; k < 9; k++)
                {
                    var d = (p.Stress[k] - virial[k] / volume) / StressTarget.EvPerCubicAngstromPerGpa;
                    sSq += d * d;
                }
                stressFrames++;
            }
            for (var i = 0; i < s.Count; i++)
                for (var a = 0; a < 3; a++)
                {
                    var d = p.Forces[i][a] - s.Forces![i][a];
                    fAbs += Math.Abs(d);
                    fSq += d * d;
                    components++;
                }
        }
        var n = Math.Max(1, frames.Count);
        var c = Math.Max(1, components);
        return new ErrorSummary(frames.Count, components, eAbs / n, Math.Sqrt(eSq / n), fAbs / c, Math.Sqrt(fSq / c))
        {
            StressFrames = stressFrames,
            StressRmse = stressFrames > 0 ? Math.Sqrt(sSq / (9.0 * stressFrames)) : double.NaN,
            Groups = groups.Select(g => (g.Key, g.Value.Frames, Math.Sqrt(g.Value.Squares / g.Value.Frames))).ToArray(),
        };
    }
}
