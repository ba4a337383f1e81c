using System.Numerics;
using Milad.Structures;

namespace Milad.Moments;

/// <summary>
/// The 3D Zernike functions on the unit ball up to order <see cref="NMax"/>:
/// <c>Z_nlm(x) = R_nl(|x|) Y_lm(x/|x|)</c> with <c>0 &lt;= l &lt;= n</c>, <c>n - l</c> even, complex spherical
/// harmonics with the Condon-Shortley phase, and
/// <c>R_nl(r) = sqrt(2n+3) r^l P_k^(0, l+1/2)(2r^2 - 1)</c>, <c>k = (n-l)/2</c> (Jacobi polynomial),
/// so that the functions are orthonormal on the unit ball.
/// <para>
/// Everything is evaluated as polynomials in Cartesian coordinates: the regular solid harmonics
/// <c>r^l Y_lm</c> by their three-term recurrence in (x + iy, z, r^2) and the radial factor by the Jacobi
/// recurrence in r^2. Both recurrences are stable on the ball (checked to n = 20 against exact arithmetic),
/// smooth at the origin, and differentiate exactly in forward mode.
/// </para>
/// <para>
/// Internally the functions are stored in the real basis: for each (n, l) a block of 2l+1 real functions
/// indexed by mu = -l..l, <c>Zr_nl0 = Z_nl0</c>, <c>Zr_nl(+m) = sqrt2 (-1)^m Re Z_nlm</c>,
/// <c>Zr_nl(-m) = sqrt2 (-1)^m Im Z_nlm</c> (m &gt; 0). This basis is orthonormal too, and moments in it are real.
/// </para>
/// </summary>
public sealed partial class ZernikeBasis
{
    private readonly int[] _offsetOfNl; // (n, l) -> offset of its real block, -1 when n - l is odd
    private readonly double[] _sa, _sb;  // solid-harmonic recurrence coefficients a_lm, b_lm at [l * (L+1) + m]
    private readonly double[] _seed;     // -sqrt((2m+1)/(2m)) for the diagonal m = l
    private readonly double[] _ja, _jb, _jc; // Jacobi recurrence coefficients per (l, k)

    public ZernikeBasis(int nMax)
    {
        if (nMax < 0) throw new ArgumentOutOfRangeException(nameof(nMax), "n_max must be >= 0");
        NMax = nMax;
        var blocks = new List<(int n, int l)>();
        _offsetOfNl = new int[(nMax + 1) * (nMax + 1)];
        Array.Fill(_offsetOfNl, -1);
        var offset = 0;
        for (var n = 0; n <= nMax; n++)
            for (var l = n % 2; l <= n; l += 2)
            {
                _offsetOfNl[n * (nMax + 1) + l] = offset;
                blocks.Add((n, l));
                offset += 2 * l + 1;
            }
        Blocks = blocks.ToArray();
        Count = offset;

        var L = nMax + 1;
        _sa = new double[L * L];
        _sb = new double[L * L];
        _seed = new double[L];
        for (var l = 0; l <= nMax; l++)
        {
            if (l > 0) _seed[l] = -Math.Sqrt((2.0 * l + 1) / (2.0 * l));
            for (var m = 0; m < l; m++)
            {
                _sa[l * L + m] = Math.Sqrt((4.0 * l * l - 1) / ((double)l * l - (double)m * m));
                _sb[l * L + m] = l - 1 > m
                    ? Math.Sqrt(((l - 1.0) * (l - 1.0) - (double)m * m) / (4.0 * (l - 1) * (l - 1) - 1))
                    : 0;
            }
        }

        // P_k^(0,b)(t) with b = l + 1/2: 2k(k+b)(2k+b-2) P_k = (2k+b-1)[(2k+b)(2k+b-2) t - b^2] P_{k-1} - 2(k-1)(k+b-1)(2k+b) P_{k-2}
        var K = nMax / 2 + 1;
        _ja = new double[L * K];
        _jb = new double[L * K];
        _jc = new double[L * K];
        for (var l = 0; l <= nMax; l++)
        {
            var b = l + 0.5;
            for (var k = 2; k < K; k++)
            {
                var d = 2.0 * k * (k + b) * (2 * k + b - 2);
                _ja[l * K + k] = (2 * k + b - 1) * (2 * k + b) * (2 * k + b - 2) / d;
                _jb[l * K + k] = -(2 * k + b - 1) * b * b / d;
                _jc[l * K + k] = 2.0 * (k - 1) * (k + b - 1) * (2 * k + b) / d;
            }
        }
    }

