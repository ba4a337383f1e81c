using Milad.Structures;

namespace Milad.Alignment;

/// <summary>
/// Superposes a candidate molecule (any orientation, any atom order) onto a reference: minimum RMSD over
/// rotations (and reflections when allowed), translations and pairings of the atoms.
/// </summary>
/// <remarks>
/// Both molecules are centred at their centroids. Starting orientations come from their principal axes
/// (eigenvectors of <c>sum_i x_i x_i^T</c>) with every sign choice: 4 proper, plus 4 improper when
/// reflection is allowed. When two principal moments are close (linear, planar-symmetric, symmetric and
/// spherical tops such as benzene, methane, SF6) the axes are not defined by the molecule, so further
/// starts map a pair of reference atoms onto every pair of candidate atoms with the same radii and
/// distance. From each start, optimal pairing (<see cref="Hungarian"/> on squared distances) and optimal
/// rotation (<see cref="Kabsch"/>) alternate until the pairing is stable; each step lowers the RMSD.
/// With species matched, the pairing is solved per species. A start that reaches a pairing an earlier
/// start went through is dropped (its path from there is the same). The best result is kept, stopping at
/// the first below 1e-10 A. An exact rotated, permuted (and, when allowed, reflected) copy is found to
/// rounding error; for an inexact candidate the result is the best of these local optima, which is the
/// global one whenever the candidate's principal axes (or atom pairs) still resemble the reference's.
/// </remarks>
public static class StructureAlignment
{
    private const int MaxIterations = 20;
    // Far below the ~1e-6 A by which rounded coordinates miss a symmetry: stopping at 1e-6 could keep a
    // near-symmetric image (ammonia written to 6 decimals) instead of the exact pairing.
    private const double ExactRmsd = 1e-10;
    // Principal moments closer than this fraction of the largest leave the axes ill-defined.
    private const double DegenerateGap = 0.05;
    // Radius and distance mismatch (A) accepted for the atom-pair starts, and how many are tried.
    private const double PairTolerance = 0.25;
    private const int MaxPairStarts = 48;

    /// <summary>
    /// Aligns <paramref name="candidate"/> onto <paramref name="reference"/>.
    /// </summary>
    /// <param name="reference">A molecule (no periodic cell).</param>
    /// <param name="candidate">A molecule in arbitrary orientation, position and atom order.</param>
    /// <param name="allowReflection">Also allow improper rotations (mirror images).</param>
    /// <param name="matchSpecies">Pair atoms only with atoms of the same species. When the two species
    /// multisets differ this falls back to pairing by position alone (and SpeciesMatch is false).
    /// False: pair by position alone; SpeciesMatch then tells whether the pairing happens to agree.</param>
    /// <exception cref="ArgumentException">A structure is periodic.</exception>
    public static AlignmentResult Align(Structure reference, Structure candidate, bool allowReflection = false, bool matchSpecies = true)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(candidate);
        if (reference.IsPeriodic || candidate.IsPeriodic)
            throw new ArgumentException("alignment is for molecules; a structure has periodic boundaries");
        var n = reference.Count;
        if (candidate.Count != n) return NoAlignment(countsMatch: false);
        if (reference.Positions.Any(p => !p.IsFinite) || candidate.Positions.Any(p => !p.IsFinite))
            return NoAlignment(countsMatch: true);
        if (n == 0) return new AlignmentResult(0, [], Matrix3.Identity.ToArray(), Vec3.Zero, false, true, true);

        var byPosition = !matchSpecies || !SameMultiset(reference.AtomicNumbers, candidate.AtomicNumbers);
        var search = new Search(reference, candidate, byPosition, allowReflection);
        var best = search.Run();

