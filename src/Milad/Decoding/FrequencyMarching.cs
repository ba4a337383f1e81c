using System.Diagnostics;
using MathNet.Numerics.LinearAlgebra;
using Milad.Invariants;

namespace Milad.Decoding;

/// <summary>The moments recovered from a fingerprint, in some frame, and how well they reproduce it.</summary>
/// <param name="Moments">Real Zernike moments (order of <see cref="Moments.ZernikeBasis"/>).</param>
/// <param name="Residual">Root mean square of the weighted invariant residuals (see <see cref="FrequencyMarching"/>).</param>
/// <param name="Searched">Whether some level needed a nonlinear search (a symmetric or nearly symmetric molecule).</param>
public sealed record MarchResult(double[] Moments, double Residual, bool Searched);

/// <summary>
/// Fingerprint -> moments, up to a global rotation ("frequency marching", Bandeira et al. 2017), made to
/// work for symmetric molecules too.
/// <para>
/// Level l holds the blocks v_nl (2l + 1 real moments each) for every n. Their Gram matrix
/// G_nn' = v_nl . v_n'l is the degree-2 part of the fingerprint, so V_l = A_l E_l with A_l = Q sqrt(Lambda) from
/// the eigendecomposition of G (rank r_l: eigenvalues below <see cref="RankTolerance"/> x the largest of all
/// levels are dropped, so content at the rounding level of a nearly symmetric molecule counts as zero) and
/// E_l an r_l x (2l + 1) matrix with orthonormal rows. The unknowns are the E_l: few for symmetric
/// molecules (methane has r_l = 1 at every l), and every degree-2 invariant holds on the Stiefel manifold.
/// l = 0 comes from the degree-1 invariants.
/// </para>
/// <para>
/// Levels are solved in increasing l. Once the levels below are known, each degree-3 invariant with one
/// block at level l and the others below is linear in E_l; a least-squares solve gives E_l when that system
/// has full rank (the generic case: the lower levels fix the frame), projected onto the Stiefel manifold and
/// polished with the levels just below. The first level with content has no such equations: at l = 1 any
/// E_1 is a rotation (or reflection) of the truth, and the pseudoscalar triple products pick the hand.
/// When the linear system leaves directions free (the first content level above l = 1, as for methane and
/// centrosymmetric molecules whose odd levels vanish, or lower levels left invariant by an axis or a plane),
/// those directions are fixed by the equations of the next levels, where level l appears bilinearly: the
/// level and the next <see cref="SearchLevels"/> content levels are solved together by Levenberg-Marquardt
/// from random points of the free directions, restarted until the joint residual is at rounding level.
/// A later level that cannot be fitted sends the search back to the last searched level with more levels.
/// </para>
/// <para>
/// Every equation is weighted by 1 / (product of the norms of the blocks it couples, plus a floor), norms
/// known from the fingerprint, so residuals are relative and weak blocks count as much as strong ones.
/// </para>
/// </summary>
public sealed class FrequencyMarching
{
    private readonly InvariantSet _set;
    private readonly int _m;
    private readonly int _maxL;
    private readonly int[][] _levelOffsets;      // per l: offset of each block (n ascending)
    private readonly int[][] _gramInvariant;     // per l: k x k index of the degree-2 invariant of each pair
    private readonly List<int>[] _levelEquations; // per l: invariants whose largest l is l
    private readonly List<int>[][] _blockEquations; // per l, block: degree-3 invariants linear in it, all other blocks before it in (l, n) order
    private readonly int[] _degree1;             // degree-1 invariants
    private readonly bool _hasPseudoscalars;

