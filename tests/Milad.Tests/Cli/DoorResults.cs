using System.Text.Json;
using Milad.Potentials;
using Milad.Structures;

namespace Milad.Tests.Cli;

/// <summary>
/// Results of an outside engine (ASE through <c>milad drive</c>, LAMMPS through KIM) as the example scripts write
/// them: JSON objects with "energy", "forces" (one row per atom) and "stress" (3 x 3, eV/A^3).
/// </summary>
internal static class DoorResults
{
    /// <summary>Energy, forces and stress of <paramref name="result"/> equal <paramref name="expected"/> to 1e-8 relative.</summary>
    public static void AssertEqual(Prediction expected, JsonElement result)
    {
        Assert.Equal(expected.Energy, result.GetProperty("energy").GetDouble(), 1e-8 * Math.Abs(expected.Energy));
        var forces = Rows(result.GetProperty("forces"));
        var fScale = expected.Forces.Max(v => v.Norm);
        Assert.True(fScale > 0.1); // a test on forces that are all about zero could not fail
        for (var i = 0; i < forces.Length; i++)
            for (var a = 0; a < 3; a++)
                Assert.Equal(expected.Forces[i][a], forces[i][a], 1e-8 * fScale);
        var stress = Rows(result.GetProperty("stress"));
        var sScale = expected.Stress!.Max(Math.Abs);
        Assert.True(sScale > 1e-4);
        for (var a = 0; a < 3; a++)
            for (var b = 0; b < 3; b++)
                Assert.Equal(expected.Stress![3 * a + b], stress[a][b], 1e-8 * sScale);
    }

    /// <summary>A JSON array of 3-vectors.</summary>
    public static Vec3[] Rows(JsonElement e) =>
        e.EnumerateArray().Select(r => new Vec3(r[0].GetDouble(), r[1].GetDouble(), r[2].GetDouble())).ToArray();
}
