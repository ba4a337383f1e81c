using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using Milad.Moments;
using Milad.Structures;

namespace Milad.Decoding;

/// <summary>
/// Recovers weighted points from their geometric moments <c>M_pqs = sum_i w_i x_i^p y_i^q z_i^s</c> (p + q + s &lt;= n_max)
/// by the multivariate matrix pencil (Prony) method (Kunis, Peter, Roemer, von der Ohe 2016; Harmouch, Khalil,
/// Mourrain 2018), with no model and no starting guess.
/// <para>
/// With L the functional <c>L(x^a) = M_a</c> and a polynomial basis phi_1..phi_m of degree &lt;= d (2d + 1 &lt;= n_max),
/// the moment matrix <c>H[a, b] = L(phi_a phi_b) = V^T W V</c> and the shifted matrices <c>H_k[a, b] = L(x_k phi_a phi_b) =
/// V^T W D_k V</c>, where <c>V[i, a] = phi_a(x_i)</c>, W = diag(w) and D_k = diag(x_ik). The rank of H is the number of
/// points N when they impose independent conditions on the polynomials of degree d (any N &lt;= C(d+3, 3) in general
/// position; &lt;= (d+1)(d+2)/2 for planar sets, &lt;= d+1 for collinear ones: nothing special is done for them, the
/// rank simply comes out lower). With positive weights H is positive semi-definite: from its truncated
/// eigendecomposition H ~ U S U^T (rank N), <c>A_k = S^-1/2 U^T H_k U S^-1/2 = G^T D_k G</c> with
/// <c>G = W^1/2 V U S^-1/2</c> orthogonal. So the reduced shift matrices are symmetric and diagonalised by one
/// orthogonal matrix: the eigenvectors of a random combination sum_k c_k A_k (a symmetric, perfectly conditioned
/// eigenproblem) give G, and the coordinates are the Rayleigh quotients g_i^T A_k g_i. The weights follow by linear
/// least squares against all moments, then a few Levenberg-Marquardt steps polish points and weights.
/// </para>
/// <para>
/// Conditioning: monomials x^a are nearly dependent on a small point set; H is built in products of orthonormal
/// Legendre polynomials instead (by expanding into monomials: <c>H = C H_mono C^T</c>), after rescaling the
/// coordinates so the points fill [-1, 1]^3 (the radius is estimated from <c>L((x^2+y^2+z^2)^k)</c>, a sum without
/// cancellation). See <see cref="MomentPencilBasis"/>.
/// </para>
/// <para>
/// Rank: eigenvalues of H below <see cref="MomentPencilOptions.RankTolerance"/> x the largest are noise; among the
/// rest the rank is put at the largest ratio of consecutive eigenvalues (the gap between the smallest eigenvalue
/// carried by a point and the noise), which stays right when the weights spread (H = 1 beside S = 16) since
/// such spreads change eigenvalues by factors ~10-100 while the noise gap is many orders. When no eigenvalue is
/// below the tolerance, the rank is the full size m (the point count may exceed what the degree can resolve; the
/// residual then tells).
/// </para>
/// </summary>
public static class MomentPencil
{
    // Random combinations tried for the joint eigenvectors; the one with the best separated eigenvalues is kept.
    private const int Combinations = 3;

    // Pencil residuals at or below this are round-off; no polishing.
    private const double PolishAbove = 1e-12;

