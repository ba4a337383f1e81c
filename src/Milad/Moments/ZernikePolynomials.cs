using System.Numerics;

namespace Milad.Moments;

/// <summary>
/// The exact expansion of every Zernike function up to n_max in monomials x^p y^q z^s (p + q + s &lt;= n),
/// complex and real basis, in the storage order of <see cref="ZernikeBasis"/> (n ascending, l ascending,
/// m = -l..l). Derived from the closed forms, independently of the recurrences in <see cref="ZernikeBasis"/>:
/// <list type="bullet">
/// <item>Solid harmonic (Rodrigues + Condon-Shortley), m &gt;= 0, u = r^2:
/// <c>r^l Y_lm = (-1)^m 2^-l sqrt((2l+1)(l-m)!/(4 pi (l+m)!)) (x+iy)^m sum_j s_j z^(l-m-2j) u^j</c>,
/// <c>s_j = (-1)^j C(l,j) C(2l-2j,l) (l-2j)!/(l-2j-m)!</c>.</item>
/// <item>Radial Jacobi factor (explicit sum, with P^(0,b)(t) = (-1)^k P^(b,0)(-t) and b = l + 1/2):
/// <c>P_k^(0,b)(2u-1) = (-1)^k / (k! 2^k) sum_i (-1)^i C(k,i) O_i u^i</c>,
/// <c>O_i = prod_(t=1..k) (2(l+i+t)+1)</c>, times sqrt(2n+3).</item>
/// <item>With rho = x^2 + y^2 and u = rho + z^2 the product is a sum of <c>(x+iy)^m rho^a z^b</c>;
/// <c>(x+iy)^m rho^a = (X+Y)^m (X^2-Y^2)^a</c> with X = x, Y = iy has integer coefficients in X, Y.</item>
/// <item><c>Z_nl(-m) = (-1)^m conj(Z_nlm)</c>; real basis <c>Zr_nl(+m) = sqrt2 (-1)^m Re Z_nlm</c>,
/// <c>Zr_nl(-m) = sqrt2 (-1)^m Im Z_nlm</c>.</item>
/// </list>
/// Everything is integer arithmetic; each function ends as sqrt(rational/pi) times a primitive integer polynomial.
/// </summary>
public sealed class ZernikePolynomials
{
    private readonly ZernikePolynomial[] _complex, _real;
    private readonly ZernikeBasis _layout; // the storage order is the basis's

    public ZernikePolynomials(int nMax)
    {
        if (nMax < 0) throw new ArgumentOutOfRangeException(nameof(nMax), "n_max must be >= 0");
        NMax = nMax;
        _layout = new ZernikeBasis(nMax);
        Count = _layout.Count;
        MonomialCount = GeometricMoments.Count(nMax);
        _complex = new ZernikePolynomial[Count];
        _real = new ZernikePolynomial[Count];
        Build();
    }

    public int NMax { get; }

    /// <summary>Number of functions, (n_max+1)(n_max+2)(n_max+3)/6.</summary>
    public int Count { get; }

    /// <summary>Number of monomials of degree &lt;= n_max; equal to <see cref="Count"/>.</summary>
    public int MonomialCount { get; }

    /// <summary>Storage index of (n, l, m), same as <see cref="ZernikeBasis.Index"/>.</summary>
    public int Index(int n, int l, int m)
    {
        if (Math.Abs(m) > l)
            throw new ArgumentOutOfRangeException(nameof(m), $"no Zernike function (n={n}, l={l}, m={m})");
        return _layout.Offset(n, l) + l + m;
    }

    /// <summary>The complex function Z_nlm at a storage index.</summary>
    public ZernikePolynomial Complex(int index) => _complex[index];

    /// <summary>The real-basis function Zr_nl mu at a storage index.</summary>
    public ZernikePolynomial Real(int index) => _real[index];

    /// <summary>Dense real coefficients: row = function (storage index), column = monomial index.</summary>
    public double[,] RealCoefficientMatrix()
    {
        var a = new double[Count, MonomialCount];
        for (var f = 0; f < Count; f++)
        {
            var poly = _real[f];
            for (var t = 0; t < poly.Terms; t++) a[f, poly.Monomials[t]] = poly.Coefficient(t).Real;
        }
        return a;
    }

    /// <summary>Dense complex coefficients of Z_nlm (not conjugated): row = function, column = monomial.</summary>
    public Complex[,] ComplexCoefficientMatrix()
    {
        var a = new Complex[Count, MonomialCount];
        for (var f = 0; f < Count; f++)
        {
            var poly = _complex[f];
            for (var t = 0; t < poly.Terms; t++) a[f, poly.Monomials[t]] = poly.Coefficient(t);
        }
        return a;
    }

    private void Build()
    {
        var nMax = NMax;
        for (var m = 0; m <= nMax; m++)
        {
            // c[a][q]: integer coefficient of X^(m+2a-q) Y^q in (X+Y)^m (X^2-Y^2)^a, X = x, Y = iy.
            var aMax = (nMax - m) / 2;
            var xy = new BigInteger[aMax + 1][];
            xy[0] = new BigInteger[m + 1];
            for (var q = 0; q <= m; q++) xy[0][q] = ExactArithmetic.Binomial(m, q);
            for (var a = 1; a <= aMax; a++)
            {
                var prev = xy[a - 1];
                var next = new BigInteger[prev.Length + 2];
                for (var q = 0; q < prev.Length; q++)
                {
                    next[q] += prev[q];
                    next[q + 2] -= prev[q];
                }
                xy[a] = next;
            }

            for (var l = m; l <= nMax; l++)
            {
                var jMax = (l - m) / 2;
                var solid = new BigInteger[jMax + 1];
                for (var j = 0; j <= jMax; j++)
                {
                    var v = ExactArithmetic.Binomial(l, j) * ExactArithmetic.Binomial(2 * l - 2 * j, l)
                            * ExactArithmetic.Factorial(l - 2 * j) / ExactArithmetic.Factorial(l - 2 * j - m);
                    solid[j] = (j & 1) == 0 ? v : -v;
                }
                for (var k = 0; l + 2 * k <= nMax; k++)
                    BuildFunction(l + 2 * k, l, m, k, solid, xy);
            }
        }
    }