    public FrequencyMarching(InvariantSet set)
    {
        _set = set;
        var basis = set.Basis;
        _m = basis.Count;
        _maxL = basis.NMax;
        _levelOffsets = new int[_maxL + 1][];
        var blockIndex = new Dictionary<(int, int), int>();
        for (var l = 0; l <= _maxL; l++)
        {
            var ns = Enumerable.Range(l, _maxL - l + 1).Where(n => ((n - l) & 1) == 0).ToArray();
            _levelOffsets[l] = ns.Select(n => basis.Offset(n, l)).ToArray();
            for (var i = 0; i < ns.Length; i++) blockIndex[(ns[i], l)] = i;
        }
        _gramInvariant = new int[_maxL + 1][];
        for (var l = 0; l <= _maxL; l++)
        {
            var k = _levelOffsets[l].Length;
            _gramInvariant[l] = Enumerable.Repeat(-1, k * k).ToArray();
        }
        _levelEquations = Enumerable.Range(0, _maxL + 1).Select(_ => new List<int>()).ToArray();
        _blockEquations = Enumerable.Range(0, _maxL + 1).Select(l => _levelOffsets[l].Select(_ => new List<int>()).ToArray()).ToArray();
        var degree1 = new List<int>();
        for (var q = 0; q < set.Count; q++)
        {
            var info = set.Invariants[q];
            if (info.Kind == InvariantKind.Pseudoscalar) _hasPseudoscalars = true;
            if (info.Degree == 1) { degree1.Add(q); continue; }
            var last = info.Blocks.Max(b => b.L);
            _levelEquations[last].Add(q);
            if (info.Degree == 2)
            {
                int i = blockIndex[info.Blocks[0]], j = blockIndex[info.Blocks[1]];
                var k = _levelOffsets[last].Length;
                _gramInvariant[last][i * k + j] = _gramInvariant[last][j * k + i] = q;
                // v_i . v_j with i < j is linear in v_j once v_i is known.
                if (i != j) _blockEquations[last][Math.Max(i, j)].Add(q);
            }
            else
            {
                // The last block in (l, n) order; the invariant is linear in it when it appears once.
                var c = info.Blocks.MaxBy(b => (b.L, b.N));
                if (info.Blocks.Count(b => b == c) == 1) _blockEquations[c.L][blockIndex[c]].Add(q);
            }
        }
        _degree1 = degree1.ToArray();
    }

    public InvariantSet Invariants => _set;

    /// <summary>
    /// Gram eigenvalues below this fraction of the largest over all levels are zero: a level whose moments
    /// are all at the rounding level of the others (odd levels of a centrosymmetric molecule) is empty.
    /// </summary>
    public double RankTolerance { get; init; } = 1e-28;

    /// <summary>
    /// Gram eigenvalues below this fraction of the largest of their own level are zero: the Gram entries carry
    /// rounding errors of ~1e-16 of that level's content, which make spurious eigenvalues of that size.
    /// </summary>
    public double LevelRankTolerance { get; init; } = 1e-14;

    /// <summary>Largest weighted RMS residual of a search's levels counted as "reproduces the fingerprint".</summary>
    public double Tolerance { get; init; } = 1e-8;

    /// <summary>
    /// Largest weighted RMS residual of a level solved linearly that is accepted without a search. Looser than
    /// <see cref="Tolerance"/>: a nearly symmetric molecule leaves residuals of the size of its asymmetry (the
    /// dropped Gram eigenvalues), while content missing from free directions leaves residuals of order one;
    /// what is left is removed by the refinement of the atoms against the fingerprint.
    /// </summary>
    public double LinearTolerance { get; init; } = 1e-5;

    /// <summary>Content levels solved together with a level whose linear system leaves directions free.</summary>
    public int SearchLevels { get; init; } = 2;

    /// <summary>
    /// Whether polishing keeps each level at the rank of its Gram matrix (V_l = A_l E_l): for the symmetrised
    /// march, where directions dropped as a small asymmetry must not come back and spoil the frame. Otherwise
    /// every moment is free, which lets weak but real directions be fitted.
    /// </summary>
    public bool KeepRank { get; init; }

    /// <summary>Random restarts of one repair (a level with the levels below it).</summary>
    public int RepairRestarts { get; init; } = 4;

    /// <summary>Random restarts of one search.</summary>
    public int Restarts { get; init; } = 24;

    /// <summary>Levels (the newest and those just below) a polish adjusts together.</summary>
    internal int PolishLevels { get; init; } = 3;

