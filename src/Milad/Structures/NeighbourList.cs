using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Milad.Structures;

/// <summary>
/// One neighbour of a centre atom: atom <see cref="Index"/> translated by the lattice shift
/// (<see cref="ShiftA"/>, <see cref="ShiftB"/>, <see cref="ShiftC"/>).
/// </summary>
/// <param name="Index">Index of the neighbouring atom (may equal the centre for its own periodic images).</param>
/// <param name="Displacement">
/// Vector from the centre atom to the neighbour image, computed from the positions as given (not wrapped):
/// <c>(r[Index] + (ShiftA * A + ShiftB * B + ShiftC * C)) - r[centre]</c>.
/// </param>
/// <param name="ShiftA">Lattice translation along A (zero when A is not periodic).</param>
/// <param name="ShiftB">Lattice translation along B (zero when B is not periodic).</param>
/// <param name="ShiftC">Lattice translation along C (zero when C is not periodic).</param>
[StructLayout(LayoutKind.Auto)]
public readonly record struct Neighbour(int Index, Vec3 Displacement, int ShiftA, int ShiftB, int ShiftC);

/// <summary>
/// All neighbours within a cutoff of every atom of a structure, periodic images included, built with
/// cell lists (binning) in the frame of the (possibly triclinic) cell. Directions that are not
/// periodic (no cell, or a false <see cref="Cell.Pbc"/> flag) get no images. The cutoff may exceed the
/// cell: then an atom sees many images of every atom, including images of itself (only the centre atom
/// itself, with zero shift, is left out). Atoms may lie anywhere (outside the cell too); shifts and
/// displacements always refer to the positions as given.
/// </summary>
/// <remarks>
/// Storage is one flat array with per-atom offsets (CSR). Building costs O(N + neighbours) at fixed
/// density: the neighbours of each atom come out already ordered by (Index, Shift) from the traversal
/// order, and a single counting scatter groups them by centre.
/// </remarks>
public sealed class NeighbourList
{
    /// <summary>Most neighbour pairs one list may hold (about 0.9 GB while it is built): 100,000 atoms with 100 neighbours each.</summary>
    public const int MaxNeighbours = 10_000_000;

    /// <summary>Farthest an atom may lie from the cell, in cells along a periodic direction.</summary>
    public const double MaxCellsAway = 1e6;

    // Bins are at least cutoff / BinsPerCutoff wide (perpendicular to the other two directions).
    private const int BinsPerCutoff = 2;
    // Above this many atoms the grouping by centre goes through one radix pass first (cache locality).
    internal static int ScatterDirectMax = 1 << 14;

    private readonly int[] _offsets;      // AtomCount + 1
    private readonly Neighbour[] _items;  // all neighbours, grouped by centre atom

    private NeighbourList(double cutoff, int[] offsets, Neighbour[] items)
    {
        Cutoff = cutoff;
        _offsets = offsets;
        _items = items;
    }

    /// <summary>
    /// A list given whole: the neighbours of centre i are items[offsets[i] .. offsets[i + 1]] (the local environments an
    /// MD engine hands over, see <see cref="Fingerprints.Descriptor.SiteEnergies"/>).
    /// </summary>
    internal static NeighbourList FromGroups(double cutoff, int[] offsets, Neighbour[] items) => new(cutoff, offsets, items);

    /// <summary>Position of the first neighbour of <paramref name="atom"/> in the list of all (atom = AtomCount: their number).</summary>
    internal int Offset(int atom) => _offsets[atom];

    /// <summary>Number of atoms of the structure the list was built for.</summary>
    public int AtomCount => _offsets.Length - 1;

    /// <summary>The cutoff radius (Angstrom).</summary>
    public double Cutoff { get; }

    /// <summary>
    /// Neighbours of <paramref name="atom"/> strictly within the cutoff (|d|^2 &lt; cutoff^2 in floating
    /// point, d the reported displacement), sorted by (Index, ShiftA, ShiftB, ShiftC).
    /// </summary>
    public ReadOnlySpan<Neighbour> Of(int atom)
    {
        if ((uint)atom >= (uint)AtomCount)
            throw new ArgumentOutOfRangeException(nameof(atom), atom, $"atom index must be in [0, {AtomCount})");
        int start = _offsets[atom];
        return new ReadOnlySpan<Neighbour>(_items, start, _offsets[atom + 1] - start);
    }