    private void BuildFunction(int n, int l, int m, int k, BigInteger[] solid, BigInteger[][] xy)
    {
        // Radial sum r_i u^i.
        var radial = new BigInteger[k + 1];
        for (var i = 0; i <= k; i++)
        {
            var o = BigInteger.One;
            for (var t = 1; t <= k; t++) o *= 2 * (l + i + t) + 1;
            var v = ExactArithmetic.Binomial(k, i) * o;
            radial[i] = (i & 1) == 0 ? v : -v;
        }

        // T[a, b]: coefficient of rho^a z^b in (sum_j s_j z^(l-m-2j) u^j)(sum_i r_i u^i), u = rho + z^2.
        var aMax = (n - m) / 2;
        var T = new BigInteger[aMax + 1, n - m + 1];
        for (var j = 0; j < solid.Length; j++)
            for (var i = 0; i <= k; i++)
            {
                var c = solid[j] * radial[i];
                var e = i + j;
                for (var a = 0; a <= e; a++)
                    T[a, l - m - 2 * j + 2 * (e - a)] += c * ExactArithmetic.Binomial(e, a);
            }

        // Expand (x+iy)^m rho^a z^b; i^q splits real (q even) and imaginary (q odd) parts.
        var monomials = new List<int>();
        var re = new List<BigInteger>();
        var im = new List<BigInteger>();
        for (var a = 0; a <= aMax; a++)
            for (var b = 0; b <= n - m - 2 * a; b++)
            {
                var tab = T[a, b];
                if (tab.IsZero) continue;
                var row = xy[a];
                for (var q = 0; q < row.Length; q++)
                {
                    if (row[q].IsZero) continue;
                    var v = tab * row[q];
                    if ((q & 2) != 0) v = -v; // i^q = +1, i, -1, -i
                    monomials.Add(GeometricMoments.Index(m + 2 * a - q, q, b));
                    re.Add((q & 1) == 0 ? v : BigInteger.Zero);
                    im.Add((q & 1) == 0 ? BigInteger.Zero : v);
                }
            }

        // Constant: (-1)^(k+m) sqrt((2n+3)(2l+1)(l-m)! / (4 pi (l+m)!)) / (k! 2^(k+l)).
        var num = (BigInteger)(2 * n + 3) * (2 * l + 1) * ExactArithmetic.Factorial(l - m);
        var kf = ExactArithmetic.Factorial(k) << (k + l);
        var den = 4 * ExactArithmetic.Factorial(l + m) * kf * kf;
        var sign = ((k + m) & 1) == 0 ? 1 : -1;

        var order = Enumerable.Range(0, monomials.Count).OrderBy(t => monomials[t]).ToArray();
        var mono = order.Select(t => monomials[t]).ToArray();
        var cre = order.Select(t => sign * re[t]).ToArray();
        var cim = order.Select(t => sign * im[t]).ToArray();

        var offset = _layout.Offset(n, l) + l;
        _complex[offset + m] = Make(n, l, m, false, num, den, mono, cre, cim);
        if (m == 0)
        {
            _real[offset] = Make(n, l, 0, true, num, den, mono, cre, new BigInteger[mono.Length]);
            return;
        }
        // Z_nl(-m) = (-1)^m conj(Z_nlm)
        var ms = (m & 1) == 0 ? BigInteger.One : BigInteger.MinusOne;
        _complex[offset - m] = Make(n, l, -m, false, num, den, mono,
            cre.Select(c => ms * c).ToArray(), cim.Select(c => -ms * c).ToArray());
        // Zr(+m) = sqrt2 (-1)^m Re Z_nlm, Zr(-m) = sqrt2 (-1)^m Im Z_nlm
        _real[offset + m] = Make(n, l, m, true, 2 * num, den, mono, cre.Select(c => ms * c).ToArray(), new BigInteger[mono.Length]);
        _real[offset - m] = Make(n, l, -m, true, 2 * num, den, mono, cim.Select(c => ms * c).ToArray(), new BigInteger[mono.Length]);
    }

    /// <summary>Drops zero terms, pulls the common factor g of the coefficients into the scale (times g^2), reduces the scale.</summary>
    private static ZernikePolynomial Make(int n, int l, int m, bool isReal, BigInteger num, BigInteger den,
        int[] monomials, BigInteger[] re, BigInteger[] im)
    {
        var keep = Enumerable.Range(0, monomials.Length).Where(t => !re[t].IsZero || !im[t].IsZero).ToArray();
        var mono = keep.Select(t => monomials[t]).ToArray();
        var cre = keep.Select(t => re[t]).ToArray();
        var cim = keep.Select(t => im[t]).ToArray();
        var g = BigInteger.GreatestCommonDivisor(ExactArithmetic.Gcd(cre), ExactArithmetic.Gcd(cim));
        if (g > 1)
        {
            for (var t = 0; t < cre.Length; t++) { cre[t] /= g; cim[t] /= g; }
            num *= g * g;
        }
        var r = BigInteger.GreatestCommonDivisor(num, den);
        return new ZernikePolynomial(n, l, m, isReal, num / r, den / r, mono, cre, cim);
    }
}