    /// <summary>
    /// Weighted RMS residual at which a polish stops: far below the tolerances, and the atoms are refined
    /// against the fingerprint afterwards anyway, so polishing to the rounding level would only cost time.
    /// </summary>
    internal double PolishTarget { get; init; } = 1e-12;

    /// <summary>Level residual above which the polish after a linear solve runs.</summary>
    internal double PolishThreshold { get; init; } = 1e-7;

    /// <summary>Moments whose invariants are <paramref name="fingerprint"/>, or the best found within <paramref name="budget"/>.</summary>
    internal MarchResult Solve(ReadOnlySpan<double> fingerprint, Random rng, WorkBudget budget)
    {
        if (fingerprint.Length != _set.Count) throw new ArgumentException($"fingerprint of {fingerprint.Length} values, expected {_set.Count}");
        var run = new Run(this, fingerprint.ToArray(), rng, budget);
        run.March();
        return new MarchResult(run.Moments, run.Residual(), run.Searched);
    }

    /// <summary>
    /// The weight of each invariant's equation: 1 / (product over the blocks it couples of (norm + floor x the
    /// largest norm)), norms from the fingerprint's own Gram diagonals, so residuals are relative down to the
    /// floor. An invariant of weak blocks is known only to the rounding of the strong ones: its moments carry
    /// absolute errors of about <see cref="MomentNoise"/> x the largest block norm, which make a relative error
    /// sigma = sum over its blocks of noise / (norm + floor); such equations are scaled down by sigma / 1e-10 so
    /// that no equation asks for more than the fingerprint holds.
    /// </summary>
    internal double[] EquationWeights(double[] f, double floor = 0)
    {
        var norms = BlockNorms(f);
        double largest = 0;
        foreach (var level in norms) foreach (var v in level) largest = Math.Max(largest, v);
        foreach (var q in _degree1) largest = Math.Max(largest, Math.Abs(f[q]));
        var noise = MomentNoise * largest + double.Epsilon;
        var offset = floor * largest + noise;
        var weights = new double[_set.Count];
        for (var q = 0; q < _set.Count; q++)
        {
            var info = _set.Invariants[q];
            double product = 1, sigma = 0;
            if (info.Degree == 1)
            {
                product = Math.Abs(f[q]) + offset;
                sigma = noise / product;
            }
            else
                foreach (var (n, l) in info.Blocks)
                {
                    var norm = norms[l][(n - l) / 2] + offset;
                    product *= norm;
                    sigma += noise / norm;
                }
            weights[q] = 1 / (product * Math.Max(1, sigma / 1e-10));
        }
        return weights;
    }

    /// <summary>
    /// The weights of the march: 1 / (product of the block norms + 1e-12 x the largest norm to the degree). The
    /// floor is on the product, so equations of weak blocks count in absolute terms: a weak direction (the tiny
    /// asymmetry of a nearly symmetric molecule) cannot dominate the linear solves it is poorly known in.
    /// </summary>
    internal double[] MarchWeights(double[] f)
    {
        var norms = BlockNorms(f);
        double largest = 0;
        foreach (var level in norms) foreach (var v in level) largest = Math.Max(largest, v);
        foreach (var q in _degree1) largest = Math.Max(largest, Math.Abs(f[q]));
        var weights = new double[_set.Count];
        for (var q = 0; q < _set.Count; q++)
        {
            var info = _set.Invariants[q];
            double product = 1;
            if (info.Degree == 1) product = Math.Abs(f[q]);
            else foreach (var (n, l) in info.Blocks) product *= norms[l][(n - l) / 2];
            weights[q] = 1 / (product + 1e-12 * Math.Pow(largest, info.Degree) + double.Epsilon);
        }
        return weights;
    }

    /// <summary>Absolute rounding error of a moment, as a fraction of the largest block norm.</summary>
    internal const double MomentNoise = 1e-15;

