using Milad.Moments;

namespace Milad.Decoding;

/// <summary>
/// Coefficients of a polynomial basis of total degree &lt;= d in the monomials of degree &lt;= d (order of
/// <see cref="GeometricMoments"/>): <c>phi_j = sum_m C[j, m] x^m</c>. Basis function j has the same leading
/// exponents as monomial j, so C is triangular up to the degree ordering and always invertible.
/// </summary>
internal static class OrthogonalProductBasis
{
    /// <summary>C as a row-major n x n array, n = <see cref="GeometricMoments.Count"/>(d).</summary>
    public static double[,] Coefficients(int degree, MomentPencilBasis basis)
    {
        var exps = GeometricMoments.Exponents(degree);
        var n = exps.Length;
        var c = new double[n, n];
        if (basis == MomentPencilBasis.Monomial)
        {
            for (var j = 0; j < n; j++) c[j, j] = 1;
            return c;
        }
        var leg = Legendre(degree);
        for (var j = 0; j < n; j++)
        {
            var (a, b, s) = exps[j];
            // Only monomials x^p y^q z^r with p <= a, q <= b, r <= s of the same parities occur.
            for (var p = a; p >= 0; p -= 2)
                for (var q = b; q >= 0; q -= 2)
                    for (var r = s; r >= 0; r -= 2)
                        c[j, GeometricMoments.Index(p, q, r)] = leg[a][p] * leg[b][q] * leg[s][r];
        }
        return c;
    }

    /// <summary>
    /// Coefficients of sqrt(2a+1) P_a(x), orthonormal for the uniform probability measure on [-1, 1], by the
    /// three-term recurrence (a+1) P_{a+1} = (2a+1) x P_a - a P_{a-1}.
    /// </summary>
    public static double[][] Legendre(int degree)
    {
        var p = new double[degree + 1][];
        for (var a = 0; a <= degree; a++) p[a] = new double[a + 1];
        p[0][0] = 1;
        if (degree >= 1) p[1][1] = 1;
        for (var a = 1; a < degree; a++)
        {
            for (var k = 0; k <= a; k++) p[a + 1][k + 1] += (2 * a + 1) * p[a][k] / (a + 1);
            for (var k = 0; k <= a - 1; k++) p[a + 1][k] -= a * p[a - 1][k] / (double)(a + 1);
        }
        for (var a = 0; a <= degree; a++)
        {
            var norm = Math.Sqrt(2 * a + 1);
            for (var k = 0; k <= a; k++) p[a][k] *= norm;
        }
        return p;
    }
}
