using Milad.Structures;

namespace Milad.Moments;

/// <summary>
/// Geometric (monomial) moments of weighted points, <c>M_pqs = sum_i w_i x_i^p y_i^q z_i^s</c> for
/// <c>p + q + s &lt;= n_max</c>, and the index order of the monomials shared by every monomial table in
/// the library (<see cref="ZernikePolynomials"/>, <see cref="ZernikeGeometricMap"/>):
/// total degree d = p + q + s ascending, then p descending, then q descending, i.e.
/// <c>1, x, y, z, x^2, xy, xz, y^2, yz, z^2, x^3, x^2y, ...</c>, so
/// <c>Index(p, q, s) = d(d+1)(d+2)/6 + (d-p)(d-p+1)/2 + (d-p-q)</c>.
/// </summary>
public static class GeometricMoments
{
    /// <summary>Number of monomials of degree &lt;= n_max: (n_max+1)(n_max+2)(n_max+3)/6.</summary>
    public static int Count(int nMax) => nMax < 0 ? 0 : (nMax + 1) * (nMax + 2) * (nMax + 3) / 6;

    /// <summary>Position of x^p y^q z^s in the monomial order.</summary>
    public static int Index(int p, int q, int s)
    {
        if (p < 0 || q < 0 || s < 0) throw new ArgumentOutOfRangeException(nameof(p), "exponents must be >= 0");
        var d = p + q + s;
        var e = d - p;
        return d * (d + 1) * (d + 2) / 6 + e * (e + 1) / 2 + (e - q);
    }

    /// <summary>The exponents (p, q, s) of the monomial at <paramref name="index"/> (inverse of <see cref="Index"/>).</summary>
    public static (int P, int Q, int S) ExponentsOf(int index)
    {
        if (index < 0) throw new ArgumentOutOfRangeException(nameof(index));
        var d = 0;
        while (Count(d) <= index) d++;
        var rest = index - Count(d - 1);
        var e = 0; // e = d - p; the group of p holds e + 1 monomials
        while (rest > e) { rest -= e + 1; e++; }
        var q = e - rest;
        return (d - e, q, e - q);
    }

    /// <summary>The exponents (p, q, s) of every monomial of degree &lt;= n_max, in index order.</summary>
    public static (int P, int Q, int S)[] Exponents(int nMax)
    {
        var result = new (int, int, int)[Count(nMax)];
        var i = 0;
        for (var d = 0; d <= nMax; d++)
            for (var p = d; p >= 0; p--)
                for (var q = d - p; q >= 0; q--)
                    result[i++] = (p, q, d - p - q);
        return result;
    }

    /// <summary>Moments of the points with unit weights when <paramref name="weights"/> is empty.</summary>
    public static double[] Compute(int nMax, ReadOnlySpan<Vec3> points, ReadOnlySpan<double> weights)
    {
        var moments = new double[Count(nMax)];
        Compute(nMax, points, weights, moments);
        return moments;
    }

    /// <summary>
    /// Moments into <paramref name="moments"/> (length <see cref="Count"/>, overwritten). Powers of each
    /// coordinate are built by repeated multiplication (relative error ~ p ulp, no pow), and each point
    /// walks the monomials in index order, so the loop is a plain sequential sweep.
    /// </summary>
    public static void Compute(int nMax, ReadOnlySpan<Vec3> points, ReadOnlySpan<double> weights, Span<double> moments)
    {
        if (nMax < 0) throw new ArgumentOutOfRangeException(nameof(nMax), "n_max must be >= 0");
        if (!weights.IsEmpty && weights.Length != points.Length)
            throw new ArgumentException($"{weights.Length} weights for {points.Length} points", nameof(weights));
        var count = Count(nMax);
        if (moments.Length < count) throw new ArgumentException($"need {count} moments, got {moments.Length}", nameof(moments));
        moments[..count].Clear();
        Span<double> xp = stackalloc double[nMax + 1], yp = stackalloc double[nMax + 1], zp = stackalloc double[nMax + 1];
        for (var i = 0; i < points.Length; i++)
        {
            var v = points[i];
            var w = weights.IsEmpty ? 1.0 : weights[i];
            xp[0] = yp[0] = zp[0] = 1;
            for (var k = 1; k <= nMax; k++)
            {
                xp[k] = xp[k - 1] * v.X;
                yp[k] = yp[k - 1] * v.Y;
                zp[k] = zp[k - 1] * v.Z;
            }
            var idx = 0;
            for (var d = 0; d <= nMax; d++)
                for (var p = d; p >= 0; p--)
                {
                    var wx = w * xp[p];
                    for (var q = d - p; q >= 0; q--) moments[idx++] += wx * yp[q] * zp[d - p - q];
                }
        }
    }
}