    /// <summary>Per level and block, sqrt of the Gram diagonal (0 when the invariant is absent).</summary>
    private double[][] BlockNorms(double[] f)
    {
        var result = new double[_maxL + 1][];
        for (var l = 0; l <= _maxL; l++)
        {
            var k = _levelOffsets[l].Length;
            result[l] = new double[k];
            for (var i = 0; i < k; i++)
            {
                var q = l == 0 ? -1 : _gramInvariant[l][i * k + i];
                result[l][i] = q >= 0 ? Math.Sqrt(Math.Max(f[q], 0)) : 0;
            }
        }
        return result;
    }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>One decoding: the state of the march over the levels.</summary>
    private sealed class Run
    {
        private readonly FrequencyMarching _fm;
        private readonly InvariantSet _set;
        private readonly double[] _f;
        private readonly double[] _w;
        private readonly Random _rng;
        private readonly WorkBudget _budget;
        private readonly double[][] _a;   // per l: k x r, row-major (V_l = A_l E_l)
        private readonly int[] _rank;
        private readonly double[] _grad;
        private int _gradOf = -1;         // the invariant whose gradient _grad holds
        private int _anchor = -1;         // last level that needed a search

        public Run(FrequencyMarching fm, double[] f, Random rng, WorkBudget budget)
        {
            _fm = fm;
            _set = fm._set;
            _f = f;
            _rng = rng;
            _budget = budget;
            Moments = new double[fm._m];
            _grad = new double[fm._m];
            foreach (var q in fm._degree1)
                Moments[_set.Basis.Index(_set.Invariants[q].Blocks[0].N, 0, 0)] = f[q];
            _a = new double[fm._maxL + 1][];
            _rank = new int[fm._maxL + 1];
            FactorGrams();
            _w = fm.MarchWeights(f);
        }

        public double[] Moments { get; }

        public bool Searched { get; private set; }

        private int MaxL => _fm._maxL;

        private void FactorGrams()
        {
            var evds = new (double[] Values, Matrix<double> Vectors)[MaxL + 1];
            double largest = 0;
            for (var l = 1; l <= MaxL; l++)
            {
                var k = _fm._levelOffsets[l].Length;
                var g = Matrix<double>.Build.Dense(k, k);
                for (var i = 0; i < k; i++)
                    for (var j = 0; j < k; j++)
                    {
                        var q = _fm._gramInvariant[l][i * k + j];
                        g[i, j] = q >= 0 ? _f[q] : 0;
                    }
                var evd = g.Evd(Symmetricity.Symmetric);
                var values = evd.EigenValues.Select(c => c.Real).ToArray();
                evds[l] = (values, evd.EigenVectors);
                foreach (var v in values) largest = Math.Max(largest, v);
            }
            for (var l = 1; l <= MaxL; l++)
            {
                var (values, vectors) = evds[l];
                var k = values.Length;
                var own = values.DefaultIfEmpty(0).Max();
                var cut = Math.Max(_fm.RankTolerance * largest, _fm.LevelRankTolerance * own);
                var keep = Enumerable.Range(0, k).Where(i => values[i] > cut)
                    .OrderByDescending(i => values[i]).Take(2 * l + 1).ToArray();
                _rank[l] = keep.Length;
                _a[l] = new double[k * keep.Length];
                for (var i = 0; i < k; i++)
                    for (var j = 0; j < keep.Length; j++)
                        _a[l][i * keep.Length + j] = vectors[i, keep[j]] * Math.Sqrt(values[keep[j]]);
            }
        }

        public void March()
        {
            var seenContent = false;
            var l = 1;
            var failures = 0;
            while (l <= MaxL)
            {
                if (_rank[l] == 0) { ClearLevel(l); l++; continue; }
                if (!seenContent)
                {
                    seenContent = true;
                    if (l == 1) { FirstLevelFrame(); l++; continue; }
                    l = Search(l, SearchLevels(l, _fm.SearchLevels));
                    continue;
                }
                // The minimum-norm solution is right also when the lower levels leave directions free that a
                // symmetry of the molecule keeps empty (a mirror plane); otherwise the free directions are searched.
                var free = SolveLevel(l, randomize: false);
                if (LevelResidual(l, l) > _fm.PolishThreshold)
                    Polish(Math.Max(1, l - _fm.PolishLevels + 1), l, 100);
                if (LevelResidual(l, l) <= _fm.LinearTolerance || _budget.Exhausted) { l++; continue; }
                // Repair: the level alone, then with the levels below it (a weak lower direction may need to
                // move), from the current state and perturbations of it.
                if (Repair(l)) { l++; continue; }
                if (free > 0)
                {
                    l = Search(l, SearchLevels(l, _fm.SearchLevels));
                    continue;
                }
                // The levels below are wrong (a search accepted a false solution) or the frame is fixed only
                // weakly: search again from the last searched level through this one.
                failures++;
                if (_anchor >= 1 && failures <= 2)
                {
                    l = Search(_anchor, l);
                    continue;
                }
                Polish(Math.Max(1, l - _fm.PolishLevels + 1), l, 200);
                l++;
            }
        }

