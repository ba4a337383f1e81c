using Milad.Moments;

namespace Milad.Invariants;

/// <summary>
/// A fixed list of rotation invariants of the Zernike moments up to order n_max, compiled into one flat
/// list of monomial terms (coefficient x product of one to three real moments) so that evaluation,
/// the gradient with respect to the moments and vector-Jacobian products are simple loops.
/// <para>
/// Which invariants (see <see cref="Complete"/> and <see cref="Compact"/>):
/// <list type="bullet">
/// <item>degree 1: <c>Omega_n00</c> for every even n;</item>
/// <item>degree 2: <c>sum_m Omega_nlm conj(Omega_n'lm)</c> for every l &gt;= 1 and every n &lt;= n' with that l
/// (l = 0 is left out: those products are products of degree-1 invariants);</item>
/// <item>degree 3: bispectrum couplings chosen for frequency marching. The blocks (n, l) with l &gt;= 1
/// are ordered by (l, n); for each block c in that order (the unknown of the marching step) the
/// couplings <c>(a, b, c)</c> with a &lt;= b both before c, |l_a - l_b| &lt;= l_c &lt;= l_a + l_b, are
/// candidates: each is linear in c once a and b are known. Couplings with a = b and l_a + l_b + l_c odd
/// vanish identically and are skipped; l = 0 blocks are skipped because coupling with them only
/// rescales a degree-2 invariant. The candidates are grouped by (l_a, l_b) and taken round-robin
/// across the groups (lowest n_a + n_b first within a group) until there are
/// <c>couplingsPerUnknown x (2 l_c + 1)</c> of them: block c has 2l_c + 1 real unknowns, so a factor
/// of 3 gives an over-determined linear system even when some lower blocks vanish by symmetry,
/// and the round-robin keeps every kind of coupling, so that a molecule whose l = 1 and l = 2
/// moments vanish (methane, an octahedron) still has couplings among its first nonzero blocks.
/// Couplings with l_a + l_b + l_c odd are pseudoscalars: they change sign under inversion, which fixes
/// the hand.</item>
/// </list>
/// </para>
/// </summary>
public sealed class InvariantSet
{
    private readonly int[] _start;   // terms of invariant q: [_start[q], _start[q+1])
    private readonly int[] _i, _j, _k; // moment indices of each term; -1 where the degree is lower
    private readonly double[] _c;
    private readonly byte[] _degree;

    private InvariantSet(string name, ZernikeBasis basis, List<InvariantInfo> infos)
    {
        Name = name;
        Basis = basis;
        Invariants = infos;
        var start = new List<int> { 0 };
        var ti = new List<int>(); var tj = new List<int>(); var tk = new List<int>(); var tc = new List<double>();
        _degree = new byte[infos.Count];
        for (var q = 0; q < infos.Count; q++)
        {
            var info = infos[q];
            _degree[q] = (byte)info.Degree;
            switch (info.Degree)
            {
                case 1:
                    ti.Add(basis.Index(info.Blocks[0].N, 0, 0)); tj.Add(-1); tk.Add(-1); tc.Add(1);
                    break;
                case 2:
                {
                    var (n1, l) = info.Blocks[0];
                    var n2 = info.Blocks[1].N;
                    for (var m = -l; m <= l; m++)
                    {
                        ti.Add(basis.Index(n1, l, m)); tj.Add(basis.Index(n2, l, m)); tk.Add(-1); tc.Add(1);
                    }
                    break;
                }
                default:
                {
                    var (a, b, c) = (info.Blocks[0], info.Blocks[1], info.Blocks[2]);
                    int oa = basis.Offset(a.N, a.L), ob = basis.Offset(b.N, b.L), oc = basis.Offset(c.N, c.L);
                    foreach (var e in RealCoupling.Get(a.L, b.L, c.L))
                    {
                        ti.Add(oa + e.A); tj.Add(ob + e.B); tk.Add(oc + e.C); tc.Add(e.Value);
                    }
                    break;
                }
            }
            start.Add(ti.Count);
        }
        _start = start.ToArray();
        _i = ti.ToArray(); _j = tj.ToArray(); _k = tk.ToArray(); _c = tc.ToArray();
        var supportStart = new List<int> { 0 };
        var support = new List<int>();
        foreach (var info in infos)
        {
            var indices = new SortedSet<int>();
            foreach (var (n, l) in info.Blocks)
                for (var mu = 0; mu < (info.Degree == 1 ? 1 : 2 * l + 1); mu++)
                    indices.Add(info.Degree == 1 ? basis.Index(n, 0, 0) : basis.Offset(n, l) + mu);
            support.AddRange(indices);
            supportStart.Add(support.Count);
        }
        _supportStart = supportStart.ToArray();
        _support = support.ToArray();
    }

