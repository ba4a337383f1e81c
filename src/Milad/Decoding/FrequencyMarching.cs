using System.Diagnostics;
using MathNet.Numerics.LinearAlgebra;
using Milad.Invariants;

namespace Milad.Decoding;

/// <summary>The moments recovered from a fingerprint, in some frame, and how well they reproduce it.</summary>
/// <param name="Moments">Real Zernike moments (order of <see cref="Moments.ZernikeBasis"/>).</param>
/// <param name="Residual">Root mean square of the weighted invariant residuals (see <see cref="FrequencyMarching"/>).</param>
/// <param name="Polished">Whether a Levenberg-Marquardt step beyond the linear march was needed.</param>
public sealed record MarchResult(double[] Moments, double Residual, bool Polished);

/// <summary>
/// Fingerprint -> moments, up to a global rotation (Bandeira et al., "frequency marching").
/// <para>
/// The blocks v_nl (2l + 1 real components) are recovered level by level in l:
/// l = 0 from the degree-1 invariants; l = 1 from the Gram matrix of the degree-2 invariants
/// G_nn' = v_n1 . v_n'1, whose factorisation fixes the frame up to a reflection; both hands are tried and
/// the pseudoscalars decide. Every later block c is then the solution of a linear system: each degree-3
/// invariant whose last block (in the (l, n) order of <see cref="InvariantSet"/>) is c, and each degree-2
/// invariant pairing c with an earlier block of its l, is linear in v_c. The solve is minimum-norm (truncated
/// SVD): when the lower blocks are symmetric (a linear molecule, a symmetric top) the directions they cannot
/// see are exactly those the symmetry leaves at zero.
/// </para>
/// <para>
/// A level whose own invariants (its norms among them, which the linear solve does not use) are not
/// reproduced needs a nonlinear step: the lower blocks left the frame partly free (rank-deficient l = 1:
/// water, ammonia; l = 1 empty: centrosymmetric molecules; l = 1, 2 empty: methane). That level is solved by
/// Levenberg-Marquardt with restarts, then jointly with the levels below it if it still fails. Every
/// equation is weighted by 1 / (product of the norms of its blocks), norms known from the fingerprint, so the
/// residuals are relative and small blocks count as much as large ones.
/// </para>
/// </summary>
public sealed class FrequencyMarching
{
    private readonly InvariantSet _set;
    private readonly int _m;
    private readonly (int N, int L)[] _order;            // blocks with l >= 1 in (l, n) order
    private readonly Dictionary<(int, int), int> _ordinal;
    private readonly int[] _last;                         // per invariant: ordinal of its last block (-1: degree 1)
    private readonly List<int>[] _linear;                 // per block ordinal: invariants linear in it with it last
    private readonly int[] _normOf;                       // per block ordinal: its norm invariant (-1 if absent)
    private readonly List<int>[] _levelInvariants;        // per l: invariants whose last block has that l
    private readonly int _maxL;

    public FrequencyMarching(InvariantSet set)
    {
        _set = set;
        _m = set.Basis.Count;
        _order = set.Basis.Blocks.Where(b => b.L >= 1).OrderBy(b => b.L).ThenBy(b => b.N).ToArray();
        _ordinal = new Dictionary<(int, int), int>();
        for (var k = 0; k < _order.Length; k++) _ordinal[_order[k]] = k;
        _maxL = _order.Length == 0 ? 0 : _order[^1].L;
        _last = new int[set.Count];
        _linear = Enumerable.Range(0, _order.Length).Select(_ => new List<int>()).ToArray();
        _normOf = Enumerable.Repeat(-1, _order.Length).ToArray();
        _levelInvariants = Enumerable.Range(0, _maxL + 1).Select(_ => new List<int>()).ToArray();
        for (var q = 0; q < set.Count; q++)
        {
            var info = set.Invariants[q];
            if (info.Degree == 1) { _last[q] = -1; continue; }
            var ords = info.Blocks.Select(b => _ordinal[b]).ToArray();
            var last = ords.Max();
            _last[q] = last;
            _levelInvariants[_order[last].L].Add(q);
            if (info.Degree == 2 && ords[0] == ords[1]) _normOf[last] = q;
            else if (ords.Count(o => o == last) == 1) _linear[last].Add(q);
        }
    }