        /// <summary>
        /// Levenberg-Marquardt on level l alone, then together with the levels below it, each from the current
        /// moments and from random perturbations of them (of the size of each block's norm).
        /// </summary>
        private bool Repair(int l)
        {
            var first = 1;
            while (first < l && _rank[first] == 0) first++;
            for (var low = l; low >= first; low--)
            {
                if (low < l && _rank[low] == 0) continue;
                var width = LevelWidth(low, l);
                var start = new double[width];
                Gather(low, l, start);
                var scale = new double[width];
                var p = 0;
                for (var k = low; k <= l; k++)
                    for (var n = 0; n < _fm._levelOffsets[k].Length; n++)
                    {
                        var q = _fm._gramInvariant[k][n * _fm._levelOffsets[k].Length + n];
                        var norm = q >= 0 ? Math.Sqrt(Math.Max(_f[q], 0)) : 0;
                        for (var mu = 0; mu < 2 * k + 1; mu++) scale[p++] = norm / Math.Sqrt(2 * k + 1);
                    }
                var best = double.PositiveInfinity;
                var bestX = new double[width];
                var x = new double[width];
                for (var attempt = 0; attempt <= _fm.RepairRestarts && !_budget.Exhausted; attempt++)
                {
                    for (var k = 0; k < width; k++) x[k] = start[k] + (attempt == 0 ? 0 : scale[k] * Gaussian(_rng));
                    Scatter(low, l, x);
                    Polish(low, l, 200);
                    var residual = LevelResidual(low, l);
                    if (residual < best) { best = residual; Gather(low, l, bestX); }
                    if (best <= _fm.Tolerance) break;
                }
                Scatter(low, l, bestX);
                if (best <= _fm.Tolerance) return true;
                Scatter(low, l, start);
            }
            return false;
        }

        /// <summary>The last level of a search from <paramref name="l"/>: l and the next <paramref name="extra"/> levels with content.</summary>
        private int SearchLevels(int l, int extra)
        {
            var hi = l;
            for (var k = l + 1; k <= MaxL && extra > 0; k++)
                if (_rank[k] > 0) { hi = k; extra--; }
            return hi;
        }

        /// <summary>l = 1 first: E_1 = the first r rows of the identity; with r = 3 the triple products choose the hand.</summary>
        private void FirstLevelFrame()
        {
            var r = _rank[1];
            var e = new double[r * 3];
            for (var j = 0; j < r; j++) e[j * 3 + j] = 1;
            SetLevel(1, e);
            if (r == 3 && _fm._hasPseudoscalars)
            {
                var plus = LevelResidual(1, 1);
                e[8] = -1;
                SetLevel(1, e);
                if (LevelResidual(1, 1) > plus) { e[8] = 1; SetLevel(1, e); }
            }
        }