    private readonly int[] _supportStart, _support;

    /// <summary>The moment indices invariant <paramref name="q"/> depends on (the components of its blocks), ascending.</summary>
    public ReadOnlySpan<int> Support(int q) => _support.AsSpan(_supportStart[q], _supportStart[q + 1] - _supportStart[q]);

    /// <summary>"complete", "compact" or "scalar".</summary>
    public string Name { get; }

    public ZernikeBasis Basis { get; }

    public int NMax => Basis.NMax;

    /// <summary>Number of invariants (the fingerprint length of one environment).</summary>
    public int Count => Invariants.Count;

    /// <summary>Kind and coupled blocks of each invariant, in fingerprint order.</summary>
    public IReadOnlyList<InvariantInfo> Invariants { get; }

    /// <summary>Number of monomial terms over all invariants (the work of one evaluation).</summary>
    public int TermCount => _c.Length;

    /// <summary>
    /// The set for decoding: degree 1, 2 and the marching couplings of degree 3, pseudoscalars included,
    /// <paramref name="couplingsPerUnknown"/> x (2l + 1) of them per block at most.
    /// </summary>
    public static InvariantSet Complete(int nMax, int couplingsPerUnknown = 3) =>
        Build("complete", nMax, couplingsPerUnknown, pseudoscalars: true);

    /// <summary>
    /// A smaller set for property prediction: degree 1, 2 and at most 2l + 1 scalar (l1 + l2 + l3 even)
    /// degree-3 couplings per block; no pseudoscalars, so mirror images are not told apart.
    /// </summary>
    public static InvariantSet Compact(int nMax) => Build("compact", nMax, 1, pseudoscalars: false);

    /// <summary>
    /// For potentials: degree 1, 2 and up to 3 x (2l + 1) scalar (l1 + l2 + l3 even) degree-3 couplings per block,
    /// the couplings of the complete set without its pseudoscalars (an energy does not change under inversion,
    /// so a pseudoscalar can only enter it squared).
    /// </summary>
    public static InvariantSet Scalar(int nMax) => Build("scalar", nMax, 3, pseudoscalars: false);

    /// <summary>The set of the given name ("complete", "compact" or "scalar").</summary>
    public static InvariantSet ByName(string name, int nMax) => name switch
    {
        "complete" => Complete(nMax),
        "compact" => Compact(nMax),
        "scalar" => Scalar(nMax),
        _ => throw new ArgumentException($"unknown invariant set '{name}' (expected complete, compact or scalar)"),
    };

    private static InvariantSet Build(string name, int nMax, int factor, bool pseudoscalars)
    {
        var basis = new ZernikeBasis(nMax);
        var infos = new List<InvariantInfo>();
        for (var n = 0; n <= nMax; n += 2)
            infos.Add(new InvariantInfo(InvariantKind.Degree1, [(n, 0)]));
        for (var l = 1; l <= nMax; l++)
            for (var n1 = l; n1 <= nMax; n1 += 2)
                for (var n2 = n1; n2 <= nMax; n2 += 2)
                    infos.Add(new InvariantInfo(InvariantKind.Degree2, [(n1, l), (n2, l)]));

        var order = basis.Blocks.Where(b => b.L >= 1).OrderBy(b => b.L).ThenBy(b => b.N).ToArray();
        for (var ci = 0; ci < order.Length; ci++)
        {
            var c = order[ci];
            var groups = new SortedDictionary<(int, int, int), List<((int N, int L) A, (int N, int L) B)>>();
            for (var ai = 0; ai < ci; ai++)
                for (var bi = ai; bi < ci; bi++)
                {
                    var (a, b) = (order[ai], order[bi]);
                    if (c.L < Math.Abs(a.L - b.L) || c.L > a.L + b.L) continue;
                    var odd = ((a.L + b.L + c.L) & 1) == 1;
                    if (odd && (ai == bi || !pseudoscalars)) continue;
                    var key = (a.L + b.L, a.L, b.L);
                    if (!groups.TryGetValue(key, out var list)) groups[key] = list = [];
                    list.Add((a, b));
                }
            foreach (var list in groups.Values)
                list.Sort((p, q) => (p.A.N + p.B.N, p.A.N).CompareTo((q.A.N + q.B.N, q.A.N)));
            var cap = factor * (2 * c.L + 1);
            var taken = 0;
            for (var round = 0; taken < cap; round++)
            {
                var any = false;
                foreach (var list in groups.Values)
                {
                    if (round >= list.Count || taken >= cap) continue;
                    any = true;
                    var (a, b) = list[round];
                    var kind = ((a.L + b.L + c.L) & 1) == 1 ? InvariantKind.Pseudoscalar : InvariantKind.Degree3;
                    infos.Add(new InvariantInfo(kind, [a, b, c]));
                    taken++;
                }
                if (!any) break;
            }
        }
        return new InvariantSet(name, basis, infos);
    }