    public InvariantSet Invariants => _set;

    internal static bool Debug;

    /// <summary>How many levels (the newest and those just below) the polish after each level adjusts together.</summary>
    internal int PolishLevels { get; init; } = 3;

    /// <summary>Level residual above which the polish runs.</summary>
    internal double PolishThreshold { get; init; } = 1e-13;

    /// <summary>Largest weighted RMS residual counted as "reproduces the fingerprint".</summary>
    public double Tolerance { get; init; } = 1e-9;

    /// <summary>
    /// Moments whose invariants are <paramref name="fingerprint"/>, or the best found by
    /// <paramref name="deadline"/> (a <see cref="Stopwatch"/> timestamp).
    /// </summary>
    public MarchResult Solve(ReadOnlySpan<double> fingerprint, Random rng, long deadline)
    {
        if (fingerprint.Length != _set.Count) throw new ArgumentException($"fingerprint of {fingerprint.Length} values, expected {_set.Count}");
        var f = fingerprint.ToArray();
        var weights = EquationWeights(f);
        var basis = _set.Basis;
        var start = new double[_m];
        for (var q = 0; q < _set.Count; q++)
            if (_set.Invariants[q].Degree == 1) start[basis.Index(_set.Invariants[q].Blocks[0].N, 0, 0)] = f[q];

        var gram = LevelOneFrame(f);
        MarchResult? best = null;
        foreach (var hand in gram == null ? [1.0] : new[] { 1.0, -1.0 })
        {
            var moments = (double[])start.Clone();
            if (gram != null)
                foreach (var (block, v) in gram)
                    for (var k = 0; k < 3; k++) moments[basis.Offset(block.N, 1) + k] = hand * v[k];
            var polished = March(moments, f, weights, rng, deadline, fromLevel: gram == null ? 1 : 2);
            var result = new MarchResult(moments, Residual(moments, f, weights, null), polished);
            if (best == null || result.Residual < best.Residual) best = result;
            if (best.Residual <= Tolerance && hand > 0 && !HasPseudoscalars) break;
        }
        return best!;
    }

    private bool HasPseudoscalars => _set.Invariants.Any(i => i.Kind == InvariantKind.Pseudoscalar);

    /// <summary>Factor the l = 1 Gram matrix: vectors v_n1 with v_n1 . v_n'1 = G_nn' (null when l = 1 is empty).</summary>
    private List<((int N, int L) Block, double[] V)>? LevelOneFrame(double[] f)
    {
        var blocks = _order.Where(b => b.L == 1).ToArray();
        if (blocks.Length == 0) return null;
        var k = blocks.Length;
        var g = Matrix<double>.Build.Dense(k, k);
        for (var q = 0; q < _set.Count; q++)
        {
            var info = _set.Invariants[q];
            if (info.Degree != 2 || info.Blocks[0].L != 1) continue;
            int i = Array.IndexOf(blocks, info.Blocks[0]), j = Array.IndexOf(blocks, info.Blocks[1]);
            g[i, j] = g[j, i] = f[q];
        }
        var evd = g.Evd(Symmetricity.Symmetric);
        var values = evd.EigenValues.Select(c => c.Real).ToArray();
        var idx = Enumerable.Range(0, k).OrderByDescending(i => values[i]).Take(3).ToArray();
        if (idx.Length == 0 || values[idx[0]] <= 0) return null;
        var result = new List<((int, int), double[])>();
        for (var i = 0; i < k; i++)
        {
            var v = new double[3];
            for (var c = 0; c < idx.Length; c++)
            {
                var lambda = values[idx[c]];
                if (lambda > 1e-14 * values[idx[0]]) v[c] = Math.Sqrt(lambda) * evd.EigenVectors[i, idx[c]];
            }
            result.Add((blocks[i], v));
        }
        return result;
    }

