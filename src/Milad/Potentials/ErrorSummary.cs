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
    /// <summary>The errors of predictions against the frames' own energies and forces.</summary>
    public static ErrorSummary Of(IReadOnlyList<Structures.Structure> frames, IReadOnlyList<Prediction> predictions)
    {
        double eAbs = 0, eSq = 0, fAbs = 0, fSq = 0;
        long components = 0;
        for (var f = 0; f < frames.Count; f++)
        {
            var s = frames[f];
            var p = predictions[f];
            var de = (p.Energy - s.Energy!.Value) / s.Count;
            eAbs += Math.Abs(de);
            eSq += de * de;
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
        return new ErrorSummary(frames.Count, components, eAbs / n, Math.Sqrt(eSq / n), fAbs / c, Math.Sqrt(fSq / c));
    }
}
