using Milad.Structures;

namespace Milad.Potentials;

/// <summary>
/// The reference stress of a frame as the virial the potentials predict, W = dE/d(strain) = V sigma (eV,
/// row-major 3 x 3; sigma in the ASE convention, positive when tensile).
/// Read from the extended-xyz header: <c>stress=</c> (ASE: eV/A^3, 9 values or Voigt xx yy zz yz xz xy) or
/// <c>stress_kbar=</c> (VASP's convention: kBar, positive under compression, so sigma = -0.1 GPa x value).
/// </summary>
public static class StressTarget
{
    /// <summary>eV/A^3 in one GPa.</summary>
    public const double EvPerCubicAngstromPerGpa = 1 / 160.21766208;

    /// <summary>The frame's reference virial, or null when it has no stress; one-line errors for unusable stresses.</summary>
    public static double[]? Virial(Structure frame)
    {
        double[] sigma;
        if (frame.Info.TryGetValue("stress", out var ase)) sigma = Full(ase, "stress", 1);
        else if (frame.Info.TryGetValue("stress_kbar", out var kbar)) sigma = Full(kbar, "stress_kbar", -0.1 * EvPerCubicAngstromPerGpa);
        else return null;
        if (frame.Cell is not { } cell || cell.Pbc.Any(p => !p))
            throw new InputException("a stress is given but the frame is not periodic in all three directions");
        var volume = Math.Abs(cell.Volume);
        return sigma.Select(s => s * volume).ToArray();
    }

    private static double[] Full(object value, string key, double factor)
    {
        var v = value switch { double[] d => d, long[] l => Array.ConvertAll(l, x => (double)x), _ => null };
        if (v == null || (v.Length != 9 && v.Length != 6) || !v.All(double.IsFinite))
            throw new InputException($"'{key}' must hold 9 or 6 finite numbers");
        // Voigt order xx yy zz yz xz xy.
        var full = v.Length == 9 ? v : [v[0], v[5], v[4], v[5], v[1], v[3], v[4], v[3], v[2]];
        return full.Select(x => x * factor).ToArray();
    }
}