    /// <summary>Levels fromLevel.. by linear solves, with nonlinear repair of levels that fail. Returns whether repair was needed.</summary>
    private bool March(double[] moments, double[] f, double[] weights, Random rng, long deadline, int fromLevel)
    {
        var repaired = false;
        var firstWithContent = fromLevel == 2 ? 1 : -1;
        for (var l = fromLevel; l <= _maxL; l++)
        {
            foreach (var c in Enumerable.Range(0, _order.Length).Where(o => _order[o].L == l))
                SolveBlockLinearly(c, moments, f, weights);
            // The linear solves amplify the errors of the blocks below (nearly parallel blocks of one l make
            // nearly equal rows); a joint Gauss-Newton polish of the last levels brings them back to the
            // conditioning of the whole problem before the next level builds on them.
            var low = Math.Max(1, l - PolishLevels + 1);
            if (LevelResidual(l, moments, f, weights) > PolishThreshold)
                RepairLevels(low, l, moments, f, weights, rng, deadline, restarts: 0);
            if (Debug) Console.WriteLine($"level {l}: residual {LevelResidual(l, moments, f, weights):E2}");
            if (LevelResidual(l, moments, f, weights) <= Tolerance)
            {
                if (firstWithContent < 0 && LevelHasContent(l, f)) firstWithContent = l;
                continue;
            }
            repaired = true;
            if (firstWithContent < 0) firstWithContent = l;
            // The level alone, then with the levels below it down to the first with content.
            if (RepairLevels(l, l, moments, f, weights, rng, deadline, restarts: 6)) continue;
            for (low = l - 1; low >= Math.Max(1, firstWithContent); low--)
                if (RepairLevels(low, l, moments, f, weights, rng, deadline, restarts: 6)) break;
        }
        return repaired;
    }

    private bool LevelHasContent(int l, double[] f) =>
        Enumerable.Range(0, _order.Length).Any(o => _order[o].L == l && _normOf[o] >= 0 && f[_normOf[o]] > 0);

    private void SolveBlockLinearly(int c, double[] moments, double[] f, double[] weights)
    {
        var (n, l) = _order[c];
        var offset = _set.Basis.Offset(n, l);
        var width = 2 * l + 1;
        moments.AsSpan(offset, width).Clear();
        var rows = _linear[c];
        var a = new double[rows.Count * width];
        var b = new double[rows.Count];
        var grad = new double[_m];
        for (var r = 0; r < rows.Count; r++)
        {
            var q = rows[r];
            Array.Clear(grad);
            _set.AddGradient(q, moments, 1.0, grad); // linear in v_c: the gradient is the coefficient row
            for (var k = 0; k < width; k++) a[r * width + k] = weights[q] * grad[offset + k];
            b[r] = weights[q] * f[q];
        }
        var x = new double[width];
        LeastSquares.Solve(a, rows.Count, width, b, x, 1e-9);
        x.CopyTo(moments, offset);
    }