        /// <summary>
        /// Solves levels lo..hi together from random starts of the directions their linear systems leave free
        /// (consistent with the Gram matrices), by Levenberg-Marquardt in the rank-kept parameters E_l, which are
        /// few for the symmetric molecules that need searches (benzene: 1 x (2l + 1) per level). Returns the next
        /// level to march.
        /// </summary>
        private int Search(int lo, int hi)
        {
            Searched = true;
            _anchor = lo;
            var width = LevelWidth(lo, hi);
            var best = double.PositiveInfinity;
            var bestX = new double[width];
            for (var attempt = 0; attempt < _fm.Restarts && !_budget.Exhausted; attempt++)
            {
                // The first level: the minimum-norm solution first (its own equations may fix it, as when a
                // weak lower direction made the linear system ill-conditioned), then random starts, alternately
                // around that solution and anywhere, each fitted alone before the levels above build on it.
                if (!HasContentBelow(lo) || attempt % 2 == 0 && attempt > 0) SetLevel(lo, RandomStiefel(_rank[lo], 2 * lo + 1));
                else SolveLevel(lo, randomize: attempt > 0);
                PolishKeepingRank(lo, lo, 100);
                for (var l = lo + 1; l <= hi; l++)
                {
                    if (_rank[l] == 0) { ClearLevel(l); continue; }
                    SolveLevel(l, randomize: attempt > 0);
                }
                if (hi > lo) PolishKeepingRank(lo, hi, 300);
                var residual = LevelResidual(lo, hi);
                if (residual < best)
                {
                    best = residual;
                    Gather(lo, hi, bestX);
                }
                if (residual <= _fm.Tolerance) return hi + 1;
            }
            Scatter(lo, hi, bestX);
            return hi + 1;
        }

        private bool HasContentBelow(int l)
        {
            for (var k = 1; k < l; k++) if (_rank[k] > 0) return true;
            return false;
        }

        private int LevelWidth(int lo, int hi)
        {
            var width = 0;
            for (var l = lo; l <= hi; l++) width += _fm._levelOffsets[l].Length * (2 * l + 1);
            return width;
        }

        private double[] RandomStiefel(int r, int width)
        {
            var e = new double[r * width];
            for (var i = 0; i < e.Length; i++) e[i] = Gaussian(_rng);
            return ProjectStiefel(e, r, width);
        }

        /// <summary>
        /// Each block of level l in turn (n ascending) by least squares from the invariants linear in it,
        /// minimum norm. With <paramref name="randomize"/> and free directions, the level is then moved to a
        /// random point consistent with its Gram matrix: E = A^+ V plus random free parts, projected onto
        /// matrices with orthonormal rows. Returns the number of free directions.
        /// </summary>
        private int SolveLevel(int l, bool randomize)
        {
            _budget.Spend();
            var width = 2 * l + 1;
            var offsets = _fm._levelOffsets[l];
            foreach (var o in offsets) Moments.AsSpan(o, width).Clear();
            var free = 0;
            for (var i = 0; i < offsets.Length; i++)
            {
                var rows = _fm._blockEquations[l][i];
                if (rows.Count == 0) { free += width; continue; }
                var a = new double[rows.Count * width];
                var b = new double[rows.Count];
                for (var r = 0; r < rows.Count; r++)
                {
                    var q = rows[r];
                    Gradient(q); // linear in the block: the gradient is the coefficient row
                    for (var k = 0; k < width; k++) a[r * width + k] = _w[q] * _grad[offsets[i] + k];
                    b[r] = _w[q] * _f[q];
                }
                var rank = LeastSquares.Solve(a, rows.Count, width, b, Moments.AsSpan(offsets[i], width), 1e-9);
                free += width - rank;
            }
            if (!randomize || free == 0) return free;

            var rk = _rank[l];
            var e = LeastSquaresE(l);
            double known = 0;
            foreach (var v in e) known += v * v;
            var sigma = Math.Sqrt(Math.Max(rk - known, 1e-2 * rk) / e.Length);
            for (var k = 0; k < e.Length; k++) e[k] += sigma * Gaussian(_rng);
            SetLevel(l, ProjectStiefel(e, rk, width));
            return free;
        }

        /// <summary>The nearest r x width matrix with orthonormal rows (U V^T of its SVD).</summary>
        private static double[] ProjectStiefel(double[] e, int r, int width)
        {
            var m = Matrix<double>.Build.Dense(r, width, (i, j) => e[i * width + j]);
            var svd = m.Svd(computeVectors: true);
            var p = svd.U * svd.VT.SubMatrix(0, r, 0, width);
            var result = new double[r * width];
            for (var i = 0; i < r; i++)
                for (var j = 0; j < width; j++) result[i * width + j] = p[i, j];
            return result;
        }

