using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Milad.Invariants;

/// <summary>
/// The invariants of an <see cref="InvariantSet"/> evaluated through coupled products, for the potentials' forward
/// and backward passes (four densities at once, one per lane, as <see cref="InvariantSet.EvaluateFour"/>).
/// A degree-3 invariant of blocks (a, b, c) is <c>sum_mu X_ab^(l_c)[mu] Omega_c[mu]</c> with the coupled product
/// <c>X_ab^(l_c)[mu] = sum C(mu_a, mu_b, mu) Omega_a[mu_a] Omega_b[mu_b]</c>, which depends on c only through l_c:
/// invariants that differ only in n_c share it (1,020 degree-3 invariants of the scalar set at n_max 11 need 533
/// products), and each product's terms cost two multiply-adds instead of the three multiplies and an add of a term
/// c x M x M x M. The backward pass runs the same way in reverse: <c>Y[mu] = sum_(invariants) w_q Omega_c[mu]</c>
/// per product, then each term adds to dE/dOmega_a and dE/dOmega_b. The numbers are those of the term list up to
/// rounding (the sums are ordered differently).
/// </summary>
internal sealed class CoupledInvariants
{
    /// <summary>One term of a coupling pattern: coefficient x first[U] x second[V] (which factors are first and second depends on the ordering).</summary>
    private readonly record struct Entry(int U, int V, double C);

    /// <summary>
    /// The real 3j coupling of (l_a, l_b, l_c) (<see cref="RealCoupling"/>) in three orders, each as runs that sum into one
    /// output: by mu_c (U = mu_a, V = mu_b: the coupled product), by mu_a (U = mu_b, V = mu_c: dE/dOmega_a from the
    /// adjoint) and by mu_b (U = mu_a, V = mu_c: dE/dOmega_b). Shared by every product of the same l's.
    /// </summary>
    private sealed class Pattern(Entry[] byC, int[] endsC, Entry[] byA, int[] endsA, Entry[] byB, int[] endsB)
    {
        public readonly Entry[] ByC = byC, ByA = byA, ByB = byB;
        public readonly int[] EndsC = endsC, EndsA = endsA, EndsB = endsB;

        public static Pattern Build(int la, int lb, int lc)
        {
            var entries = RealCoupling.Get(la, lb, lc);
            (Entry[], int[]) Order(Func<RealCoupling.Entry, int> output, Func<RealCoupling.Entry, int> u, Func<RealCoupling.Entry, int> v, int width)
            {
                var sorted = entries.OrderBy(output).ThenBy(u).ThenBy(v).ToArray(); // stable, explicit order
                var ends = new int[width];
                foreach (var e in sorted) ends[output(e)]++;
                for (var i = 1; i < width; i++) ends[i] += ends[i - 1];
                return (sorted.Select(e => new Entry(u(e), v(e), e.Value)).ToArray(), ends);
            }
            var (byC, endsC) = Order(e => e.C, e => e.A, e => e.B, 2 * lc + 1);
            var (byA, endsA) = Order(e => e.A, e => e.B, e => e.C, 2 * la + 1);
            var (byB, endsB) = Order(e => e.B, e => e.A, e => e.C, 2 * lb + 1);
            return new Pattern(byC, endsC, byA, endsA, byB, endsB);
        }
    }

    /// <summary>An invariant that reads a coupled product: invariant q = X . Omega[Offset .. Offset + width).</summary>
    private readonly record struct Use(int Invariant, int Offset);

    /// <summary>One coupled product of blocks at offsets A and B: X[Start .. Start + Width) and the invariants that read it.</summary>
    private readonly record struct Product(int Start, int Width, int A, int B, Pattern Pattern, int UseStart, int UseEnd);

    /// <summary>A degree-2 invariant: sum over Width moments Omega[A + i] Omega[B + i].</summary>
    private readonly record struct Square(int Invariant, int A, int B, int Width);

    private readonly (int Invariant, int Moment)[] _linear;
    private readonly Square[] _squares;
    private readonly Product[] _products;
    private readonly Use[] _uses;
    private readonly int _moments;