    /// <summary>Levenberg-Marquardt on the blocks of levels low..high against the invariants of those levels.</summary>
    private bool RepairLevels(int low, int high, double[] moments, double[] f, double[] weights, Random rng, long deadline, int restarts)
    {
        var columns = new List<int>();
        var norms = new List<double>();
        for (var o = 0; o < _order.Length; o++)
        {
            var (n, l) = _order[o];
            if (l < low || l > high) continue;
            var offset = _set.Basis.Offset(n, l);
            var norm = _normOf[o] >= 0 ? Math.Sqrt(Math.Max(f[_normOf[o]], 0)) : 0;
            for (var k = 0; k < 2 * l + 1; k++) { columns.Add(offset + k); norms.Add(norm / Math.Sqrt(2 * l + 1)); }
        }
        var equations = Enumerable.Range(low, high - low + 1).SelectMany(l => _levelInvariants[l]).ToArray();
        var work = (double[])moments.Clone();
        var values = new double[_set.Count];
        var grad = new double[_m];
        bool Model(ReadOnlySpan<double> x, Span<double> r, Span<double> j)
        {
            for (var k = 0; k < columns.Count; k++) work[columns[k]] = x[k];
            for (var e = 0; e < equations.Length; e++)
            {
                var q = equations[e];
                r[e] = weights[q] * (EvaluateOne(q, work, grad) - f[q]);
                for (var k = 0; k < columns.Count; k++) j[e * columns.Count + k] = weights[q] * grad[columns[k]];
            }
            return true;
        }
        // Success is a residual below Tolerance, but the fit goes on to rounding level: at a symmetric point
        // (a linear molecule) the invariants move only quadratically with symmetry-breaking errors of the
        // moments, so a residual of e leaves moment errors of sqrt(e).
        var target = 1e-30 * equations.Length;
        var success = Tolerance * Tolerance * equations.Length;
        var best = double.PositiveInfinity;
        var bestX = new double[columns.Count];
        var xs = new double[columns.Count];
        for (var attempt = 0; attempt <= restarts && Stopwatch.GetTimestamp() < deadline; attempt++)
        {
            for (var k = 0; k < columns.Count; k++)
                xs[k] = moments[columns[k]] + (attempt == 0 ? 0 : norms[k] * Gaussian(rng));
            var cost = LeastSquares.LevenbergMarquardt(Model, equations.Length, xs, 200, target, deadline);
            if (cost < best) { best = cost; xs.CopyTo(bestX, 0); }
            if (best <= success) break;
        }
        for (var k = 0; k < columns.Count; k++) moments[columns[k]] = bestX[k];
        return best <= success;
    }

    /// <summary>Invariant q at the moments, with its gradient into <paramref name="grad"/> (cleared first).</summary>
    private double EvaluateOne(int q, double[] moments, double[] grad)
    {
        Array.Clear(grad);
        _set.AddGradient(q, moments, 1.0, grad);
        // Euler: a homogeneous polynomial of degree d has grad . x = d I.
        return LeastSquares.Dot(grad, moments) / _set.Invariants[q].Degree;
    }

    private double LevelResidual(int l, double[] moments, double[] f, double[] weights) =>
        Residual(moments, f, weights, _levelInvariants[l]);

    /// <summary>RMS of weights[q] (I_q(moments) - f_q) over the given invariants (all when null).</summary>
    private double Residual(double[] moments, double[] f, double[] weights, List<int>? which)
    {
        var values = new double[_set.Count];
        _set.Evaluate(moments, values);
        double sum = 0;
        var count = 0;
        foreach (var q in which ?? Enumerable.Range(0, _set.Count))
        {
            var r = weights[q] * (values[q] - f[q]);
            sum += r * r;
            count++;
        }
        return count == 0 ? 0 : Math.Sqrt(sum / count);
    }

    /// <summary>
    /// 1 / (product of the norms of the blocks an invariant couples), from the fingerprint's own norm
    /// invariants; a floor of 1e-12 of the typical product of its degree keeps empty blocks finite.
    /// </summary>
    internal double[] EquationWeights(double[] f)
    {
        var blockNorm = new double[_order.Length];
        for (var o = 0; o < _order.Length; o++) blockNorm[o] = _normOf[o] >= 0 ? Math.Sqrt(Math.Max(f[_normOf[o]], 0)) : 0;
        double l0 = 0;
        for (var q = 0; q < _set.Count; q++)
            if (_set.Invariants[q].Degree == 1) l0 = Math.Max(l0, Math.Abs(f[q]));
        var typical = Math.Max(blockNorm.DefaultIfEmpty(0).Max(), l0);
        var weights = new double[_set.Count];
        for (var q = 0; q < _set.Count; q++)
        {
            var info = _set.Invariants[q];
            if (info.Degree == 1) { weights[q] = 1 / Math.Max(Math.Abs(f[q]), 1e-12 * typical + double.Epsilon); continue; }
            double product = 1;
            foreach (var b in info.Blocks) product *= blockNorm[_ordinal[b]];
            weights[q] = 1 / (product + 1e-12 * Math.Pow(typical, info.Degree) + double.Epsilon);
        }
        return weights;
    }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
