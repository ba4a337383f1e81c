using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Milad.Moments;

// The encoder's kernel: the same recurrences as Evaluate, run for four points at once (one point per
// lane of a 256-bit vector), summed straight into the moments. Points come as separate x, y, z and
// weight arrays (structure of arrays) so that the lanes load without shuffles.
public sealed partial class ZernikeBasis
{
    /// <summary>Points per SIMD vector in <see cref="AccumulateMoments"/> and <see cref="MomentsWithDerivatives"/>.</summary>
    public const int Lanes = 4;

    /// <summary>
    /// <c>moments[mu] = sum_p w[p] Z_mu(x[p], y[p], z[p])</c> (unit-ball coordinates; overwritten, length Count).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: optimised at once, not first as unoptimised code patched by on-stack replacement
    public void AccumulateMoments(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, ReadOnlySpan<double> w, Span<double> moments)
    {
        var s = BatchScratch.For(this);
        var acc = s.Accumulators.AsSpan(0, Count);
        acc.Clear();
        for (var p0 = 0; p0 < x.Length; p0 += Lanes)
        {
            var (X, Y, Z, W) = (Load(x, p0), Load(y, p0), Load(z, p0), Load(w, p0));
            Batch(X, Y, Z, W, Vector256<double>.Zero, Vector256<double>.Zero, Vector256<double>.Zero, 0, s, acc, default, 0, 0);
        }
        for (var mu = 0; mu < Count; mu++) moments[mu] = Vector256.Sum(acc[mu]);
    }

    /// <summary>
    /// The moments (as <see cref="AccumulateMoments"/>) and their derivatives with respect to each point's
    /// displacement d (x = d x <paramref name="scale"/>) when the weight w[p] depends on d with gradient
    /// (dwx, dwy, dwz)[p]: <c>dMoments[mu * 3 stride + a * stride + p] = d moments[mu] / d d_(p,a)
    /// = scale w[p] dZ_mu/dx_a + Z_mu dw_a[p]</c>. <paramref name="stride"/> is the point count rounded up
    /// to <see cref="Lanes"/>; the padding columns are written as zeros.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: optimised at once, not first as unoptimised code patched by on-stack replacement
    public void MomentsWithDerivatives(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, ReadOnlySpan<double> w,
        ReadOnlySpan<double> dwx, ReadOnlySpan<double> dwy, ReadOnlySpan<double> dwz, double scale,
        Span<double> moments, Span<double> dMoments, int stride)
    {
        if (stride % Lanes != 0 || stride < x.Length || dMoments.Length < 3 * stride * Count)
            throw new ArgumentException("stride must be a multiple of Lanes covering the points, dMoments Count x 3 stride");
        var s = BatchScratch.For(this);
        var acc = s.Accumulators.AsSpan(0, Count);
        acc.Clear();
        for (var p0 = 0; p0 < x.Length; p0 += Lanes)
        {
            var (X, Y, Z, W) = (Load(x, p0), Load(y, p0), Load(z, p0), Load(w, p0));
            Batch(X, Y, Z, W, Load(dwx, p0), Load(dwy, p0), Load(dwz, p0), scale, s, acc, dMoments, stride, p0);
        }
        for (var p0 = (x.Length + Lanes - 1) / Lanes * Lanes; p0 < stride; p0 += Lanes)
            for (var r = 0; r < 3 * Count; r++) dMoments.Slice(r * stride + p0, Lanes).Clear();
        for (var mu = 0; mu < Count; mu++) moments[mu] = Vector256.Sum(acc[mu]);
    }

