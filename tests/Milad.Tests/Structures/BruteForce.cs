using MathNet.Numerics.LinearAlgebra;
using Milad.Structures;

namespace Milad.Tests.Structures;

/// <summary>
/// Reference neighbour search for tests: every pair of atoms and every lattice shift in a range that
/// provably contains all neighbours. Slow (O(N^2 m^3), m the shift range) and obviously right.
/// </summary>
internal static class BruteForce
{
    /// <summary>Neighbours of each atom within the cutoff, sorted by (Index, ShiftA, ShiftB, ShiftC).</summary>
    public static List<Neighbour>[] Neighbours(Structure s, double cutoff)
    {
        var r = s.Positions;
        int n = r.Length;
        var cell = s.Cell;
        Vec3 a = cell?.A ?? Vec3.Zero, b = cell?.B ?? Vec3.Zero, c = cell?.C ?? Vec3.Zero;
        bool[] pbc = cell == null ? [false, false, false] : [cell.Pbc[0], cell.Pbc[1], cell.Pbc[2]];

        // With L the periodic lattice vectors as columns and v = d - (r_j - r_i) = L S: S = pinv(L) v, so
        // |S_k| <= |row k of pinv(L)| |v| < |row k| (cutoff + |r_j - r_i|) for any neighbour.
        var periodic = Enumerable.Range(0, 3).Where(d => pbc[d]).ToArray();
        var rowNorm = new double[3];
        if (periodic.Length > 0)
        {
            var vectors = new[] { a, b, c };
            var lat = Matrix<double>.Build.Dense(3, periodic.Length, (i, k) => vectors[periodic[k]][i]);
            var pinv = lat.PseudoInverse();
            for (int k = 0; k < periodic.Length; k++) rowNorm[periodic[k]] = pinv.Row(k).L2Norm();
        }

        var result = new List<Neighbour>[n];
        double c2 = cutoff * cutoff;
        for (int i = 0; i < n; i++)
        {
            var list = result[i] = [];
            for (int j = 0; j < n; j++)
            {
                double reach = cutoff + (r[j] - r[i]).Norm;
                int ma = (int)Math.Ceiling(reach * rowNorm[0]) + 1, mb = (int)Math.Ceiling(reach * rowNorm[1]) + 1, mc = (int)Math.Ceiling(reach * rowNorm[2]) + 1;
                if (!pbc[0]) ma = 0;
                if (!pbc[1]) mb = 0;
                if (!pbc[2]) mc = 0;
                for (int sa = -ma; sa <= ma; sa++)
                    for (int sb = -mb; sb <= mb; sb++)
                        for (int sc = -mc; sc <= mc; sc++)
                        {
                            if (i == j && sa == 0 && sb == 0 && sc == 0) continue;
                            var d = r[j] + (sa * a + sb * b + sc * c) - r[i];
                            if (d.Norm2 < c2) list.Add(new Neighbour(j, d, sa, sb, sc));
                        }
            }
        }
        return result;
    }
}
