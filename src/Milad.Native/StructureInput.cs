using Milad.Structures;

namespace Milad.Native;

/// <summary>A <see cref="Structure"/> from the caller's arrays, every value checked (the library then checks the geometry).</summary>
internal static unsafe class StructureInput
{
    /// <summary>Most atoms one call takes: the Jacobian of a frame grows as atoms squared.</summary>
    public const long MaxAtoms = 10_000_000;

    public static int[] Numbers(long natoms, int* numbers, string what)
    {
        NativeErrors.Require(numbers, "atomic_numbers");
        var result = new int[natoms];
        for (var i = 0; i < natoms; i++)
        {
            var z = numbers[i];
            if (z < 1 || z > Elements.MaxAtomicNumber) throw new InputException($"{what}atom {i} has atomic number {z}, not an element (1 to {Elements.MaxAtomicNumber})");
            result[i] = z;
        }
        return result;
    }

    public static Structure Read(long natoms, int* numbers, double* positions, double* cell, int* pbc, string what = "")
    {
        if (natoms < 1 || natoms > MaxAtoms) throw new InputException($"{what}the number of atoms must be 1 to {MaxAtoms}, got {natoms}");
        NativeErrors.Require(positions, "positions");
        var z = Numbers(natoms, numbers, what);
        var r = new Vec3[natoms];
        for (var i = 0; i < natoms; i++)
        {
            r[i] = new Vec3(positions[3 * i], positions[3 * i + 1], positions[3 * i + 2]);
            if (!r[i].IsFinite) throw new InputException($"{what}atom {i} has a position that is not a finite number");
        }
        return new Structure(z, r, ReadCell(cell, pbc, what));
    }

    private static Cell? ReadCell(double* cell, int* pbc, string what)
    {
        if (cell == null)
        {
            if (pbc != null && (pbc[0] != 0 || pbc[1] != 0 || pbc[2] != 0)) throw new InputException($"{what}periodic boundaries need a cell (cell is NULL)");
            return null;
        }
        var v = new Vec3[3];
        for (var k = 0; k < 3; k++)
        {
            v[k] = new Vec3(cell[3 * k], cell[3 * k + 1], cell[3 * k + 2]);
            if (!v[k].IsFinite) throw new InputException($"{what}cell vector {k} is not finite");
        }
        bool a = pbc == null || pbc[0] != 0, b = pbc == null || pbc[1] != 0, c = pbc == null || pbc[2] != 0;
        if (a || b || c)
        {
            var volume = Math.Abs(v[0].Dot(v[1].Cross(v[2])));
            var scale = v[0].Norm * v[1].Norm * v[2].Norm;
            if (!(volume > 1e-10 * scale) || scale == 0)
                throw new InputException($"{what}the cell is singular (its lattice vectors are linearly dependent, volume {volume:G3} A^3)");
        }
        return new Cell(v[0], v[1], v[2], a, b, c);
    }
}