    /// <summary>
    /// Recover points and weights from the geometric moments (order of <see cref="GeometricMoments"/>, at least
    /// <see cref="GeometricMoments.Count"/>(n_max) values). The weights must be positive. Never throws on bad
    /// moments: a failure is reported in <see cref="MomentPencilResult.Success"/> and <see cref="MomentPencilResult.Reason"/>.
    /// </summary>
    public static MomentPencilResult Solve(ReadOnlySpan<double> geometric, int nMax, MomentPencilOptions? options = null)
    {
        options ??= MomentPencilOptions.Default;
        if (nMax < 1) throw new ArgumentOutOfRangeException(nameof(nMax), "the pencil needs moments of degree >= 1");
        var count = GeometricMoments.Count(nMax);
        if (geometric.Length < count) throw new ArgumentException($"need {count} moments for n_max {nMax}, got {geometric.Length}", nameof(geometric));
        var degree = options.Degree ?? (nMax - 1) / 2;
        if (degree < 0 || 2 * degree + 1 > nMax)
            throw new ArgumentOutOfRangeException(nameof(options), $"basis degree {degree} needs n_max >= {2 * degree + 1}");

        var input = geometric[..count].ToArray();
        foreach (var v in input)
            if (!double.IsFinite(v)) return Failure("moments are not finite");
        if (!(input[0] > 0)) return Failure("M_000 <= 0: the weights must be positive");

        // Rescaled moments M_a / rho^|a| are those of the points x / rho.
        var rho = options.Rescale ? RadiusEstimate(input, nMax) : 1.0;
        var scaled = new double[count];
        for (int n = 0, k = 0; n <= nMax; n++)
        {
            var f = Math.Pow(rho, -n);
            for (; k < GeometricMoments.Count(n); k++) scaled[k] = input[k] * f;
        }

        // Moment matrices in the monomial basis: H_mono[a, b] = M(a + b), H_k,mono[a, b] = M(a + b + e_k) (row-major).
        var exps = GeometricMoments.Exponents(degree);
        var m = exps.Length;
        var hMono = new double[m * m];
        var shiftMono = new[] { new double[m * m], new double[m * m], new double[m * m] };
        for (var a = 0; a < m; a++)
            for (var b = 0; b <= a; b++)
            {
                var (p, q, s) = (exps[a].P + exps[b].P, exps[a].Q + exps[b].Q, exps[a].S + exps[b].S);
                hMono[a * m + b] = hMono[b * m + a] = scaled[GeometricMoments.Index(p, q, s)];
                shiftMono[0][a * m + b] = shiftMono[0][b * m + a] = scaled[GeometricMoments.Index(p + 1, q, s)];
                shiftMono[1][a * m + b] = shiftMono[1][b * m + a] = scaled[GeometricMoments.Index(p, q + 1, s)];
                shiftMono[2][a * m + b] = shiftMono[2][b * m + a] = scaled[GeometricMoments.Index(p, q, s + 1)];
            }
        var c = Flatten(OrthogonalProductBasis.Coefficients(degree, options.Basis));
        var h = MomentLinearAlgebra.MultiplyTransposed(MomentLinearAlgebra.Multiply(c, hMono, m, m, m), c, m, m, m);
        var hMatrix = Matrix<double>.Build.Dense(m, m, (i, j) => 0.5 * (h[i * m + j] + h[j * m + i]));

        // Eigenvalues of H, descending (= singular values when H is positive semi-definite).
        var evd = hMatrix.Evd(Symmetricity.Symmetric);
        var order = Enumerable.Range(0, m).OrderByDescending(i => evd.EigenValues[i].Real).ToArray();
        var eig = order.Select(i => evd.EigenValues[i].Real).ToArray();
        var top = eig[0];
        if (!(top > 0)) return Failure("the moment matrix has no positive eigenvalue");
        var singular = order.Select(i => Math.Abs(evd.EigenValues[i].Real) / top).OrderByDescending(x => x).ToArray();

        var rank = options.Rank ?? DecideRank(eig, options.RankTolerance);
        if (rank < 1 || rank > m) return Failure($"rank {rank} outside 1..{m}", singular, rank);
        if (eig[rank - 1] <= 0)
            return Failure($"eigenvalue {rank} of the moment matrix is {eig[rank - 1] / top:E2} x the largest: not positive (negative weights?)", singular, rank);
        var reasons = new List<string>();
        if (options.Rank == null && rank == m) reasons.Add($"moment matrix has full rank {m}: the points may be more than degree {degree} resolves");

        // B = C^T U S^-1/2 (m x rank), so A_k = B^T H_k,mono B.
        var us = new double[m * rank];
        var vectors = evd.EigenVectors.ToArray();
        for (var j = 0; j < rank; j++)
        {
            var f = 1 / Math.Sqrt(eig[j]);
            for (var i = 0; i < m; i++) us[i * rank + j] = vectors[i, order[j]] * f;
        }
        var bMat = MomentLinearAlgebra.Multiply(c, us, m, m, rank, transposeA: true);
        var shifts = new Matrix<double>[3];
        for (var axis = 0; axis < 3; axis++)
        {
            var ak = MomentLinearAlgebra.Multiply(bMat, MomentLinearAlgebra.Multiply(shiftMono[axis], bMat, m, m, rank), rank, m, rank, transposeA: true);
            shifts[axis] = Matrix<double>.Build.Dense(rank, rank, (i, j) => 0.5 * (ak[i * rank + j] + ak[j * rank + i]));
        }

        // Joint eigenvectors from the random combination whose eigenvalues are best separated.
        var rng = new Random(options.Seed);
        Matrix<double>? best = null;
        var bestGap = -1.0;
        for (var t = 0; t < Combinations; t++)
        {
            var (cx, cy, cz) = RandomUnit(rng);
            var comb = shifts[0] * cx + shifts[1] * cy + shifts[2] * cz;
            var e = comb.Evd(Symmetricity.Symmetric);
            var values = e.EigenValues.Select(z => z.Real).OrderBy(z => z).ToArray();
            var gap = double.PositiveInfinity;
            for (var i = 1; i < values.Length; i++) gap = Math.Min(gap, values[i] - values[i - 1]);
            if (gap > bestGap) { bestGap = gap; best = e.EigenVectors; }
        }

        var points = new Vec3[rank];
        for (var i = 0; i < rank; i++)
        {
            var g = best!.Column(i);
            points[i] = rho * new Vec3(g * (shifts[0] * g), g * (shifts[1] * g), g * (shifts[2] * g));
            if (!points[i].IsFinite) return Failure("non-finite point from the pencil", singular, rank);
        }

        var floor = options.AbsoluteNoise * input[0];
        var weights = MomentPencilFit.FitWeights(nMax, input, points, floor);
        var pencilResidual = MomentPencilFit.Residual(nMax, input, points, weights, floor);
        // Exact moments leave the pencil at round-off already; polishing then costs more than it gains.
        if (pencilResidual > PolishAbove) MomentPencilFit.Polish(nMax, input, points, weights, options.PolishIterations, floor);
        var residual = MomentPencilFit.Residual(nMax, input, points, weights, floor);

        // Collinear points: the 3D moments carry only the n_max + 1 moments along the line, which any d + 1 points
        // (2d + 2 parameters) can match, so with 2N >= n_max + 1 a longer collinear set would give the same moments.
        var ambiguous = 2 * rank >= nMax + 1 && IsCollinear(points);
        if (ambiguous) reasons.Add($"{rank} collinear points: more collinear points would have the same moments up to n_max {nMax}");
        if (!(residual <= options.ResidualTolerance)) reasons.Add($"residual {residual:E2} above {options.ResidualTolerance:E2}");
        if (weights.Any(w => !(w > 0))) reasons.Add($"non-positive weight {weights.Min():G4}");
        var success = residual <= options.ResidualTolerance && weights.All(w => w > 0);
        return new MomentPencilResult(points, weights, rank, singular, residual, pencilResidual, success, ambiguous, string.Join("; ", reasons));
    }