        /// <summary>Moments of level l = A_l E.</summary>
        private void SetLevel(int l, ReadOnlySpan<double> e)
        {
            var r = _rank[l];
            var width = 2 * l + 1;
            var offsets = _fm._levelOffsets[l];
            for (var n = 0; n < offsets.Length; n++)
                for (var mu = 0; mu < width; mu++)
                {
                    double s = 0;
                    for (var j = 0; j < r; j++) s += _a[l][n * r + j] * e[j * width + mu];
                    Moments[offsets[n] + mu] = s;
                }
        }

        private void ClearLevel(int l)
        {
            foreach (var o in _fm._levelOffsets[l]) Moments.AsSpan(o, 2 * l + 1).Clear();
        }

        private void Gather(int lo, int hi, Span<double> x)
        {
            var p = 0;
            for (var l = lo; l <= hi; l++)
                foreach (var o in _fm._levelOffsets[l]) { Moments.AsSpan(o, 2 * l + 1).CopyTo(x[p..]); p += 2 * l + 1; }
        }

        private void Scatter(int lo, int hi, ReadOnlySpan<double> x)
        {
            var p = 0;
            for (var l = lo; l <= hi; l++)
                foreach (var o in _fm._levelOffsets[l]) { x.Slice(p, 2 * l + 1).CopyTo(Moments.AsSpan(o)); p += 2 * l + 1; }
        }

        /// <summary>
        /// Levenberg-Marquardt on levels lo..hi against the equations of those levels, in the parameters E_l of
        /// V_l = A_l E_l (starting from the least-squares E_l of the current moments): the moments keep the rank of
        /// their Gram matrices, so directions dropped as rounding or as a small asymmetry cannot come back.
        /// Returns the cost.
        /// </summary>
        private double Polish(int lo, int hi, int iterations) =>
            _fm.KeepRank ? PolishKeepingRank(lo, hi, iterations) : PolishFree(lo, hi, iterations);

        /// <summary>Levenberg-Marquardt on every moment of levels lo..hi against the equations of those levels. Returns the cost.</summary>
        private double PolishFree(int lo, int hi, int iterations)
        {
            var width = LevelWidth(lo, hi);
            if (width == 0) return 0;
            var equations = new List<int>();
            for (var l = lo; l <= hi; l++) equations.AddRange(_fm._levelEquations[l]);
            var columns = new int[width];
            var c = 0;
            for (var l = lo; l <= hi; l++)
                foreach (var o in _fm._levelOffsets[l])
                    for (var mu = 0; mu < 2 * l + 1; mu++) columns[c++] = o + mu;
            var x = new double[width];
            Gather(lo, hi, x);
            bool Model(ReadOnlySpan<double> t, Span<double> res, Span<double> jac)
            {
                Scatter(lo, hi, t);
                for (var e = 0; e < equations.Count; e++)
                {
                    var q = equations[e];
                    // A trial point needs only the value, which costs a third of the gradient.
                    var value = jac.IsEmpty ? _set.Value(q, Moments) : Value(q);
                    res[e] = _w[q] * (value - _f[q]);
                    if (jac.IsEmpty) continue;
                    var row = jac.Slice(e * width, width);
                    for (var k = 0; k < width; k++) row[k] = _w[q] * _grad[columns[k]];
                }
                return true;
            }
            var cost = LeastSquares.LevenbergMarquardt(Model, equations.Count, x, iterations, _fm.PolishTarget * _fm.PolishTarget * equations.Count, _budget);
            Scatter(lo, hi, x);
            return cost;
        }

        /// <summary>
        /// Invariant q of the current moments; its gradient is left in _grad (nonzero only on the invariant's
        /// support, which the next call clears).
        /// </summary>
        private double Value(int q)
        {
            Gradient(q);
            // Euler: a homogeneous polynomial of degree d has grad . x = d I.
            double value = 0;
            foreach (var i in _set.Support(q)) value += _grad[i] * Moments[i];
            return value / _set.Invariants[q].Degree;
        }