        // Back to the original frames: ref_i - cr = R (cand_k - cc) + t.
        var rotation = best.Rotation;
        var translation = search.ReferenceCentroid + best.Translation - rotation * search.CandidateCentroid;
        double sum = 0;
        var speciesMatch = true;
        for (var i = 0; i < n; i++)
        {
            var k = best.Permutation[i];
            sum += (rotation * candidate.Positions[k] + translation - reference.Positions[i]).Norm2;
            speciesMatch &= reference.AtomicNumbers[i] == candidate.AtomicNumbers[k];
        }
        return new AlignmentResult(Math.Sqrt(sum / n), best.Permutation, rotation.ToArray(), translation,
            rotation.Determinant < 0, speciesMatch, true);
    }

    private static AlignmentResult NoAlignment(bool countsMatch) =>
        new(double.PositiveInfinity, [], Matrix3.Identity.ToArray(), Vec3.Zero, false, false, countsMatch);

    private static bool SameMultiset(int[] a, int[] b)
    {
        var x = (int[])a.Clone();
        var y = (int[])b.Clone();
        Array.Sort(x);
        Array.Sort(y);
        return x.AsSpan().SequenceEqual(y);
    }

    /// <summary>Pairings compared by value.</summary>
    private sealed class PermutationComparer : IEqualityComparer<int[]>
    {
        public static readonly PermutationComparer Instance = new();
        public bool Equals(int[]? x, int[]? y) => x.AsSpan().SequenceEqual(y);
        public int GetHashCode(int[] p)
        {
            var hash = new HashCode();
            hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(p.AsSpan()));
            return hash.ToHashCode();
        }
    }

    private readonly record struct Fit(double Rmsd, int[] Permutation, Matrix3 Rotation, Vec3 Translation);

    /// <summary>The centred coordinates, the pairing groups and work buffers of one alignment.</summary>
    private sealed class Search
    {
        private readonly Vec3[] _ref, _cand, _rotated, _paired;
        private readonly int[] _refSpecies, _candSpecies;
        private readonly bool _byPosition, _allowReflection;
        // Pairing happens within each group: reference indices and candidate indices of one species (or all atoms).
        private readonly (int[] Ref, int[] Cand)[] _groups;
        private readonly double[] _cost;
        private readonly int[] _assignment;
        private readonly HashSet<int[]> _visited = new(PermutationComparer.Instance);

        public Search(Structure reference, Structure candidate, bool byPosition, bool allowReflection)
        {
            ReferenceCentroid = Centroid(reference.Positions);
            CandidateCentroid = Centroid(candidate.Positions);
            _ref = reference.Positions.Select(p => p - ReferenceCentroid).ToArray();
            _cand = candidate.Positions.Select(p => p - CandidateCentroid).ToArray();
            _rotated = new Vec3[_cand.Length];
            _paired = new Vec3[_cand.Length];
            _refSpecies = reference.AtomicNumbers;
            _candSpecies = candidate.AtomicNumbers;
            _byPosition = byPosition;
            _allowReflection = allowReflection;
            var n = _ref.Length;
            _groups = byPosition
                ? [(Enumerable.Range(0, n).ToArray(), Enumerable.Range(0, n).ToArray())]
                : _refSpecies.Distinct().Select(z => (
                    Enumerable.Range(0, n).Where(i => _refSpecies[i] == z).ToArray(),
                    Enumerable.Range(0, n).Where(k => _candSpecies[k] == z).ToArray())).ToArray();
            var largest = _groups.Max(g => g.Ref.Length);
            _cost = new double[largest * largest];
            _assignment = new int[largest];
        }

        public Vec3 ReferenceCentroid { get; }
        public Vec3 CandidateCentroid { get; }

        public Fit Run()
        {
            var (refAxes, refMoments) = PrincipalAxes(_ref);
            var (candAxes, candMoments) = PrincipalAxes(_cand);
            Fit? best = null;
            foreach (var start in PrincipalStarts(refAxes, candAxes))
                if (Improve(ref best, start)) return best!.Value;
            if (IsDegenerate(refMoments) || IsDegenerate(candMoments))
                foreach (var start in PairStarts())
                    if (Improve(ref best, start)) return best!.Value;
            return best!.Value;
        }

        /// <summary>Refines from the start, keeps the better fit; true once it is exact.</summary>
        private bool Improve(ref Fit? best, Matrix3 start)
        {
            if (Refine(start) is not { } fit) return false;
            if (best is null || fit.Rmsd < best.Value.Rmsd) best = fit;
            return best.Value.Rmsd < ExactRmsd;
        }

        /// <summary>
        /// Alternates optimal pairing and optimal superposition until the pairing repeats. Null when it
        /// reaches a pairing an earlier start already passed through: from there on the path, and its
        /// result, are the same.
        /// </summary>
        private Fit? Refine(Matrix3 rotation)
        {
            var translation = Vec3.Zero;
            int[]? permutation = null;
            for (var iteration = 0; iteration < MaxIterations; iteration++)
            {
                var next = Assign(rotation, translation);
                if (permutation != null && next.AsSpan().SequenceEqual(permutation)) break;
                if (!_visited.Add(next)) return null;
                permutation = next;
                for (var i = 0; i < _ref.Length; i++) _paired[i] = _cand[permutation[i]];
                (rotation, translation) = Kabsch.Solve(_paired, _ref, default, _allowReflection);
            }
            for (var i = 0; i < _ref.Length; i++) _paired[i] = _cand[permutation![i]];
            return new Fit(Kabsch.Rmsd(_paired, _ref, default, rotation, translation), permutation!, rotation, translation);
        }

        /// <summary>The pairing of minimum total squared distance with the candidate moved as given.</summary>
        private int[] Assign(Matrix3 rotation, Vec3 translation)
        {
            for (var k = 0; k < _cand.Length; k++) _rotated[k] = rotation * _cand[k] + translation;
            var permutation = new int[_ref.Length];
            foreach (var (refs, cands) in _groups)
            {
                var m = refs.Length;
                var cost = _cost.AsSpan(0, m * m);
                for (var a = 0; a < m; a++)
                {
                    var p = _ref[refs[a]];
                    for (var b = 0; b < m; b++) cost[a * m + b] = (p - _rotated[cands[b]]).Norm2;
                }
                Hungarian.Solve(cost, m, _assignment);
                for (var a = 0; a < m; a++) permutation[refs[a]] = cands[_assignment[a]];
            }
            return permutation;
        }

        /// <summary>
        /// Reference axes times every sign choice times candidate axes transposed, proper ones first, and
        /// within each the sign choices that agree best with the skewness along each axis (the sign of
        /// sum_i (e . x_i)^3 turns with the axis), so an exact copy is usually found by the first start.
        /// </summary>
        private List<Matrix3> PrincipalStarts(Matrix3 refAxes, Matrix3 candAxes)
        {
            var baseDet = refAxes.Determinant * candAxes.Determinant;
            Span<double> agreement = stackalloc double[3];
            for (var k = 0; k < 3; k++)
            {
                double r = Skewness(_ref, refAxes.Column(k)), c = Skewness(_cand, candAxes.Column(k));
                agreement[k] = Math.Sign(r * c) * Math.Min(Math.Abs(r), Math.Abs(c));
            }
            var starts = new List<(bool Improper, double Mismatch, Matrix3 Rotation)>(8);
            for (var signs = 0; signs < 8; signs++)
            {
                double s0 = (signs & 1) == 0 ? 1 : -1, s1 = (signs & 2) == 0 ? 1 : -1, s2 = (signs & 4) == 0 ? 1 : -1;
                var improper = baseDet * s0 * s1 * s2 < 0;
                if (improper && !_allowReflection) continue;
                var signed = Matrix3.FromColumns(s0 * refAxes.Column(0), s1 * refAxes.Column(1), s2 * refAxes.Column(2));
                var mismatch = -(s0 * agreement[0] + s1 * agreement[1] + s2 * agreement[2]);
                starts.Add((improper, mismatch, signed * candAxes.Transpose()));
            }
            return starts.OrderBy(t => t.Improper).ThenBy(t => t.Mismatch).Select(t => t.Rotation).ToList();
        }

        private static double Skewness(Vec3[] points, Vec3 axis)
        {
            var sum = 0.0;
            foreach (var p in points)
            {
                var d = p.Dot(axis);
                sum += d * d * d;
            }
            return sum;
        }

        /// <summary>
        /// Rotations taking a candidate atom pair (k, l) onto a reference anchor pair (i, j): the frame
        /// (x_k, the part of x_l normal to x_k, their cross product) onto the same frame of (i, j). Only pairs
        /// of the right species whose radii and distance match, best match first. The anchors are the
        /// off-centre reference atoms with the fewest look-alikes among the candidate atoms.
        /// </summary>
        private IEnumerable<Matrix3> PairStarts()
        {
            var n = _ref.Length;
            var refRadius = _ref.Select(p => p.Norm).ToArray();
            var candRadius = _cand.Select(p => p.Norm).ToArray();
            var reach = refRadius.Max();
            if (reach <= 0) yield break;
            bool Offcentre(int i) => refRadius[i] > 0.2 * reach;
            bool Alike(int i, int k) => (_byPosition || _refSpecies[i] == _candSpecies[k]) && Math.Abs(refRadius[i] - candRadius[k]) < PairTolerance;
            int LookAlikes(int i) => Enumerable.Range(0, n).Count(k => Alike(i, k));

            var anchor = Enumerable.Range(0, n).Where(i => Offcentre(i) && LookAlikes(i) > 0)
                .OrderBy(LookAlikes).ThenByDescending(i => refRadius[i]).DefaultIfEmpty(-1).First();
            if (anchor < 0) yield break;
            double Spread(int i, int j) => _ref[i].Cross(_ref[j]).Norm / (refRadius[i] * refRadius[j]);
            var second = Enumerable.Range(0, n).Where(j => j != anchor && Offcentre(j) && Spread(anchor, j) > 0.3 && LookAlikes(j) > 0)
                .OrderBy(LookAlikes).ThenByDescending(j => _ref[anchor].Cross(_ref[j]).Norm).DefaultIfEmpty(-1).First();
            if (second < 0) yield break; // collinear: the principal axes already cover every orientation

            var distance = (_ref[anchor] - _ref[second]).Norm;
            var pairs = new List<(double Mismatch, int K, int L)>();
            for (var k = 0; k < n; k++)
            {
                if (!Alike(anchor, k)) continue;
                for (var l = 0; l < n; l++)
                {
                    if (l == k || !Alike(second, l) || _cand[k].Cross(_cand[l]).Norm < 0.1 * candRadius[k] * candRadius[l]) continue;
                    var mismatch = Math.Abs(refRadius[anchor] - candRadius[k]) + Math.Abs(refRadius[second] - candRadius[l])
                        + Math.Abs(distance - (_cand[k] - _cand[l]).Norm);
                    if (mismatch < 2 * PairTolerance) pairs.Add((mismatch, k, l));
                }
            }
            var refFrame = Frame(_ref[anchor], _ref[second]);
            var mirrored = Matrix3.FromColumns(refFrame.Column(0), refFrame.Column(1), -refFrame.Column(2));
            foreach (var (_, k, l) in pairs.OrderBy(p => p.Mismatch).Take(MaxPairStarts))
            {
                var candFrame = Frame(_cand[k], _cand[l]).Transpose();
                yield return refFrame * candFrame;
                if (_allowReflection) yield return mirrored * candFrame;
            }
        }

        private static Matrix3 Frame(Vec3 x, Vec3 y)
        {
            var e1 = x / x.Norm;
            var e2 = y - y.Dot(e1) * e1;
            e2 /= e2.Norm;
            return Matrix3.FromColumns(e1, e2, e1.Cross(e2));
        }

        /// <summary>
        /// Eigenvectors (columns, ascending eigenvalue) and eigenvalues of sum_i x_i x_i^T. The matrix is
        /// symmetric positive semi-definite, so its singular vectors are its eigenvectors.
        /// </summary>
        private static (Matrix3 Axes, double[] Moments) PrincipalAxes(Vec3[] points)
        {
            double xx = 0, xy = 0, xz = 0, yy = 0, yz = 0, zz = 0;
            foreach (var p in points)
            {
                xx += p.X * p.X; xy += p.X * p.Y; xz += p.X * p.Z;
                yy += p.Y * p.Y; yz += p.Y * p.Z; zz += p.Z * p.Z;
            }
            var (_, sigma, v) = Kabsch.Svd(new Matrix3(xx, xy, xz, xy, yy, yz, xz, yz, zz));
            return (Matrix3.FromColumns(v.Column(2), v.Column(1), v.Column(0)), [sigma.Z, sigma.Y, sigma.X]);
        }

        private static bool IsDegenerate(double[] ascending) =>
            Math.Min(ascending[1] - ascending[0], ascending[2] - ascending[1]) < DegenerateGap * ascending[2];

        private static Vec3 Centroid(Vec3[] points)
        {
            var sum = Vec3.Zero;
            foreach (var p in points) sum += p;
            return sum / points.Length;
        }
    }
}
