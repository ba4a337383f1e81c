namespace Milad.Structures;

/// <summary>
/// A (possibly triclinic) simulation cell: three lattice vectors (rows, Angstrom) and the periodic
/// boundary flag of each direction.
/// </summary>
public sealed class Cell
{
    public Cell(Vec3 a, Vec3 b, Vec3 c, bool periodicA = true, bool periodicB = true, bool periodicC = true)
    {
        A = a; B = b; C = c;
        Pbc = [periodicA, periodicB, periodicC];
    }

    public Vec3 A { get; }
    public Vec3 B { get; }
    public Vec3 C { get; }

    /// <summary>Periodic boundary flags along A, B, C.</summary>
    public IReadOnlyList<bool> Pbc { get; }

    public bool AnyPeriodic => Pbc[0] || Pbc[1] || Pbc[2];

    public Vec3 this[int i] => i switch { 0 => A, 1 => B, 2 => C, _ => throw new ArgumentOutOfRangeException(nameof(i)) };

    /// <summary>Signed volume a . (b x c).</summary>
    public double Volume => A.Dot(B.Cross(C));

    /// <summary>Distance between the two lattice planes spanned by the other two vectors, for each direction.</summary>
    public Vec3 PlaneSpacings
    {
        get
        {
            var v = Math.Abs(Volume);
            return new Vec3(v / B.Cross(C).Norm, v / C.Cross(A).Norm, v / A.Cross(B).Norm);
        }
    }

    /// <summary>Cartesian position of fractional coordinates.</summary>
    public Vec3 ToCartesian(Vec3 f) => f.X * A + f.Y * B + f.Z * C;

    /// <summary>Fractional coordinates of a Cartesian position.</summary>
    public Vec3 ToFractional(Vec3 r)
    {
        var v = Volume;
        return new Vec3(r.Dot(B.Cross(C)) / v, r.Dot(C.Cross(A)) / v, r.Dot(A.Cross(B)) / v);
    }

    /// <summary>The cell with every vector rotated (or otherwise linearly mapped) by <paramref name="map"/>.</summary>
    public Cell Transform(Func<Vec3, Vec3> map) => new(map(A), map(B), map(C), Pbc[0], Pbc[1], Pbc[2]);
}
