using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
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

        // The kernel's uniform terms: missing factors point at the slot m = basis.Count, which holds 1, and
        // each factor also carries its position in the invariant's support (the slot's position is the
        // support's length, a scratch entry that is never read).
        var one = basis.Count;
        _terms = new Term[_c.Length];
        var local = new Dictionary<int, int>();
        for (var q = 0; q < infos.Count; q++)
        {
            var supp = Support(q);
            local.Clear();
            for (var s = 0; s < supp.Length; s++) local[supp[s]] = s;
            local[one] = supp.Length;
            MaxSupport = Math.Max(MaxSupport, supp.Length);
            for (var t = _start[q]; t < _start[q + 1]; t++)
            {
                int i = _i[t], j = _j[t] < 0 ? one : _j[t], k = _k[t] < 0 ? one : _k[t];
                _terms[t] = new Term(i, j, k, local[i], local[j], local[k], _c[t]);
            }
        }
    }

    /// <summary>One monomial c x M[I] x M[J] x M[K] and the positions of I, J, K in its invariant's support.</summary>
    private readonly record struct Term(int I, int J, int K, int LocalI, int LocalJ, int LocalK, double C);

    /// <summary>One term of a derivative: c x M[P] x M[Q].</summary>
    private readonly record struct GradientTerm(int P, int Q, double C);

    // dI_q/dOmega_mu for mu = Support(q)[s] is the sum of the gradient terms in
    // [_gradientStart[_supportStart[q] + s], _gradientStart[_supportStart[q] + s + 1]): each monomial gives one
    // term per factor, grouped by the factor differentiated, so a derivative is a plain sum (no scattered updates).
    // Built at the first derivative (three times the terms of the invariants: most of a set's memory, and a third of
    // the time to build one, which encoding without derivatives does not need).
    private Gradient? _gradient;

    private sealed record Gradient(GradientTerm[] Terms, int[] Start);

    private Gradient Gradients => Volatile.Read(ref _gradient) ?? FirstGradients();

    private Gradient FirstGradients()
    {
        var built = BuildGradientTerms();
        return Interlocked.CompareExchange(ref _gradient, built, null) ?? built; // two threads at once: one set is kept
    }

    private Gradient BuildGradientTerms()
    {
        var groups = new List<GradientTerm>[_support.Length];
        for (var e = 0; e < groups.Length; e++) groups[e] = [];
        var one = Basis.Count;
        for (var q = 0; q < _degree.Length; q++)
            for (var t = _start[q]; t < _start[q + 1]; t++)
            {
                var term = _terms[t];
                var s0 = _supportStart[q];
                groups[s0 + term.LocalI].Add(new GradientTerm(term.J, term.K, term.C));
                if (term.J != one) groups[s0 + term.LocalJ].Add(new GradientTerm(term.I, term.K, term.C));
                if (term.K != one) groups[s0 + term.LocalK].Add(new GradientTerm(term.I, term.J, term.C));
            }
        var start = new int[groups.Length + 1];
        for (var e = 0; e < groups.Length; e++) start[e + 1] = start[e] + groups[e].Count;
        return new Gradient(groups.SelectMany(g => g).ToArray(), start);
    }

    /// <summary>g[s] = dI_q / dOmega_(Support(q)[s]) for the extended moments x (the slot Basis.Count holds 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: optimised at once, not first as unoptimised code patched by on-stack replacement
    private void SparseGradient(int q, ReadOnlySpan<double> x, Span<double> g)
    {
        var (gradientTerms, gradientStart) = Gradients;
        var terms = gradientTerms.AsSpan();
        var e0 = _supportStart[q];
        var count = _supportStart[q + 1] - e0;
        for (var s = 0; s < count; s++)
        {
            double a0 = 0, a1 = 0;
            int t = gradientStart[e0 + s], end = gradientStart[e0 + s + 1];
            for (; t + 2 <= end; t += 2)
            {
                ref readonly var u = ref terms[t];
                ref readonly var v = ref terms[t + 1];
                a0 += u.C * x[u.P] * x[u.Q];
                a1 += v.C * x[v.P] * x[v.Q];
            }
            if (t < end) a0 += terms[t].C * x[terms[t].P] * x[terms[t].Q];
            g[s] = a0 + a1;
        }
    }

    private readonly Term[] _terms;

    /// <summary>The same invariants through coupled products (the potentials' kernels), built on first use.</summary>
    internal CoupledInvariants Coupled => _coupled ?? BuildCoupled();

    private CoupledInvariants BuildCoupled()
    {
        Interlocked.CompareExchange(ref _coupled, new CoupledInvariants(this), null); // a race builds it twice, keeps one
        return _coupled!;
    }

    private volatile CoupledInvariants? _coupled;

    /// <summary>Nonzeros of dI/dOmega summed over the invariants: the rows combined per column of a Jacobian.</summary>
    public int SupportTotal => _support.Length;

    /// <summary>Terms of the derivatives dI/dOmega (each c x M x M): the work of the sparse gradient.</summary>
    public int GradientTermCount => Gradients.Terms.Length;

    /// <summary>The largest support of one invariant (moments it depends on).</summary>
    internal int MaxSupport { get; }

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

    /// <summary>
    /// The set of the given name ("complete", "compact" or "scalar", or a thinned complete set, see
    /// <see cref="Thinned"/>), built once per name and n_max (a set is immutable; building the complete set at
    /// n_max 11 takes a good part of a second).
    /// </summary>
    public static InvariantSet ByName(string name, int nMax) => IsKnown(name)
        ? Built.GetOrAdd((name, nMax), key => new Lazy<InvariantSet>(() => key.Name switch
        {
            "complete" => Complete(key.NMax),
            "compact" => Compact(key.NMax),
            "scalar" => Scalar(key.NMax),
            _ => Build(key.Name, key.NMax, Thinned[key.Name], pseudoscalars: true),
        }, LazyThreadSafetyMode.PublicationOnly)).Value // an error is not kept: the next call tries again
        : throw new ArgumentException($"unknown invariant set '{name}' (expected {KnownNames})");

    /// <summary>
    /// Thinned complete sets for decoding with shorter fingerprints: "complete-Fx" takes F x (2l + 1) degree-3
    /// couplings per block (rounded up) instead of the complete set's 3 x (2l + 1); "complete-1x" has as many
    /// couplings per block as it has real unknowns.
    /// </summary>
    public static IReadOnlyDictionary<string, double> Thinned { get; } = new Dictionary<string, double>
    {
        ["complete-1x"] = 1, ["complete-1.5x"] = 1.5, ["complete-2x"] = 2,
    };

    /// <summary>Whether <paramref name="name"/> names an invariant set.</summary>
    public static bool IsKnown(string name) => Named.Contains(name) || Thinned.ContainsKey(name);

    /// <summary>The names <see cref="ByName"/> knows, for messages.</summary>
    public static string KnownNames => string.Join(", ", Named.Concat(Thinned.Keys));

    private static readonly string[] Named = ["complete", "compact", "scalar"];

    private static readonly ConcurrentDictionary<(string Name, int NMax), Lazy<InvariantSet>> Built = new();

    private static InvariantSet Build(string name, int nMax, double factor, bool pseudoscalars)
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
            var cap = (int)Math.Ceiling(factor * (2 * c.L + 1));
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
        var m = Basis.Count;
        Span<double> x = m < 4096 ? stackalloc double[m + 1] : new double[m + 1];
        moments[..m].CopyTo(x);
        x[m] = 1;
        EvaluateTerms(x, values);
    }

    /// <summary>The uniform term loop over moments extended by the slot that holds 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: optimised at once, not first as unoptimised code patched by on-stack replacement
    private void EvaluateTerms(ReadOnlySpan<double> x, Span<double> values)
    {
        // Four partial sums: one running sum would wait on the latency of every add.
        var terms = _terms.AsSpan();
        for (var q = 0; q < _degree.Length; q++)
        {
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int t = _start[q], end = _start[q + 1];
            for (; t + 4 <= end; t += 4)
            {
                ref readonly var a = ref terms[t];
                ref readonly var b = ref terms[t + 1];
                ref readonly var c = ref terms[t + 2];
                ref readonly var d = ref terms[t + 3];
                s0 += a.C * x[a.I] * x[a.J] * x[a.K];
                s1 += b.C * x[b.I] * x[b.J] * x[b.K];
                s2 += c.C * x[c.I] * x[c.J] * x[c.K];
                s3 += d.C * x[d.I] * x[d.J] * x[d.K];
            }
            for (; t < end; t++)
            {
                ref readonly var a = ref terms[t];
                s0 += a.C * x[a.I] * x[a.J] * x[a.K];
            }
            values[q] = (s0 + s1) + (s2 + s3);
        }
    }

    /// <summary>
    /// Invariants of four densities at once, one per lane: <paramref name="x"/>[mu] holds moment mu of each
    /// density and <paramref name="x"/>[Basis.Count] must be 1 in every lane; <paramref name="values"/>[q] gets
    /// invariant q of each. Every term is loaded once for four densities and the moments load as whole vectors:
    /// several times the throughput of four calls of <see cref="Evaluate"/>.
    /// </summary>
    public void EvaluateFour(ReadOnlySpan<Vector256<double>> x, Span<Vector256<double>> values) => EvaluateFour<Fused>(x, values);

    /// <summary>
    /// <see cref="EvaluateFour"/> with each term's last multiply and its add rounded separately, as <see cref="Evaluate"/>
    /// does: every lane gets the numbers <see cref="Evaluate"/> gives for its density, bit for bit.
    /// </summary>
    internal void EvaluateFourAsOne(ReadOnlySpan<Vector256<double>> x, Span<Vector256<double>> values) => EvaluateFour<Separate>(x, values);

    /// <summary>How a term's product enters its running sum: one fused multiply-add, or a multiply and an add.</summary>
    private interface IAccumulate
    {
        static abstract Vector256<double> Add(Vector256<double> product, Vector256<double> last, Vector256<double> sum);
    }

    private readonly struct Fused : IAccumulate
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Add(Vector256<double> product, Vector256<double> last, Vector256<double> sum) =>
            Vector256.FusedMultiplyAdd(product, last, sum);
    }

    private readonly struct Separate : IAccumulate
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Add(Vector256<double> product, Vector256<double> last, Vector256<double> sum) => sum + product * last;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: optimised at once, not first as unoptimised code patched by on-stack replacement
    private void EvaluateFour<TAccumulate>(ReadOnlySpan<Vector256<double>> x, Span<Vector256<double>> values) where TAccumulate : struct, IAccumulate
    {
        if (x.Length < Basis.Count + 1 || values.Length < Count) throw new ArgumentException("x needs Basis.Count + 1 vectors, values Count");
        var terms = _terms.AsSpan();
        for (var q = 0; q < _degree.Length; q++)
        {
            // Four sums in flight: each waits on the latency of its fused multiply-add (4 cycles).
            Vector256<double> s0 = default, s1 = default, s2 = default, s3 = default;
            int t = _start[q], end = _start[q + 1];
            for (; t + 4 <= end; t += 4)
            {
                ref readonly var a = ref terms[t];
                ref readonly var b = ref terms[t + 1];
                ref readonly var c = ref terms[t + 2];
                ref readonly var d = ref terms[t + 3];
                s0 = TAccumulate.Add(a.C * x[a.I] * x[a.J], x[a.K], s0);
                s1 = TAccumulate.Add(b.C * x[b.I] * x[b.J], x[b.K], s1);
                s2 = TAccumulate.Add(c.C * x[c.I] * x[c.J], x[c.K], s2);
                s3 = TAccumulate.Add(d.C * x[d.I] * x[d.J], x[d.K], s3);
            }
            for (; t < end; t++) s0 = TAccumulate.Add(terms[t].C * x[terms[t].I] * x[terms[t].J], x[terms[t].K], s0);
            values[q] = (s0 + s1) + (s2 + s3);
        }
    }

    /// <summary>
    /// <see cref="VectorJacobianProduct"/> for four densities at once, in the lanes of <see cref="EvaluateFour"/>:
    /// <paramref name="result"/>[mu] (Basis.Count + 1 vectors; the last is scratch) = sum_q weights[q] dI_q/dOmega_mu, lane by lane.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: optimised at once, not first as unoptimised code patched by on-stack replacement
    public void VectorJacobianProductFour(ReadOnlySpan<Vector256<double>> x, ReadOnlySpan<Vector256<double>> weights, Span<Vector256<double>> result)
    {
        var m = Basis.Count;
        if (x.Length < m + 1 || weights.Length < Count || result.Length < m + 1) throw new ArgumentException("x and result need Basis.Count + 1 vectors, weights Count");
        result[..(m + 1)].Clear();
        var terms = _terms.AsSpan();
        // Terms come sorted by their first factor, so its derivative is summed in a register and stored
        // once per run: adding into memory term after term would wait on each store.
        var current = m;
        var accumulated = Vector256<double>.Zero;
        for (var q = 0; q < _degree.Length; q++)
        {
            var wq = weights[q];
            if (wq == Vector256<double>.Zero) continue;
            foreach (ref readonly var t in terms[_start[q].._start[q + 1]])
            {
                if (t.I != current)
                {
                    result[current] += accumulated;
                    current = t.I;
                    accumulated = Vector256<double>.Zero;
                }
                var cw = t.C * wq;
                var a = x[t.I];
                var b = x[t.J];
                var d = x[t.K];
                var ca = cw * a;
                result[t.K] = Vector256.FusedMultiplyAdd(ca, b, result[t.K]);
                result[t.J] = Vector256.FusedMultiplyAdd(ca, d, result[t.J]);
                accumulated = Vector256.FusedMultiplyAdd(cw, b * d, accumulated);
            }
        }
        result[current] += accumulated;
    }

    /// <summary>
    /// Invariants and their derivatives with respect to whatever the moments depend on: given
    /// <paramref name="dMoments"/> (Basis.Count rows of <paramref name="columns"/>, row mu = dOmega_mu / d(each
    /// column's variable)), writes <paramref name="result"/> = (dI/dOmega) dMoments, Count rows of
    /// <paramref name="columns"/>. dI_q/dOmega is sparse (the moments of q's blocks), so each row is the sum of
    /// a few scaled moment rows: about <see cref="MaxSupport"/> x columns multiply-adds per invariant, not
    /// Basis.Count x columns.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: optimised at once, not first as unoptimised code patched by on-stack replacement
    public void EvaluateWithDerivatives(ReadOnlySpan<double> moments, Span<double> values, ReadOnlySpan<double> dMoments, int columns, Span<double> result)
    {
        var m = Basis.Count;
        if (dMoments.Length < m * columns || result.Length < Count * columns) throw new ArgumentException("dMoments is Basis.Count x columns, result Count x columns");
        Span<double> x = m < 4096 ? stackalloc double[m + 1] : new double[m + 1];
        moments[..m].CopyTo(x);
        x[m] = 1;
        EvaluateTerms(x, values);
        Span<double> g = stackalloc double[MaxSupport];
        for (var q = 0; q < _degree.Length; q++)
        {
            var supp = Support(q);
            SparseGradient(q, x, g);
            RowCombination.Write(g[..supp.Length], supp, dMoments, columns, result.Slice(q * columns, columns));
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: optimised at once, not first as unoptimised code patched by on-stack replacement
    public void VectorJacobianProduct(ReadOnlySpan<double> moments, ReadOnlySpan<double> weights, Span<double> result)
    {
        var m = Basis.Count;
        Span<double> x = m < 4096 ? stackalloc double[m + 1] : new double[m + 1];
        Span<double> r = m < 4096 ? stackalloc double[m + 1] : new double[m + 1];
        moments[..m].CopyTo(x);
        x[m] = 1;
        r.Clear();
        Span<double> g = stackalloc double[MaxSupport];
        for (var q = 0; q < _degree.Length; q++)
        {
            var wq = weights[q];
            if (wq == 0) continue;
            var supp = Support(q);
            SparseGradient(q, x, g);
            for (var s = 0; s < supp.Length; s++) r[supp[s]] += wq * g[s];
        }
        r[..m].CopyTo(result);
    }

    /// <summary>Invariant <paramref name="q"/> alone, from its terms (a third of the work of its gradient).</summary>
    internal double Value(int q, ReadOnlySpan<double> moments)
    {
        int t0 = _start[q], t1 = _start[q + 1];
        double s0 = 0, s1 = 0;
        switch (_degree[q])
        {
            case 1:
                for (var t = t0; t < t1; t++) s0 += _c[t] * moments[_i[t]];
                break;
            case 2:
                for (var t = t0; t < t1; t++) s0 += _c[t] * moments[_i[t]] * moments[_j[t]];
                break;
            default:
                var u = t0;
                for (; u + 2 <= t1; u += 2)
                {
                    s0 += _c[u] * moments[_i[u]] * moments[_j[u]] * moments[_k[u]];
                    s1 += _c[u + 1] * moments[_i[u + 1]] * moments[_j[u + 1]] * moments[_k[u + 1]];
                }
                if (u < t1) s0 += _c[u] * moments[_i[u]] * moments[_j[u]] * moments[_k[u]];
                break;
        }
        return s0 + s1;
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