    /// <summary>
    /// The rank from the eigenvalues (descending) of the moment matrix: the position of the largest ratio
    /// eig[r-1] / eig[r] among the eigenvalues above <paramref name="tolerance"/> x the largest, the ratio at the
    /// last of them taken against the first below; the full size when none is below.
    /// </summary>
    internal static int DecideRank(double[] eig, double tolerance)
    {
        var top = eig[0];
        var above = 0;
        while (above < eig.Length && eig[above] > tolerance * top) above++;
        if (above == eig.Length) return eig.Length;
        var rank = above;
        var bestRatio = 0.0;
        for (var r = 1; r <= above; r++)
        {
            var ratio = eig[r - 1] / Math.Max(eig[r], 1e-300 * top);
            if (ratio > bestRatio) { bestRatio = ratio; rank = r; }
        }
        return rank;
    }

    /// <summary>
    /// (L(|x|^2k) / L(1))^(1/2k) with 2k the largest even degree &lt;= n_max: a weighted power mean of the radii, close to
    /// the largest radius for large k and computed without cancellation (all terms of (x^2+y^2+z^2)^k are positive).
    /// </summary>
    internal static double RadiusEstimate(double[] moments, int nMax)
    {
        var k = nMax / 2;
        if (k == 0) return 1;
        var sum = 0.0;
        for (var a = 0; a <= k; a++)
            for (var b = 0; a + b <= k; b++)
            {
                var cc = k - a - b;
                sum += Multinomial(k, a, b, cc) * moments[GeometricMoments.Index(2 * a, 2 * b, 2 * cc)];
            }
        var r = Math.Pow(sum / moments[0], 0.5 / k);
        return double.IsFinite(r) && r > 1e-8 ? r : 1;
    }

    private static double Multinomial(int k, int a, int b, int c)
    {
        double f = 1;
        for (var i = 2; i <= k; i++) f *= i;
        for (var i = 2; i <= a; i++) f /= i;
        for (var i = 2; i <= b; i++) f /= i;
        for (var i = 2; i <= c; i++) f /= i;
        return f;
    }

    private static (double, double, double) RandomUnit(Random rng)
    {
        while (true)
        {
            double x = 2 * rng.NextDouble() - 1, y = 2 * rng.NextDouble() - 1, z = 2 * rng.NextDouble() - 1;
            var n = Math.Sqrt(x * x + y * y + z * z);
            if (n > 0.1 && n <= 1) return (x / n, y / n, z / n);
        }
    }

    private static MomentPencilResult Failure(string reason, double[]? singular = null, int rank = 0) =>
        new([], [], rank, singular ?? [], double.PositiveInfinity, double.PositiveInfinity, false, false, reason);

    private static double[] Flatten(double[,] a)
    {
        var n = a.GetLength(0);
        var m = a.GetLength(1);
        var flat = new double[n * m];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < m; j++) flat[i * m + j] = a[i, j];
        return flat;
    }

    /// <summary>All points within 1e-9 x their extent of the line through the first and the farthest from it.</summary>
    private static bool IsCollinear(Vec3[] points)
    {
        if (points.Length <= 2) return true;
        var far = points.MaxBy(p => (p - points[0]).Norm2);
        var axis = far - points[0];
        var length = axis.Norm;
        if (length == 0) return true;
        axis /= length;
        foreach (var p in points)
        {
            var v = p - points[0];
            if ((v - v.Dot(axis) * axis).Norm > 1e-9 * length) return false;
        }
        return true;
    }
}