        /// <summary>The gradient of invariant q into _grad, clearing only what the previous gradient set.</summary>
        private void Gradient(int q)
        {
            if (_gradOf >= 0) foreach (var i in _set.Support(_gradOf)) _grad[i] = 0;
            _gradOf = q;
            _set.AddGradient(q, Moments, 1.0, _grad);
        }

        private double PolishKeepingRank(int lo, int hi, int iterations)
        {
            var width = 0;
            for (var l = lo; l <= hi; l++) width += _rank[l] * (2 * l + 1);
            if (width == 0) return 0;
            var equations = new List<int>();
            for (var l = lo; l <= hi; l++) equations.AddRange(_fm._levelEquations[l]);
            var x = new double[width];
            var p = 0;
            for (var l = lo; l <= hi; l++)
            {
                var e = LeastSquaresE(l);
                e.CopyTo(x, p);
                p += e.Length;
            }
            void Apply(ReadOnlySpan<double> t)
            {
                var offset = 0;
                for (var l = lo; l <= hi; l++)
                {
                    var size = _rank[l] * (2 * l + 1);
                    SetLevel(l, t.Slice(offset, size));
                    offset += size;
                }
            }
            bool Model(ReadOnlySpan<double> t, Span<double> res, Span<double> jac)
            {
                Apply(t);
                for (var e = 0; e < equations.Count; e++)
                {
                    var q = equations[e];
                    // A trial point needs only the value, which costs a third of the gradient.
                    var value = jac.IsEmpty ? _set.Value(q, Moments) : Value(q);
                    res[e] = _w[q] * (value - _f[q]);
                    if (jac.IsEmpty) continue;
                    var col = e * width;
                    for (var l = lo; l <= hi; l++)
                    {
                        var r = _rank[l];
                        var w = 2 * l + 1;
                        var offsets = _fm._levelOffsets[l];
                        var a = _a[l];
                        for (var j = 0; j < r; j++)
                            for (var mu = 0; mu < w; mu++)
                            {
                                double s = 0;
                                for (var n = 0; n < offsets.Length; n++) s += a[n * r + j] * _grad[offsets[n] + mu];
                                jac[col++] = _w[q] * s;
                            }
                    }
                }
                return true;
            }
            var cost = LeastSquares.LevenbergMarquardt(Model, equations.Count, x, iterations, _fm.PolishTarget * _fm.PolishTarget * equations.Count, _budget);
            Apply(x);
            return cost;
        }

        /// <summary>E_l minimising |A_l E_l - V_l| for the current moments (A_l has orthogonal columns of norm sqrt(lambda)).</summary>
        private double[] LeastSquaresE(int l)
        {
            var r = _rank[l];
            var width = 2 * l + 1;
            var offsets = _fm._levelOffsets[l];
            var e = new double[r * width];
            for (var j = 0; j < r; j++)
            {
                var lambda = 0.0;
                for (var n = 0; n < offsets.Length; n++) lambda += _a[l][n * r + j] * _a[l][n * r + j];
                for (var mu = 0; mu < width; mu++)
                {
                    double s = 0;
                    for (var n = 0; n < offsets.Length; n++) s += _a[l][n * r + j] * Moments[offsets[n] + mu];
                    e[j * width + mu] = s / lambda;
                }
            }
            return e;
        }

        /// <summary>RMS of the weighted residuals of the equations of levels lo..hi.</summary>
        public double LevelResidual(int lo, int hi)
        {
            double sum = 0;
            var count = 0;
            for (var l = lo; l <= hi; l++)
                foreach (var q in _fm._levelEquations[l])
                {
                    var r = _w[q] * (_set.Value(q, Moments) - _f[q]);
                    sum += r * r;
                    count++;
                }
            return count == 0 ? 0 : Math.Sqrt(sum / count);
        }

        /// <summary>RMS of the weighted residuals of all invariants.</summary>
        public double Residual()
        {
            var values = new double[_set.Count];
            _set.Evaluate(Moments, values);
            double sum = 0;
            for (var q = 0; q < values.Length; q++)
            {
                var r = _w[q] * (values[q] - _f[q]);
                sum += r * r;
            }
            return Math.Sqrt(sum / values.Length);
        }
    }
}