    /// <summary>Largest order n.</summary>
    public int NMax { get; }

    /// <summary>Number of functions (real or complex): (n_max+1)(n_max+2)(n_max+3)/6.</summary>
    public int Count { get; }

    /// <summary>The (n, l) blocks in storage order (n ascending, then l ascending); block b holds 2l+1 functions.</summary>
    public (int N, int L)[] Blocks { get; }

    /// <summary>Offset of the block (n, l) in the real and complex storage.</summary>
    public int Offset(int n, int l)
    {
        if (n < 0 || n > NMax || l < 0 || l > n || ((n - l) & 1) != 0)
            throw new ArgumentOutOfRangeException(nameof(n), $"no Zernike block (n={n}, l={l}) up to n_max={NMax}");
        return _offsetOfNl[n * (NMax + 1) + l];
    }

    /// <summary>Storage index of (n, l, m), m = -l..l, in the real (m means mu) or complex storage.</summary>
    public int Index(int n, int l, int m) => Offset(n, l) + l + m;

    /// <summary>Real Zernike functions at <paramref name="x"/> (unit-ball coordinates) into <paramref name="values"/> (length Count).</summary>
    public void Evaluate(Vec3 x, Span<double> values) => Evaluate(x, values, default, default, default);

    /// <summary>
    /// Real Zernike functions at <paramref name="x"/> and, when the spans are not empty, their gradients
    /// with respect to x (each span of length Count).
    /// </summary>
    public void Evaluate(Vec3 x, Span<double> values, Span<double> dx, Span<double> dy, Span<double> dz)
    {
        var grad = !dx.IsEmpty;
        var L = NMax + 1;
        var K = NMax / 2 + 1;
        // Work arrays are small (n_max <= ~30): stack-allocate.
        Span<double> sre = stackalloc double[L * L], sim = stackalloc double[L * L];
        Span<double> gre = grad ? stackalloc double[3 * L * L] : default, gim = grad ? stackalloc double[3 * L * L] : default;
        SolidHarmonics(x, sre, sim, gre, gim, grad);

        var u = x.Norm2;
        var t = 2 * u - 1;
        Span<double> p = stackalloc double[K], dp = stackalloc double[K];
        for (var l = 0; l <= NMax; l++)
        {
            var kMax = (NMax - l) / 2;
            // Jacobi P_k^(0, l+1/2)(t) and its derivative with respect to u = r^2 (dt/du = 2).
            var b = l + 0.5;
            p[0] = 1; dp[0] = 0;
            if (kMax >= 1) { p[1] = 1 + (b + 2) * (t - 1) / 2; dp[1] = b + 2; }
            for (var k = 2; k <= kMax; k++)
            {
                int c = l * K + k;
                var lin = _ja[c] * t + _jb[c];
                p[k] = lin * p[k - 1] - _jc[c] * p[k - 2];
                dp[k] = 2 * _ja[c] * p[k - 1] + lin * dp[k - 1] - _jc[c] * dp[k - 2];
            }
            for (var k = 0; k <= kMax; k++)
            {
                var n = l + 2 * k;
                var norm = Math.Sqrt(2.0 * n + 3);
                var radial = norm * p[k];
                var dRadial = norm * dp[k] * 2; // d/d(x_a) of R(u) = R'(u) * 2 x_a
                var off = _offsetOfNl[n * L + l] + l;
                for (var m = 0; m <= l; m++)
                {
                    var s = l * L + m;
                    var f = RealFactor(m);
                    values[off + m] = f * radial * sre[s];
                    if (m > 0) values[off - m] = f * radial * sim[s];
                    if (!grad) continue;
                    for (var a = 0; a < 3; a++)
                    {
                        var xa = a == 0 ? x.X : a == 1 ? x.Y : x.Z;
                        var target = a == 0 ? dx : a == 1 ? dy : dz;
                        target[off + m] = f * (dRadial * xa * sre[s] + radial * gre[a * L * L + s]);
                        if (m > 0) target[off - m] = f * (dRadial * xa * sim[s] + radial * gim[a * L * L + s]);
                    }
                }
            }
        }
    }

