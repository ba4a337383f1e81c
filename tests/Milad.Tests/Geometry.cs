using Milad.Structures;

namespace Milad.Tests;

/// <summary>Random rotations, reflections and small random structures for the tests.</summary>
public static class Geometry
{
    /// <summary>A uniformly random rotation (from a random unit quaternion) as a 3x3 matrix map.</summary>
    public static Func<Vec3, Vec3> RandomRotation(Random rng)
    {
        double a = Gaussian(rng), b = Gaussian(rng), c = Gaussian(rng), d = Gaussian(rng);
        var s = Math.Sqrt(a * a + b * b + c * c + d * d);
        (a, b, c, d) = (a / s, b / s, c / s, d / s);
        var m = new double[,]
        {
            { a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c) },
            { 2 * (b * c + a * d), a * a - b * b + c * c - d * d, 2 * (c * d - a * b) },
            { 2 * (b * d - a * c), 2 * (c * d + a * b), a * a - b * b - c * c + d * d },
        };
        return v => new Vec3(
            m[0, 0] * v.X + m[0, 1] * v.Y + m[0, 2] * v.Z,
            m[1, 0] * v.X + m[1, 1] * v.Y + m[1, 2] * v.Z,
            m[2, 0] * v.X + m[2, 1] * v.Y + m[2, 2] * v.Z);
    }

    public static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    public static Vec3 RandomVector(Random rng, double scale) =>
        new(scale * Gaussian(rng), scale * Gaussian(rng), scale * Gaussian(rng));

    /// <summary>A random point uniformly in the ball of the given radius.</summary>
    public static Vec3 RandomInBall(Random rng, double radius)
    {
        while (true)
        {
            var v = new Vec3(2 * rng.NextDouble() - 1, 2 * rng.NextDouble() - 1, 2 * rng.NextDouble() - 1);
            if (v.Norm2 <= 1) return radius * v;
        }
    }

    /// <summary>A random cluster of H, C, N, O atoms, no two closer than <paramref name="minDistance"/>.</summary>
    public static Structure RandomCluster(Random rng, int atoms, double radius, double minDistance = 0.9, int[]? species = null)
    {
        species ??= [1, 6, 7, 8];
        var positions = new List<Vec3>();
        while (positions.Count < atoms)
        {
            var p = RandomInBall(rng, radius);
            if (positions.All(q => (q - p).Norm >= minDistance)) positions.Add(p);
        }
        return new Structure(positions.Select(_ => species[rng.Next(species.Length)]).ToArray(), positions);
    }

    /// <summary>The structure with every position (and cell vector) mapped, atoms in the given order.</summary>
    public static Structure Transform(Structure s, Func<Vec3, Vec3> map, int[]? order = null, Vec3 translation = default)
    {
        order ??= Enumerable.Range(0, s.Count).ToArray();
        return new Structure(order.Select(i => s.AtomicNumbers[i]).ToArray(),
            order.Select(i => map(s.Positions[i]) + translation).ToArray(),
            s.Cell?.Transform(map));
    }

    public static int[] RandomPermutation(Random rng, int n)
    {
        var p = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(p);
        return p;
    }
}