    /// <summary>Invariants of real moments (length <see cref="ZernikeBasis.Count"/>) into <paramref name="values"/> (length Count).</summary>
    public void Evaluate(ReadOnlySpan<double> moments, Span<double> values)
    {
        for (var q = 0; q < _degree.Length; q++)
        {
            double s = 0;
            int t0 = _start[q], t1 = _start[q + 1];
            switch (_degree[q])
            {
                case 1:
                    for (var t = t0; t < t1; t++) s += _c[t] * moments[_i[t]];
                    break;
                case 2:
                    for (var t = t0; t < t1; t++) s += _c[t] * moments[_i[t]] * moments[_j[t]];
                    break;
                default:
                    for (var t = t0; t < t1; t++) s += _c[t] * moments[_i[t]] * moments[_j[t]] * moments[_k[t]];
                    break;
            }
            values[q] = s;
        }
    }

    /// <summary>
    /// The scale of each invariant's rounding error: the sum over its terms of |coefficient x product|.
    /// An invariant that cancels to near zero is only known to about 1e-16 of this.
    /// </summary>
    public void EvaluateMagnitudes(ReadOnlySpan<double> moments, Span<double> values)
    {
        for (var q = 0; q < _degree.Length; q++)
        {
            double s = 0;
            for (var t = _start[q]; t < _start[q + 1]; t++)
            {
                var v = Math.Abs(_c[t] * moments[_i[t]]);
                if (_j[t] >= 0) v *= Math.Abs(moments[_j[t]]);
                if (_k[t] >= 0) v *= Math.Abs(moments[_k[t]]);
                s += v;
            }
            values[q] = s;
        }
    }

    /// <summary>
    /// Invariants and their Jacobian with respect to the moments: <paramref name="jacobian"/> is
    /// Count x Basis.Count, row-major (row q = gradient of invariant q), and is overwritten.
    /// </summary>
    public void Jacobian(ReadOnlySpan<double> moments, Span<double> values, Span<double> jacobian)
    {
        var m = Basis.Count;
        jacobian[..(Count * m)].Clear();
        Evaluate(moments, values);
        for (var q = 0; q < _degree.Length; q++)
        {
            var row = jacobian.Slice(q * m, m);
            AddGradient(q, moments, 1.0, row);
        }
    }

    /// <summary>
    /// <paramref name="result"/> = sum_q weights[q] dI_q/dOmega (length Basis.Count, overwritten):
    /// the back-propagation step from invariants to moments.
    /// </summary>
    public void VectorJacobianProduct(ReadOnlySpan<double> moments, ReadOnlySpan<double> weights, Span<double> result)
    {
        result[..Basis.Count].Clear();
        for (var q = 0; q < _degree.Length; q++)
            if (weights[q] != 0) AddGradient(q, moments, weights[q], result);
    }

    /// <summary>Adds <paramref name="scale"/> x the gradient of invariant <paramref name="q"/> with respect to the moments to <paramref name="target"/>.</summary>
    internal void AddGradient(int q, ReadOnlySpan<double> moments, double scale, Span<double> target)
    {
        int t0 = _start[q], t1 = _start[q + 1];
        switch (_degree[q])
        {
            case 1:
                for (var t = t0; t < t1; t++) target[_i[t]] += scale * _c[t];
                break;
            case 2:
                for (var t = t0; t < t1; t++)
                {
                    var c = scale * _c[t];
                    target[_i[t]] += c * moments[_j[t]];
                    target[_j[t]] += c * moments[_i[t]];
                }
                break;
            default:
                for (var t = t0; t < t1; t++)
                {
                    var c = scale * _c[t];
                    double x = moments[_i[t]], y = moments[_j[t]], z = moments[_k[t]];
                    target[_i[t]] += c * y * z;
                    target[_j[t]] += c * x * z;
                    target[_k[t]] += c * x * y;
                }
                break;
        }
    }
}