    /// <summary>The real basis from the complex one: mu = 0 -> Re; mu = +m -> sqrt2 (-1)^m Re; mu = -m -> sqrt2 (-1)^m Im.</summary>
    private static double RealFactor(int m) => m == 0 ? 1.0 : ((m & 1) == 0 ? Math.Sqrt(2) : -Math.Sqrt(2));

    /// <summary>
    /// Complex Zernike functions Z_nlm(x) (not conjugated) in complex storage order. For checks and
    /// for users who want the textbook convention; the library works in the real basis.
    /// </summary>
    public void EvaluateComplex(Vec3 x, Span<Complex> values)
    {
        Span<double> real = stackalloc double[Count];
        Evaluate(x, real);
        foreach (var (n, l) in Blocks)
        {
            var off = Offset(n, l) + l;
            values[off] = real[off];
            for (var m = 1; m <= l; m++)
            {
                var sign = (m & 1) == 0 ? 1.0 : -1.0;
                var z = new Complex(real[off + m], real[off - m]) * (sign / Math.Sqrt(2));
                values[off + m] = z;
                values[off - m] = sign * Complex.Conjugate(z); // Z_nl(-m) = (-1)^m conj(Z_nlm)
            }
        }
    }

    /// <summary>
    /// Regular solid harmonics r^l Y_lm (m &gt;= 0, Condon-Shortley) at x, as real and imaginary parts at
    /// [l*(L) + m], with gradients at [axis*L*L + l*L + m] when <paramref name="grad"/>.
    /// </summary>
    private void SolidHarmonics(Vec3 x, Span<double> re, Span<double> im, Span<double> gre, Span<double> gim, bool grad)
    {
        var L = NMax + 1;
        var LL = L * L;
        var r2 = x.Norm2;
        re[0] = 0.5 / Math.Sqrt(Math.PI);
        im[0] = 0;
        if (grad)
            for (var a = 0; a < 3; a++) { gre[a * LL] = 0; gim[a * LL] = 0; }
        for (var m = 0; m <= NMax; m++)
        {
            var mm = m * L + m;
            if (m > 0)
            {
                // S_mm = c (x + i y) S_(m-1)(m-1)
                var c = _seed[m];
                var prev = (m - 1) * L + (m - 1);
                double pr = re[prev], pi = im[prev];
                re[mm] = c * (x.X * pr - x.Y * pi);
                im[mm] = c * (x.X * pi + x.Y * pr);
                if (grad)
                {
                    for (var a = 0; a < 3; a++)
                    {
                        double dpr = gre[a * LL + prev], dpi = gim[a * LL + prev];
                        var vr = x.X * dpr - x.Y * dpi;
                        var vi = x.X * dpi + x.Y * dpr;
                        if (a == 0) { vr += pr; vi += pi; }         // d(x + iy)/dx = 1
                        else if (a == 1) { vr -= pi; vi += pr; }    // d(x + iy)/dy = i
                        gre[a * LL + mm] = c * vr;
                        gim[a * LL + mm] = c * vi;
                    }
                }
            }
            for (var l = m + 1; l <= NMax; l++)
            {
                // S_lm = a (z S_(l-1)m - b r^2 S_(l-2)m)
                var s = l * L + m;
                var p1 = s - L;
                var a_ = _sa[s];
                var b_ = _sb[s];
                double r2re = 0, r2im = 0;
                var p2 = s - 2 * L;
                if (l - 2 >= m) { r2re = re[p2]; r2im = im[p2]; }
                re[s] = a_ * (x.Z * re[p1] - b_ * r2 * r2re);
                im[s] = a_ * (x.Z * im[p1] - b_ * r2 * r2im);
                if (!grad) continue;
                for (var ax = 0; ax < 3; ax++)
                {
                    var o = ax * LL;
                    var xa = ax == 0 ? x.X : ax == 1 ? x.Y : x.Z;
                    double d2re = 0, d2im = 0;
                    if (l - 2 >= m) { d2re = gre[o + p2]; d2im = gim[o + p2]; }
                    var vr = x.Z * gre[o + p1] - b_ * (r2 * d2re + 2 * xa * r2re);
                    var vi = x.Z * gim[o + p1] - b_ * (r2 * d2im + 2 * xa * r2im);
                    if (ax == 2) { vr += re[p1]; vi += im[p1]; }
                    gre[o + s] = a_ * vr;
                    gim[o + s] = a_ * vi;
                }
            }
        }
    }
}