    /// <summary>Builds the neighbour list of <paramref name="s"/> for the cutoff radius <paramref name="cutoff"/> (Angstrom).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The cutoff is not positive and finite.</exception>
    /// <exception cref="ArgumentException">A position is not finite, or the periodic lattice vectors are degenerate.</exception>
    public static NeighbourList Build(Structure s, double cutoff)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (!(cutoff > 0) || double.IsPositiveInfinity(cutoff))
            throw new ArgumentOutOfRangeException(nameof(cutoff), cutoff, "the cutoff must be positive and finite");
        var pos = s.Positions;
        int n = pos.Length;
        for (int i = 0; i < n; i++)
            if (!pos[i].IsFinite) throw new ArgumentException($"atom {i} has a non-finite position {pos[i]}", nameof(s));
        if (n == 0) return new NeighbourList(cutoff, [0], []);
        return new Builder(s, cutoff).Run();
    }

    /// <summary>One binned atom, stored in bin order: wrapped position, original index, wrap shift.</summary>
    private struct Slot
    {
        public Vec3 Wrapped;
        public int Index, Ka, Kb, Kc;
    }

    private sealed class Builder
    {
        private readonly Vec3[] _pos;
        private readonly double _cutoff;
        private readonly int _n;

        // Lattice vectors (zero where no cell) and periodic flags.
        private readonly Vec3 _l0, _l1, _l2;
        private readonly bool _p0, _p1, _p2;
        // Binning basis: the lattice vector for a periodic direction, an orthonormal completion otherwise.
        private readonly Vec3 _m0, _m1, _m2;
        // Reciprocal vectors of the basis: fractional coordinate f_d = r . g_d.
        private readonly Vec3 _g0, _g1, _g2;

        public Builder(Structure s, double cutoff)
        {
            _pos = s.Positions;
            _n = _pos.Length;
            _cutoff = cutoff;
            var cell = s.Cell;
            if (cell != null)
            {
                _l0 = cell.A; _l1 = cell.B; _l2 = cell.C;
                _p0 = cell.Pbc[0]; _p1 = cell.Pbc[1]; _p2 = cell.Pbc[2];
            }
            var m = BinningBasis([_l0, _l1, _l2], [_p0, _p1, _p2]);
            _m0 = m[0]; _m1 = m[1]; _m2 = m[2];
            double v = _m0.Dot(_m1.Cross(_m2));
            _g0 = _m1.Cross(_m2) / v;
            _g1 = _m2.Cross(_m0) / v;
            _g2 = _m0.Cross(_m1) / v;
        }

        /// <summary>
        /// Basis for binning: periodic lattice vectors as they are; the non-periodic directions are
        /// replaced by unit vectors orthogonal to the periodic ones (and to each other), so a missing or
        /// degenerate vector in a non-periodic direction does not matter.
        /// </summary>
        private static Vec3[] BinningBasis(Vec3[] lat, bool[] per)
        {
            int np = (per[0] ? 1 : 0) + (per[1] ? 1 : 0) + (per[2] ? 1 : 0);
            for (int d = 0; d < 3; d++)
                if (per[d] && !(lat[d].IsFinite && lat[d].Norm2 > 0))
                    throw new ArgumentException($"periodic lattice vector {"ABC"[d]} is zero or not finite: {lat[d]}");
            var m = new Vec3[3];
            switch (np)
            {
                case 0:
                    m[0] = new Vec3(1, 0, 0); m[1] = new Vec3(0, 1, 0); m[2] = new Vec3(0, 0, 1);
                    break;
                case 1:
                {
                    int p = per[0] ? 0 : per[1] ? 1 : 2;
                    var u = lat[p] / lat[p].Norm;
                    // Helper axis least aligned with u.
                    double ax = Math.Abs(u.X), ay = Math.Abs(u.Y), az = Math.Abs(u.Z);
                    var helper = ax <= ay && ax <= az ? new Vec3(1, 0, 0) : ay <= az ? new Vec3(0, 1, 0) : new Vec3(0, 0, 1);
                    var v1 = u.Cross(helper);
                    v1 /= v1.Norm;
                    m[p] = lat[p];
                    m[(p + 1) % 3] = v1;
                    m[(p + 2) % 3] = u.Cross(v1);
                    break;
                }
                case 2:
                {
                    int q = !per[0] ? 0 : !per[1] ? 1 : 2;
                    Vec3 a = lat[(q + 1) % 3], b = lat[(q + 2) % 3];
                    var normal = a.Cross(b);
                    if (!(normal.Norm > 1e-10 * a.Norm * b.Norm))
                        throw new ArgumentException($"periodic lattice vectors {a} and {b} are parallel");
                    m[(q + 1) % 3] = a;
                    m[(q + 2) % 3] = b;
                    m[q] = normal / normal.Norm;
                    break;
                }
                default:
                {
                    double vol = lat[0].Dot(lat[1].Cross(lat[2]));
                    if (!(Math.Abs(vol) > 1e-10 * lat[0].Norm * lat[1].Norm * lat[2].Norm))
                        throw new ArgumentException($"periodic cell is degenerate (volume {vol})");
                    m[0] = lat[0]; m[1] = lat[1]; m[2] = lat[2];
                    break;
                }
            }
            return m;
        }

        public NeighbourList Run()
        {
            int n = _n;
            var pos = _pos;
            double cutoff = _cutoff;

            // ---- Fractional coordinates, wrapping, extents --------------------------------------
            var frac = new Vec3[n];
            double lo0 = double.PositiveInfinity, lo1 = lo0, lo2 = lo0;
            double hi0 = double.NegativeInfinity, hi1 = hi0, hi2 = hi0;
            double scale = 0;
            for (int i = 0; i < n; i++)
            {
                var r = pos[i];
                var f = new Vec3(r.Dot(_g0), r.Dot(_g1), r.Dot(_g2));
                frac[i] = f;
                lo0 = Math.Min(lo0, f.X); hi0 = Math.Max(hi0, f.X);
                lo1 = Math.Min(lo1, f.Y); hi1 = Math.Max(hi1, f.Y);
                lo2 = Math.Min(lo2, f.Z); hi2 = Math.Max(hi2, f.Z);
                scale = Math.Max(scale, r.Norm);
            }
            // Periodic directions bin the wrapped coordinate in [0, 1); others the range of the atoms.
            double f00 = _p0 ? 0 : lo0, f01 = _p1 ? 0 : lo1, f02 = _p2 ? 0 : lo2;
            double span0 = _p0 ? 1 : hi0 - lo0, span1 = _p1 ? 1 : hi1 - lo1, span2 = _p2 ? 1 : hi2 - lo2;
            double h0 = 1 / _g0.Norm, h1 = 1 / _g1.Norm, h2 = 1 / _g2.Norm; // plane spacings of the basis

            var kshift = new int[3 * n];
            var wrapped = new Vec3[n];
            for (int i = 0; i < n; i++)
            {
                var f = frac[i];
                int ka = _p0 ? Floor(f.X, i) : 0, kb = _p1 ? Floor(f.Y, i) : 0, kc = _p2 ? Floor(f.Z, i) : 0;
                kshift[3 * i] = ka; kshift[3 * i + 1] = kb; kshift[3 * i + 2] = kc;
                var w = pos[i] - (ka * _l0 + kb * _l1 + kc * _l2);
                wrapped[i] = w;
                scale = Math.Max(scale, w.Norm);
                // Bin coordinate in [0, 1].
                frac[i] = new Vec3(Unit(f.X - ka, f00, span0), Unit(f.Y - kb, f01, span1), Unit(f.Z - kc, f02, span2));
            }
            scale = Math.Max(scale, Math.Max(_l0.Norm, Math.Max(_l1.Norm, _l2.Norm)));
            // Absolute slack for rounding: candidates are pre-selected generously, the final test is exact.
            double eps = 1e-9 * (cutoff + scale);

            // ---- Bins ------------------------------------------------------------------------------
            double want = cutoff / BinsPerCutoff;
            double cap = n; // at most about one bin per atom
            double d0 = Math.Clamp(Math.Floor(span0 * h0 / want), 1, cap);
            double d1 = Math.Clamp(Math.Floor(span1 * h1 / want), 1, cap);
            double d2 = Math.Clamp(Math.Floor(span2 * h2 / want), 1, cap);
            while (d0 * d1 * d2 > cap)
            {
                double shrink = Math.Cbrt(d0 * d1 * d2 / cap);
                d0 = Math.Max(1, Math.Floor(d0 / shrink));
                d1 = Math.Max(1, Math.Floor(d1 / shrink));
                d2 = Math.Max(1, Math.Floor(d2 / shrink));
            }
            int n0 = (int)d0, n1 = (int)d1, n2 = (int)d2;
            int nbins = n0 * n1 * n2;

            var binOf = new int[n];
            var binStart = new int[nbins + 1];
            for (int i = 0; i < n; i++)
            {
                var u = frac[i];
                int b = (Math.Min(n0 - 1, (int)(u.X * n0)) * n1 + Math.Min(n1 - 1, (int)(u.Y * n1))) * n2 + Math.Min(n2 - 1, (int)(u.Z * n2));
                binOf[i] = b;
                binStart[b + 1]++;
            }
            for (int b = 0; b < nbins; b++) binStart[b + 1] += binStart[b];
            var slots = new Slot[n];
            {
                var fill = binStart.AsSpan(0, nbins).ToArray();
                for (int i = 0; i < n; i++)
                    slots[fill[binOf[i]]++] = new Slot { Wrapped = wrapped[i], Index = i, Ka = kshift[3 * i], Kb = kshift[3 * i + 1], Kc = kshift[3 * i + 2] };
            }

            // Bin edge vectors, bin origin, and the radius of a bin around its centre.
            Vec3 w0 = span0 / n0 * _m0, w1 = span1 / n1 * _m1, w2 = span2 / n2 * _m2;
            Vec3 origin = f00 * _m0 + f01 * _m1 + f02 * _m2 + 0.5 * (w0 + w1 + w2);
            double rbin = 0.5 * Math.Max(Math.Max((w0 + w1 + w2).Norm, (w0 + w1 - w2).Norm), Math.Max((w0 - w1 + w2).Norm, (-1 * w0 + w1 + w2).Norm));
            double rho = cutoff + rbin + eps;        // a bin with a point within cutoff has its centre within rho
            double pre2 = (cutoff + eps) * (cutoff + eps);
            double c2 = cutoff * cutoff;
            // Search half-widths in bin units (periodic: fractional; otherwise relative to the extent).
            double r0 = span0 > 0 ? (cutoff + eps) / (h0 * span0) * n0 : 0;
            double r1 = span1 > 0 ? (cutoff + eps) / (h1 * span1) * n1 : 0;
            double r2 = span2 > 0 ? (cutoff + eps) / (h2 * span2) * n2 : 0;
            // Line through bin centres along w2, seen perpendicular to it (for pruning rows).
            var w2hat = w2.Norm2 > 0 ? w2 / w2.Norm : Vec3.Zero;
            var w1perp = w1 - w1.Dot(w2hat) * w2hat;

            // ---- Search ----------------------------------------------------------------------------
            // For every atom a (outer, ascending) and every image of every atom b near it, emit the entry
            // "centre b sees a + T" with T = -(image shift of b relative to a). Bin offsets are visited in
            // descending lexicographic order, so for fixed (a, b) the shifts T come out ascending; as a
            // ascends too, each centre's entries are already sorted by (Index, Shift) and one stable
            // scatter by centre finishes the job.
            // Capacity guess from the density (non-periodic extents padded by the cutoff); grows if short.
            double region = Math.Abs(_m0.Dot(_m1.Cross(_m2)))
                * (_p0 ? 1 : span0 + cutoff / h0) * (_p1 ? 1 : span1 + cutoff / h1) * (_p2 ? 1 : span2 + cutoff / h2);
            double estimate = n * (8 + 4.2 * cutoff * cutoff * cutoff * n / region);
            // A cell far too small for its atoms (0.01 A) or a cutoff far too large would ask for billions of pairs:
            // refused before any memory is taken (and Grow stops a list that outgrows the estimate).
            if (estimate > MaxNeighbours)
                throw new InputException(string.Create(CultureInfo.InvariantCulture,
                    $"about {estimate:G3} neighbour pairs within the cutoff {cutoff:G} A ({n} atoms in {region:G3} A^3), more than the {MaxNeighbours:G} one frame may have: check the Lattice and the cutoff"));
            int capacity = (int)Math.Clamp(estimate * 1.1 + 16, 16, MaxNeighbours);
            var buf = ArrayPool<Neighbour>.Shared.Rent(capacity);
            var owner = ArrayPool<int>.Shared.Rent(capacity);
            var counts = new int[n + 1];
            int total = 0;
            try
            {
                Vec3 l0 = _l0, l1 = _l1, l2 = _l2;
                bool p0 = _p0, p1 = _p1, p2 = _p2;
                for (int a = 0; a < n; a++)
                {
                    var x = wrapped[a];
                    var u = frac[a];
                    int ka = kshift[3 * a], kb = kshift[3 * a + 1], kc = kshift[3 * a + 2];
                    var ra = pos[a];
                    Range(u.X * n0, r0, n0, p0, out int oa0, out int oa1);
                    Range(u.Y * n1, r1, n1, p1, out int ob0, out int ob1);
                    Range(u.Z * n2, r2, n2, p2, out int oc0, out int oc1);
                    var rel = origin - x;
                    for (int oa = oa1; oa >= oa0; oa--)
                    {
                        int sa = p0 ? FloorDiv(oa, n0) : 0, wa = oa - sa * n0;
                        var ya = rel + oa * w0;
                        // Rows (oa, ob, *) whose line of bin centres passes within rho.
                        int obLo = ob0, obHi = ob1;
                        var yperp = ya - ya.Dot(w2hat) * w2hat;
                        if (!Clip(yperp, w1perp, rho, ref obLo, ref obHi)) continue;
                        for (int ob = obHi; ob >= obLo; ob--)
                        {
                            int sb = p1 ? FloorDiv(ob, n1) : 0, wb = ob - sb * n1;
                            var yb = ya + ob * w1;
                            int ocLo = oc0, ocHi = oc1;
                            if (!Clip(yb, w2, rho, ref ocLo, ref ocHi)) continue;
                            int rowBin = (wa * n1 + wb) * n2;
                            var imgAB = sa * l0 + sb * l1;
                            for (int oc = ocHi; oc >= ocLo; oc--)
                            {
                                int sc = p2 ? FloorDiv(oc, n2) : 0, wc = oc - sc * n2;
                                int bin = rowBin + wc;
                                int t1 = binStart[bin + 1];
                                int t0 = binStart[bin];
                                if (t0 == t1) continue;
                                var bse = imgAB + sc * l2 - x;
                                for (int t = t0; t < t1; t++)
                                {
                                    ref readonly var sl = ref slots[t];
                                    double dx = sl.Wrapped.X + bse.X, dy = sl.Wrapped.Y + bse.Y, dz = sl.Wrapped.Z + bse.Z;
                                    if (dx * dx + dy * dy + dz * dz >= pre2) continue;
                                    int b = sl.Index;
                                    // Image of b near a: r_b + S L with S = s + k_a - k_b; entry for centre b: T = -S.
                                    int ta = sl.Ka - ka - sa, tb = sl.Kb - kb - sb, tc = sl.Kc - kc - sc;
                                    if (b == a && ta == 0 && tb == 0 && tc == 0) continue;
                                    var d = ra + (ta * l0 + tb * l1 + tc * l2) - pos[b];
                                    if (d.Norm2 >= c2) continue;
                                    if (total == buf.Length) Grow(ref buf, ref owner, total);
                                    buf[total] = new Neighbour(a, d, ta, tb, tc);
                                    owner[total] = b;
                                    counts[b + 1]++;
                                    total++;
                                }
                            }
                        }
                    }
                }

                // ---- Group by centre (stable) --------------------------------------------------------
                for (int i = 0; i < n; i++) counts[i + 1] += counts[i];
                var items = GC.AllocateUninitializedArray<Neighbour>(total);
                if (n > ScatterDirectMax) RadixPass(ref buf, ref owner, total, n);
                var cursor = counts.AsSpan(0, n).ToArray();
                for (int t = 0; t < total; t++) items[cursor[owner[t]]++] = buf[t];
                return new NeighbourList(cutoff, counts, items);
            }
            finally
            {
                ArrayPool<Neighbour>.Shared.Return(buf);
                ArrayPool<int>.Shared.Return(owner);
            }
        }

        /// <summary>
        /// Stable counting sort of the entries by the low bits of their centre (about sqrt(n) buckets),
        /// so that the final scatter by centre has only about sqrt(n) write positions active at a time
        /// instead of one per neighbour of an atom spread over the whole list (cache misses for large n).
        /// </summary>
        private static void RadixPass(ref Neighbour[] buf, ref int[] owner, int total, int n)
        {
            int bits = (32 - System.Numerics.BitOperations.LeadingZeroCount((uint)(n - 1)) + 1) / 2;
            int buckets = 1 << bits, mask = buckets - 1;
            var start = new int[buckets + 1];
            for (int t = 0; t < total; t++) start[(owner[t] & mask) + 1]++;
            for (int k = 0; k < buckets; k++) start[k + 1] += start[k];
            var nb = ArrayPool<Neighbour>.Shared.Rent(total);
            var no = ArrayPool<int>.Shared.Rent(total);
            for (int t = 0; t < total; t++)
            {
                int o = owner[t];
                int at = start[o & mask]++;
                nb[at] = buf[t];
                no[at] = o;
            }
            ArrayPool<Neighbour>.Shared.Return(buf);
            ArrayPool<int>.Shared.Return(owner);
            buf = nb;
            owner = no;
        }

        private static int Floor(double f, int atom)
        {
            if (!(Math.Abs(f) < MaxCellsAway))
                throw new InputException(string.Create(CultureInfo.InvariantCulture,
                    $"atom {atom} lies {f:G3} cells away from the cell (at most {MaxCellsAway:G}: wrapping it back would lose its position's precision)"));
            return (int)Math.Floor(f);
        }

        // Coordinate within [f0, f0 + span], as a fraction in [0, 1].
        private static double Unit(double f, double f0, double span) =>
            span > 0 ? Math.Clamp((f - f0) / span, 0, 1) : 0;

        private static void Grow(ref Neighbour[] buf, ref int[] owner, int used)
        {
            if (used >= MaxNeighbours)
                throw new InputException($"more than {MaxNeighbours:G} neighbour pairs within the cutoff in one frame: check the positions, the Lattice and the cutoff");
            int size = (int)Math.Min(MaxNeighbours, 2L * buf.Length);
            var nb = ArrayPool<Neighbour>.Shared.Rent(size);
            var no = ArrayPool<int>.Shared.Rent(size);
            Array.Copy(buf, nb, used);
            Array.Copy(owner, no, used);
            ArrayPool<Neighbour>.Shared.Return(buf);
            ArrayPool<int>.Shared.Return(owner);
            buf = nb;
            owner = no;
        }
    }

    /// <summary>Bin offsets within <paramref name="radius"/> bins of <paramref name="at"/> (in bins); clamped when not periodic.</summary>
    private static void Range(double at, double radius, int bins, bool periodic, out int lo, out int hi)
    {
        if (!periodic)
        {
            lo = (int)Math.Clamp(Math.Floor(at - radius), 0, bins - 1);
            hi = (int)Math.Clamp(Math.Floor(at + radius), 0, bins - 1);
            return;
        }
        lo = (int)Math.Floor(at - radius);
        hi = (int)Math.Floor(at + radius);
    }

    /// <summary>Narrows [lo, hi] to the integers t with |w + t dir| &lt;= rho; false when none is left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Clip(Vec3 w, Vec3 dir, double rho, ref int lo, ref int hi)
    {
        double a = dir.Norm2, cc = w.Norm2 - rho * rho;
        if (a == 0) return cc <= 0 && lo <= hi;
        double b = w.Dot(dir);
        double disc = b * b - a * cc;
        if (disc < 0) return false;
        double sq = Math.Sqrt(disc);
        double t0 = (-b - sq) / a, t1 = (-b + sq) / a;
        if (t0 > lo) lo = t0 > hi ? hi + 1 : (int)Math.Ceiling(t0);
        if (t1 < hi) hi = t1 < lo ? lo - 1 : (int)Math.Floor(t1);
        return lo <= hi;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int FloorDiv(int x, int m)
    {
        int q = x / m;
        return (x % m != 0 && x < 0) ? q - 1 : q;
    }
}