    public CoupledInvariants(InvariantSet set)
    {
        var basis = set.Basis;
        _moments = basis.Count;
        var linear = new List<(int, int)>();
        var squares = new List<Square>();
        var byKey = new Dictionary<((int N, int L) A, (int N, int L) B, int Lc), List<Use>>();
        for (var q = 0; q < set.Count; q++)
        {
            var info = set.Invariants[q];
            switch (info.Degree)
            {
                case 1:
                    linear.Add((q, basis.Index(info.Blocks[0].N, 0, 0)));
                    break;
                case 2:
                    var (n1, l) = info.Blocks[0];
                    squares.Add(new Square(q, basis.Offset(n1, l), basis.Offset(info.Blocks[1].N, l), 2 * l + 1));
                    break;
                default:
                    var key = (info.Blocks[0], info.Blocks[1], info.Blocks[2].L);
                    if (!byKey.TryGetValue(key, out var uses)) byKey[key] = uses = [];
                    uses.Add(new Use(q, basis.Offset(info.Blocks[2].N, info.Blocks[2].L)));
                    break;
            }
        }
        // Products of the same l's one after another, so that their pattern stays in the cache.
        var patterns = new Dictionary<(int, int, int), Pattern>();
        var products = new List<Product>();
        var allUses = new List<Use>();
        var start = 0;
        foreach (var (key, uses) in byKey.OrderBy(k => (k.Key.A.L, k.Key.B.L, k.Key.Lc, k.Key.A.N, k.Key.B.N)))
        {
            var (a, b, lc) = key;
            if (!patterns.TryGetValue((a.L, b.L, lc), out var pattern)) patterns[(a.L, b.L, lc)] = pattern = Pattern.Build(a.L, b.L, lc);
            var useStart = allUses.Count;
            allUses.AddRange(uses);
            products.Add(new Product(start, 2 * lc + 1, basis.Offset(a.N, a.L), basis.Offset(b.N, b.L), pattern, useStart, allUses.Count));
            start += 2 * lc + 1;
        }
        _linear = linear.ToArray();
        _squares = squares.ToArray();
        _products = products.ToArray();
        _uses = allUses.ToArray();
        ProductLength = start;
        TermCount = products.Sum(p => p.Pattern.ByC.Length);
        // Per density, a multiply-add counted 2: the terms (a multiply and a multiply-add each, once forward and twice
        // backward), the dot products with Omega_c (forward) and the adjoint and dE/dOmega_c (backward, two per component).
        long useWidths = products.Sum(p => (long)(p.UseEnd - p.UseStart) * p.Width), squareWidths = _squares.Sum(q => (long)q.Width);
        ForwardFlops = 3.0 * TermCount + 2.0 * useWidths + 2.0 * squareWidths;
        BackwardFlops = 6.0 * TermCount + 4.0 * useWidths + 4.0 * squareWidths + _linear.Length;
    }

    /// <summary>FLOP of <see cref="EvaluateFour"/> per density (a multiply-add counts 2).</summary>
    public double ForwardFlops { get; }

    /// <summary>FLOP of <see cref="VectorJacobianProductFour"/> per density.</summary>
    public double BackwardFlops { get; }

    /// <summary>Vectors of the coupled products of one set of four densities.</summary>
    public int ProductLength { get; }

    /// <summary>Terms over all coupled products (each a multiply and a multiply-add of a product of two moments).</summary>
    public int TermCount { get; }

    /// <summary>Number of coupled products.</summary>
    public int ProductCount => _products.Length;

    /// <summary>
    /// Invariants of four densities (moments in lanes) into <paramref name="values"/>, keeping the coupled products in
    /// <paramref name="products"/> (<see cref="ProductLength"/> vectors) for the backward pass.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: optimised at once, not first as unoptimised code patched by on-stack replacement
    public void EvaluateFour(ReadOnlySpan<Vector256<double>> x, Span<Vector256<double>> values, Span<Vector256<double>> products)
    {
        if (x.Length < _moments || products.Length < ProductLength || values.Length < _linear.Length + _squares.Length + _uses.Length)
            throw new ArgumentException("x needs Basis.Count vectors, products ProductLength, values Count");
        foreach (var (q, i) in _linear) values[q] = x[i];
        foreach (var s in _squares) values[s.Invariant] = Dot(x.Slice(s.A, s.Width), x.Slice(s.B, s.Width));
        ref var m = ref MemoryMarshal.GetReference(x);
        ref var X0 = ref MemoryMarshal.GetReference(products);
        foreach (var p in _products)
        {
            Gather(p.Pattern.ByC, p.Pattern.EndsC, ref Unsafe.Add(ref m, p.A), ref Unsafe.Add(ref m, p.B), ref Unsafe.Add(ref X0, p.Start), add: false);
            var X = products.Slice(p.Start, p.Width);
            foreach (var u in _uses.AsSpan(p.UseStart, p.UseEnd - p.UseStart))
                values[u.Invariant] = Dot(X, x.Slice(u.Offset, p.Width));
        }
    }

