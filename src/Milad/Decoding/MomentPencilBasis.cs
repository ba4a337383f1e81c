namespace Milad.Decoding;

/// <summary>The polynomial basis in which <see cref="MomentPencil"/> builds its moment matrices.</summary>
public enum MomentPencilBasis
{
    /// <summary>Products of Legendre polynomials p_a(x) p_b(y) p_c(z), a + b + c &lt;= d, orthonormal on the cube [-1, 1]^3 (default).</summary>
    Legendre,

    /// <summary>Plain monomials x^a y^b z^c (the classical Prony/Hankel matrix; kept for comparison, worse conditioned).</summary>
    Monomial,
}