    /// <summary>Four values from <paramref name="s"/> at <paramref name="i"/>, zeros past its end.</summary>
    private static Vector256<double> Load(ReadOnlySpan<double> s, int i)
    {
        if (i + Lanes <= s.Length) return Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(s), (nuint)i);
        Span<double> tail = stackalloc double[Lanes];
        tail.Clear();
        s[i..].CopyTo(tail);
        return Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(tail));
    }

    /// <summary>
    /// One vector of points: accumulates W Z_mu into acc[mu]; with a non-empty <paramref name="dMoments"/>
    /// also writes the derivative rows at columns p0..p0+3.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: optimised at once, not first as unoptimised code patched by on-stack replacement
    private void Batch(Vector256<double> x, Vector256<double> y, Vector256<double> z, Vector256<double> w,
        Vector256<double> dwx, Vector256<double> dwy, Vector256<double> dwz, double scale,
        BatchScratch s, Span<Vector256<double>> acc, Span<double> dMoments, int stride, int p0)
    {
        var grad = !dMoments.IsEmpty;
        var L = NMax + 1;
        var LL = L * L;
        var re = s.Re.AsSpan();
        var im = s.Im.AsSpan();
        var gre = s.GRe.AsSpan();
        var gim = s.GIm.AsSpan();
        var r2 = x * x + y * y + z * z;
        var two = Vector256.Create(2.0);
        SolidHarmonicsFour(x, y, z, r2, s, grad);

        var t = two * r2 - Vector256<double>.One;
        var p = s.P.AsSpan();
        var dp = s.DP.AsSpan();
        var sw = Vector256.Create(scale) * w;
        ref var dm = ref MemoryMarshal.GetReference(dMoments);
        var rowStride = (nuint)(3 * stride);
        for (var l = 0; l <= NMax; l++)
        {
            var kMax = (NMax - l) / 2;
            JacobiFour(l, t, p, dp);
            for (var k = 0; k <= kMax; k++)
            {
                var n = l + 2 * k;
                var norm = Math.Sqrt(2.0 * n + 3);
                var radial = norm * p[k];
                var dRadial = (2 * norm) * dp[k];
                var off = _offsetOfNl[n * L + l] + l;
                for (var m = 0; m <= l; m++)
                {
                    var i = l * L + m;
                    var f = RealFactor(m);
                    var fr = f * radial;
                    var vre = fr * re[i];
                    acc[off + m] = Vector256.FusedMultiplyAdd(w, vre, acc[off + m]);
                    var vim = fr * im[i];
                    if (m > 0) acc[off - m] = Vector256.FusedMultiplyAdd(w, vim, acc[off - m]);
                    if (!grad) continue;
                    var fdr = f * dRadial;
                    var fdrRe = fdr * re[i];
                    var fdrIm = fdr * im[i];
                    for (var a = 0; a < 3; a++)
                    {
                        var xa = a == 0 ? x : a == 1 ? y : z;
                        var dwa = a == 0 ? dwx : a == 1 ? dwy : dwz;
                        var col = (nuint)(a * stride + p0);
                        var dre = Vector256.FusedMultiplyAdd(fdrRe, xa, fr * gre[a * LL + i]);
                        Vector256.FusedMultiplyAdd(sw, dre, vre * dwa).StoreUnsafe(ref dm, (nuint)(off + m) * rowStride + col);
                        if (m > 0)
                        {
                            var dim = Vector256.FusedMultiplyAdd(fdrIm, xa, fr * gim[a * LL + i]);
                            Vector256.FusedMultiplyAdd(sw, dim, vim * dwa).StoreUnsafe(ref dm, (nuint)(off - m) * rowStride + col);
                        }
                    }
                }
            }
        }
    }

    /// <summary>Jacobi P_k^(0, l+1/2)(t) and its derivative with respect to r^2 (dt/d(r^2) = 2) for k = 0..(n_max - l)/2, four points.</summary>
    private void JacobiFour(int l, Vector256<double> t, Span<Vector256<double>> p, Span<Vector256<double>> dp)
    {
        var K = NMax / 2 + 1;
        var kMax = (NMax - l) / 2;
        var b = l + 0.5;
        p[0] = Vector256<double>.One;
        dp[0] = Vector256<double>.Zero;
        if (kMax >= 1)
        {
            p[1] = Vector256<double>.One + (b + 2) * (t - Vector256<double>.One) * 0.5;
            dp[1] = Vector256.Create(b + 2);
        }
        for (var k = 2; k <= kMax; k++)
        {
            var c = l * K + k;
            var lin = _ja[c] * t + Vector256.Create(_jb[c]);
            p[k] = lin * p[k - 1] - _jc[c] * p[k - 2];
            dp[k] = 2 * _ja[c] * p[k - 1] + lin * dp[k - 1] - _jc[c] * dp[k - 2];
        }
    }

    /// <summary>
    /// The backward pass of the moments: given g = dE/dOmega (length Count), adds
    /// <c>dE/dd_(p,a) = sum_mu g_mu dOmega_mu/dd_(p,a)</c> (as in <see cref="MomentsWithDerivatives"/>) into
    /// <paramref name="dEdPoints"/>[a x stride + p], without forming the moment derivatives: g is first
    /// contracted over n with the radial factors, so the angular gradients are visited once per (l, m).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: optimised at once, not first as unoptimised code patched by on-stack replacement
    public void PullBack(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, ReadOnlySpan<double> w,
        ReadOnlySpan<double> dwx, ReadOnlySpan<double> dwy, ReadOnlySpan<double> dwz, double scale,
        ReadOnlySpan<double> g, Span<double> dEdPoints, int stride)
    {
        if (stride % Lanes != 0 || stride < x.Length || dEdPoints.Length < 3 * stride || g.Length < Count)
            throw new ArgumentException("stride must be a multiple of Lanes covering the points, dEdPoints 3 x stride, g Count");
        var s = BatchScratch.For(this);
        var L = NMax + 1;
        var LL = L * L;
        var re = s.Re.AsSpan();
        var im = s.Im.AsSpan();
        var gre = s.GRe.AsSpan();
        var gim = s.GIm.AsSpan();
        var p = s.P.AsSpan();
        var dp = s.DP.AsSpan();
        var two = Vector256.Create(2.0);
        ref var dst = ref MemoryMarshal.GetReference(dEdPoints);
        for (var p0 = 0; p0 < x.Length; p0 += Lanes)
        {
            var (X, Y, Z, W) = (Load(x, p0), Load(y, p0), Load(z, p0), Load(w, p0));
            var r2 = X * X + Y * Y + Z * Z;
            SolidHarmonicsFour(X, Y, Z, r2, s, grad: true);
            var t = two * r2 - Vector256<double>.One;
            // S = sum g Z, R = sum g f R'_nl(r^2) x 2 S_lm (the radial part of the gradient, times x_a),
            // H_a = sum g f R_nl dS_lm/dx_a (the angular part).
            Vector256<double> S = default, R = default, Hx = default, Hy = default, Hz = default;
            for (var l = 0; l <= NMax; l++)
            {
                var kMax = (NMax - l) / 2;
                JacobiFour(l, t, p, dp);
                for (var m = 0; m <= l; m++)
                {
                    var f = RealFactor(m);
                    // Contract g over n = l + 2k with the radial factors and their derivatives.
                    Vector256<double> vre = default, vim = default, dre = default, dim = default;
                    for (var k = 0; k <= kMax; k++)
                    {
                        var n = l + 2 * k;
                        var norm = f * Math.Sqrt(2.0 * n + 3);
                        var off = _offsetOfNl[n * L + l] + l;
                        var gr = g[off + m] * norm;
                        vre = Vector256.FusedMultiplyAdd(Vector256.Create(gr), p[k], vre);
                        dre = Vector256.FusedMultiplyAdd(Vector256.Create(2 * gr), dp[k], dre);
                        if (m > 0)
                        {
                            var gi = g[off - m] * norm;
                            vim = Vector256.FusedMultiplyAdd(Vector256.Create(gi), p[k], vim);
                            dim = Vector256.FusedMultiplyAdd(Vector256.Create(2 * gi), dp[k], dim);
                        }
                    }
                    var i = l * L + m;
                    S = Vector256.FusedMultiplyAdd(vre, re[i], Vector256.FusedMultiplyAdd(vim, im[i], S));
                    R = Vector256.FusedMultiplyAdd(dre, re[i], Vector256.FusedMultiplyAdd(dim, im[i], R));
                    Hx = Vector256.FusedMultiplyAdd(vre, gre[i], Vector256.FusedMultiplyAdd(vim, gim[i], Hx));
                    Hy = Vector256.FusedMultiplyAdd(vre, gre[LL + i], Vector256.FusedMultiplyAdd(vim, gim[LL + i], Hy));
                    Hz = Vector256.FusedMultiplyAdd(vre, gre[2 * LL + i], Vector256.FusedMultiplyAdd(vim, gim[2 * LL + i], Hz));
                }
            }
            // dE/dd_a = scale w (x_a R + H_a) + dw_a S.
            var sw = Vector256.Create(scale) * W;
            var gx = sw * Vector256.FusedMultiplyAdd(X, R, Hx) + Load(dwx, p0) * S;
            var gy = sw * Vector256.FusedMultiplyAdd(Y, R, Hy) + Load(dwy, p0) * S;
            var gz = sw * Vector256.FusedMultiplyAdd(Z, R, Hz) + Load(dwz, p0) * S;
            (Vector256.LoadUnsafe(ref dst, (nuint)p0) + gx).StoreUnsafe(ref dst, (nuint)p0);
            (Vector256.LoadUnsafe(ref dst, (nuint)(stride + p0)) + gy).StoreUnsafe(ref dst, (nuint)(stride + p0));
            (Vector256.LoadUnsafe(ref dst, (nuint)(2 * stride + p0)) + gz).StoreUnsafe(ref dst, (nuint)(2 * stride + p0));
        }
    }

    /// <summary>Regular solid harmonics r^l Y_lm (m &gt;= 0) of four points into s.Re, s.Im and, with <paramref name="grad"/>, their gradients into s.GRe, s.GIm.</summary>
    private void SolidHarmonicsFour(Vector256<double> x, Vector256<double> y, Vector256<double> z, Vector256<double> r2, BatchScratch s, bool grad)
    {
        var L = NMax + 1;
        var LL = L * L;
        var re = s.Re.AsSpan();
        var im = s.Im.AsSpan();
        var gre = s.GRe.AsSpan();
        var gim = s.GIm.AsSpan();
        var two = Vector256.Create(2.0);
        // Regular solid harmonics r^l Y_lm, m >= 0 (see SolidHarmonics).
        re[0] = Vector256.Create(0.5 / Math.Sqrt(Math.PI));
        im[0] = Vector256<double>.Zero;
        if (grad)
            for (var a = 0; a < 3; a++) { gre[a * LL] = Vector256<double>.Zero; gim[a * LL] = Vector256<double>.Zero; }
        for (var m = 0; m <= NMax; m++)
        {
            var mm = m * L + m;
            if (m > 0)
            {
                var c = _seed[m];
                var prev = (m - 1) * L + (m - 1);
                var pr = re[prev];
                var pi = im[prev];
                re[mm] = c * (x * pr - y * pi);
                im[mm] = c * (x * pi + y * pr);
                if (grad)
                {
                    for (var a = 0; a < 3; a++)
                    {
                        var dpr = gre[a * LL + prev];
                        var dpi = gim[a * LL + prev];
                        var vr = x * dpr - y * dpi;
                        var vi = x * dpi + y * dpr;
                        if (a == 0) { vr += pr; vi += pi; }
                        else if (a == 1) { vr -= pi; vi += pr; }
                        gre[a * LL + mm] = c * vr;
                        gim[a * LL + mm] = c * vi;
                    }
                }
            }
            for (var l = m + 1; l <= NMax; l++)
            {
                var i = l * L + m;
                var p1 = i - L;
                var ca = _sa[i];
                var cb = _sb[i];
                var has2 = l - 2 >= m;
                var r2re = has2 ? re[i - 2 * L] : Vector256<double>.Zero;
                var r2im = has2 ? im[i - 2 * L] : Vector256<double>.Zero;
                re[i] = ca * (z * re[p1] - cb * r2 * r2re);
                im[i] = ca * (z * im[p1] - cb * r2 * r2im);
                if (!grad) continue;
                for (var a = 0; a < 3; a++)
                {
                    var o = a * LL;
                    var xa = a == 0 ? x : a == 1 ? y : z;
                    var d2re = has2 ? gre[o + i - 2 * L] : Vector256<double>.Zero;
                    var d2im = has2 ? gim[o + i - 2 * L] : Vector256<double>.Zero;
                    var vr = z * gre[o + p1] - cb * (r2 * d2re + two * xa * r2re);
                    var vi = z * gim[o + p1] - cb * (r2 * d2im + two * xa * r2im);
                    if (a == 2) { vr += re[p1]; vi += im[p1]; }
                    gre[o + i] = ca * vr;
                    gim[o + i] = ca * vi;
                }
            }
        }
    }

    /// <summary>Per-thread work arrays of the batch kernel, grown to the largest basis used on the thread.</summary>
    private sealed class BatchScratch
    {
        [ThreadStatic] private static BatchScratch? _current;

        public Vector256<double>[] Re = [], Im = [], GRe = [], GIm = [], P = [], DP = [], Accumulators = [];

        public static BatchScratch For(ZernikeBasis basis)
        {
            var s = _current ??= new BatchScratch();
            var L = basis.NMax + 1;
            if (s.Re.Length < L * L)
            {
                s.Re = new Vector256<double>[L * L]; s.Im = new Vector256<double>[L * L];
                s.GRe = new Vector256<double>[3 * L * L]; s.GIm = new Vector256<double>[3 * L * L];
                s.P = new Vector256<double>[L]; s.DP = new Vector256<double>[L];
            }
            if (s.Accumulators.Length < basis.Count) s.Accumulators = new Vector256<double>[basis.Count];
            return s;
        }
    }
}