    /// <summary>
    /// <paramref name="result"/>[mu] (Basis.Count vectors) = sum_q weights[q] dI_q/dOmega_mu, lane by lane, from the moments
    /// and the coupled products <see cref="EvaluateFour"/> kept; <paramref name="adjoint"/> is work space of
    /// <see cref="ProductLength"/> vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: optimised at once, not first as unoptimised code patched by on-stack replacement
    public void VectorJacobianProductFour(ReadOnlySpan<Vector256<double>> x, ReadOnlySpan<Vector256<double>> products,
        ReadOnlySpan<Vector256<double>> weights, Span<Vector256<double>> result, Span<Vector256<double>> adjoint)
    {
        if (x.Length < _moments || result.Length < _moments || products.Length < ProductLength || adjoint.Length < ProductLength
            || weights.Length < _linear.Length + _squares.Length + _uses.Length)
            throw new ArgumentException("x and result need Basis.Count vectors, products and adjoint ProductLength, weights Count");
        result.Clear();
        foreach (var (q, i) in _linear) result[i] += weights[q];
        foreach (var s in _squares)
        {
            var w = weights[s.Invariant];
            if (w == Vector256<double>.Zero) continue;
            for (var i = 0; i < s.Width; i++)
            {
                var (a, b) = (x[s.A + i], x[s.B + i]);
                result[s.A + i] = Vector256.FusedMultiplyAdd(w, b, result[s.A + i]);
                result[s.B + i] = Vector256.FusedMultiplyAdd(w, a, result[s.B + i]);
            }
        }
        ref var m = ref MemoryMarshal.GetReference(x);
        ref var r0 = ref MemoryMarshal.GetReference(result);
        ref var Y0 = ref MemoryMarshal.GetReference(adjoint);
        foreach (var p in _products)
        {
            // Y = sum_q w_q Omega_c (the adjoint of the product), and dE/dOmega_c += w_q X.
            var Y = adjoint.Slice(p.Start, p.Width);
            Y.Clear();
            var any = false;
            var X = products.Slice(p.Start, p.Width);
            foreach (var u in _uses.AsSpan(p.UseStart, p.UseEnd - p.UseStart))
            {
                var w = weights[u.Invariant];
                if (w == Vector256<double>.Zero) continue;
                any = true;
                for (var i = 0; i < Y.Length; i++)
                {
                    Y[i] = Vector256.FusedMultiplyAdd(w, x[u.Offset + i], Y[i]);
                    result[u.Offset + i] = Vector256.FusedMultiplyAdd(w, X[i], result[u.Offset + i]);
                }
            }
            if (!any) continue;
            ref var y = ref Unsafe.Add(ref Y0, p.Start);
            Gather(p.Pattern.ByA, p.Pattern.EndsA, ref Unsafe.Add(ref m, p.B), ref y, ref Unsafe.Add(ref r0, p.A), add: true);
            Gather(p.Pattern.ByB, p.Pattern.EndsB, ref Unsafe.Add(ref m, p.A), ref y, ref Unsafe.Add(ref r0, p.B), add: true);
        }
    }

    /// <summary>
    /// output[r] (=, or += with <paramref name="add"/>) sum over the entries e of run r of C_e first[U_e] second[V_e]. The
    /// indices come from the patterns built here, within the blocks the callers point at (checked lengths above).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Gather(Entry[] entries, int[] ends, ref Vector256<double> first, ref Vector256<double> second, ref Vector256<double> output, bool add)
    {
        ref var e0 = ref MemoryMarshal.GetArrayDataReference(entries);
        var e = 0;
        for (var r = 0; r < ends.Length; r++)
        {
            var end = ends[r];
            Vector256<double> s0 = default, s1 = default;
            for (; e + 2 <= end; e += 2)
            {
                ref readonly var t0 = ref Unsafe.Add(ref e0, e);
                ref readonly var t1 = ref Unsafe.Add(ref e0, e + 1);
                s0 = Vector256.FusedMultiplyAdd(Vector256.Create(t0.C) * Unsafe.Add(ref first, t0.U), Unsafe.Add(ref second, t0.V), s0);
                s1 = Vector256.FusedMultiplyAdd(Vector256.Create(t1.C) * Unsafe.Add(ref first, t1.U), Unsafe.Add(ref second, t1.V), s1);
            }
            if (e < end)
            {
                ref readonly var t = ref Unsafe.Add(ref e0, e++);
                s0 = Vector256.FusedMultiplyAdd(Vector256.Create(t.C) * Unsafe.Add(ref first, t.U), Unsafe.Add(ref second, t.V), s0);
            }
            ref var o = ref Unsafe.Add(ref output, r);
            o = add ? o + (s0 + s1) : s0 + s1;
        }
    }

    /// <summary>sum_i a[i] b[i], lane by lane (two sums in flight).</summary>
    private static Vector256<double> Dot(ReadOnlySpan<Vector256<double>> a, ReadOnlySpan<Vector256<double>> b)
    {
        Vector256<double> s0 = default, s1 = default;
        var i = 0;
        for (; i + 2 <= a.Length; i += 2)
        {
            s0 = Vector256.FusedMultiplyAdd(a[i], b[i], s0);
            s1 = Vector256.FusedMultiplyAdd(a[i + 1], b[i + 1], s1);
        }
        if (i < a.Length) s0 = Vector256.FusedMultiplyAdd(a[i], b[i], s0);
        return s0 + s1;
    }
}
