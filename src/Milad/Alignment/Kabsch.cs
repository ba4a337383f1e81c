using Milad.Structures;

namespace Milad.Alignment;

/// <summary>
/// Optimal superposition of paired points (Kabsch 1976): the rotation R and translation t minimising
/// <c>sum_i w_i |R a_i + t - b_i|^2</c>. With centroids <c>ca</c>, <c>cb</c> and the covariance
/// <c>H = sum_i w_i (a_i - ca)(b_i - cb)^T = U S V^T</c>, the optimum over all orthogonal matrices is
/// <c>V U^T</c>; the optimum over proper rotations is <c>V diag(1, 1, d) U^T</c> with
/// <c>d = sign det(V U^T)</c>; and <c>t = cb - R ca</c>. Where rounding hides what H says (points within
/// ~1e-8 of a line or a plane), the turn about the line and the choice of determinant are settled on the
/// points themselves, so such fits are exact to rounding too.
/// </summary>
public static class Kabsch
{
    /// <summary>
    /// The superposition of <paramref name="mobile"/> onto <paramref name="target"/> (paired by index).
    /// </summary>
    /// <param name="mobile">Points a_i that are moved.</param>
    /// <param name="target">Points b_i, same count.</param>
    /// <param name="weights">Non-negative weight of each pair, or empty for unit weights.</param>
    /// <param name="allowImproper">Allow a rotation combined with a reflection (det -1) when that fits better.
    /// Where both fit equally well (coplanar or collinear points) the proper rotation is returned.</param>
    /// <returns>The 3x3 matrix R (det +1 unless improper was allowed and needed), t, and the weighted
    /// RMSD <c>sqrt(sum_i w_i |R a_i + t - b_i|^2 / sum_i w_i)</c>, evaluated from the fitted points.</returns>
    public static (double[,] Rotation, Vec3 Translation, double Rmsd) Fit(
        ReadOnlySpan<Vec3> mobile, ReadOnlySpan<Vec3> target, ReadOnlySpan<double> weights = default, bool allowImproper = false)
    {
        if (mobile.Length != target.Length)
            throw new ArgumentException($"{mobile.Length} mobile points but {target.Length} target points");
        if (mobile.Length == 0) throw new ArgumentException("no points to fit");
        if (weights.Length != 0 && weights.Length != mobile.Length)
            throw new ArgumentException($"{weights.Length} weights for {mobile.Length} points");
        var total = 0.0;
        foreach (var w in weights)
        {
            if (!(w >= 0) || double.IsInfinity(w)) throw new ArgumentException($"weight {w} is not a finite non-negative number");
            total += w;
        }
        if (weights.Length != 0 && total <= 0) throw new ArgumentException("the weights sum to zero");
        for (var i = 0; i < mobile.Length; i++)
            if (!mobile[i].IsFinite || !target[i].IsFinite) throw new ArgumentException($"point {i} is not finite");

        var (rotation, translation) = Solve(mobile, target, weights, allowImproper);
        return (rotation.ToArray(), translation, Rmsd(mobile, target, weights, rotation, translation));
    }

    /// <summary>The fit without argument checks, for the alignment loop.</summary>
    internal static (Matrix3 Rotation, Vec3 Translation) Solve(
        ReadOnlySpan<Vec3> a, ReadOnlySpan<Vec3> b, ReadOnlySpan<double> weights, bool allowImproper)
    {
        var ca = Centroid(a, weights);
        var cb = Centroid(b, weights);
        double h00 = 0, h01 = 0, h02 = 0, h10 = 0, h11 = 0, h12 = 0, h20 = 0, h21 = 0, h22 = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var w = weights.Length == 0 ? 1.0 : weights[i];
            var p = w * (a[i] - ca);
            var q = b[i] - cb;
            h00 += p.X * q.X; h01 += p.X * q.Y; h02 += p.X * q.Z;
            h10 += p.Y * q.X; h11 += p.Y * q.Y; h12 += p.Y * q.Z;
            h20 += p.Z * q.X; h21 += p.Z * q.Y; h22 += p.Z * q.Z;
        }
        var (u, sigma, v) = Svd(new Matrix3(h00, h01, h02, h10, h11, h12, h20, h21, h22));
        var vut = v * u.Transpose();
        // V diag(1, 1, -1) U^T = V U^T - 2 v3 u3^T: the other determinant, 2 sigma3 worse than V U^T.
        var (v3, u3) = (v.Column(2), u.Column(2));
        var flipped = new Matrix3(
            vut.M00 - 2 * v3.X * u3.X, vut.M01 - 2 * v3.X * u3.Y, vut.M02 - 2 * v3.X * u3.Z,
            vut.M10 - 2 * v3.Y * u3.X, vut.M11 - 2 * v3.Y * u3.Y, vut.M12 - 2 * v3.Y * u3.Z,
            vut.M20 - 2 * v3.Z * u3.X, vut.M21 - 2 * v3.Z * u3.Y, vut.M22 - 2 * v3.Z * u3.Z);
        var (proper, improper) = vut.Determinant > 0 ? (vut, flipped) : (flipped, vut);
        // Nearly collinear points: sigma2 ~ (offset from the line)^2 drowns in the rounding of sigma1, and
        // with it the turn about the line, so that turn is solved again from the offsets themselves.
        var collinear = sigma.Y <= 1e-6 * sigma.X;
        if (collinear)
        {
            proper = Spin(proper, v.Column(0), a, b, weights, ca, cb);
            improper = Spin(improper, v.Column(0), a, b, weights, ca, cb);
        }
        Matrix3 best;
        if (!allowImproper) best = proper;
        else if (sigma.Z > 1e-8 * sigma.X && !collinear) best = vut;
        // For (nearly) coplanar points sigma3 is lost in the rounding of sigma1 as well, so the two are
        // compared on their residuals, and the proper one wins ties (a coplanar mirror image is a rotation).
        else best = PreferProper(a, b, weights, ca, cb, proper, improper) ? proper : improper;
        return (best, cb - best * ca);
    }

    /// <summary>
    /// R followed by the turn about <paramref name="axis"/> (where R already sends the mobile points' line)
    /// that best fits the components normal to the axis: angle atan2(sum w n.(p x q), sum w p.q) over them.
    /// </summary>
    private static Matrix3 Spin(Matrix3 r, Vec3 axis, ReadOnlySpan<Vec3> a, ReadOnlySpan<Vec3> b, ReadOnlySpan<double> weights, Vec3 ca, Vec3 cb)
    {
        double cos = 0, sin = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var w = weights.Length == 0 ? 1.0 : weights[i];
            var p = r * (a[i] - ca);
            var q = b[i] - cb;
            p -= p.Dot(axis) * axis;
            q -= q.Dot(axis) * axis;
            cos += w * p.Dot(q);
            sin += w * axis.Dot(p.Cross(q));
        }
        if (cos == 0 && sin == 0) return r;
        var angle = Math.Atan2(sin, cos);
        double c = Math.Cos(angle), s = Math.Sin(angle), t = 1 - c;
        var (x, y, z) = (axis.X, axis.Y, axis.Z);
        var turn = new Matrix3(
            c + t * x * x, t * x * y - s * z, t * x * z + s * y,
            t * x * y + s * z, c + t * y * y, t * y * z - s * x,
            t * x * z - s * y, t * y * z + s * x, c + t * z * z);
        return turn * r;
    }

    private static bool PreferProper(ReadOnlySpan<Vec3> a, ReadOnlySpan<Vec3> b, ReadOnlySpan<double> weights,
        Vec3 ca, Vec3 cb, Matrix3 proper, Matrix3 improper)
    {
        double eProper = 0, eImproper = 0, scale = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var w = weights.Length == 0 ? 1.0 : weights[i];
            var p = a[i] - ca;
            var q = b[i] - cb;
            eProper += w * (proper * p - q).Norm2;
            eImproper += w * (improper * p - q).Norm2;
            scale += w * q.Norm2;
        }
        // 1e-24 of the spread: an RMSD within 1e-12 of the spread's, far above rounding, far below any real difference.
        return eProper <= eImproper + 1e-24 * scale;
    }

    /// <summary>
    /// <c>A = U diag(sigma) V^T</c> with sigma descending, by one-sided Jacobi: plane rotations V make the
    /// columns of A V orthogonal, which are then sigma_k u_k. Accurate to rounding in every singular
    /// vector with a nonzero gap, and allocation-free (a general SVD costs ~30 us here, this ~1 us).
    /// </summary>
    internal static (Matrix3 U, Vec3 Sigma, Matrix3 V) Svd(Matrix3 a)
    {
        Span<Vec3> col = [a.Column(0), a.Column(1), a.Column(2)];
        Span<Vec3> vcol = [new(1, 0, 0), new(0, 1, 0), new(0, 0, 1)];
        for (var sweep = 0; sweep < 40; sweep++)
        {
            var rotated = false;
            for (var p = 0; p < 2; p++)
                for (var q = p + 1; q < 3; q++)
                {
                    double alpha = col[p].Norm2, beta = col[q].Norm2, gamma = col[p].Dot(col[q]);
                    if (Math.Abs(gamma) <= 1e-15 * Math.Sqrt(alpha * beta)) continue;
                    // tan of the angle that zeroes the (p, q) entry of (A V)^T (A V)
                    var zeta = (beta - alpha) / (2 * gamma);
                    var t = Math.Sign(zeta) / (Math.Abs(zeta) + Math.Sqrt(1 + zeta * zeta));
                    if (zeta == 0) t = 1;
                    var c = 1 / Math.Sqrt(1 + t * t);
                    var s = c * t;
                    (col[p], col[q]) = (c * col[p] - s * col[q], s * col[p] + c * col[q]);
                    (vcol[p], vcol[q]) = (c * vcol[p] - s * vcol[q], s * vcol[p] + c * vcol[q]);
                    rotated = true;
                }
            if (!rotated) break;
        }
        Span<int> order = [0, 1, 2];
        Span<double> norm = [col[0].Norm, col[1].Norm, col[2].Norm];
        // Three-element sort, descending singular value.
        if (norm[order[0]] < norm[order[1]]) (order[0], order[1]) = (order[1], order[0]);
        if (norm[order[1]] < norm[order[2]]) (order[1], order[2]) = (order[2], order[1]);
        if (norm[order[0]] < norm[order[1]]) (order[0], order[1]) = (order[1], order[0]);
        double s1 = norm[order[0]], s2 = norm[order[1]], s3 = norm[order[2]];
        Vec3 v1 = vcol[order[0]], v2 = vcol[order[1]], v3 = vcol[order[2]];

        // Left vectors of zero (or negligible) singular values are any completion of the others to an
        // orthonormal basis; u3 is taken from u1 x u2 always, which is also more accurate than a3 / s3.
        var tiny = 1e-14 * s1;
        var u1 = s1 > 0 ? col[order[0]] / s1 : new Vec3(1, 0, 0);
        var u2 = s2 > tiny ? col[order[1]] / s2 : AnyNormal(u1);
        var u3 = u1.Cross(u2);
        u3 /= u3.Norm;
        if (s3 > tiny && u3.Dot(col[order[2]]) < 0) u3 = -u3;
        return (Matrix3.FromColumns(u1, u2, u3), new Vec3(s1, s2, s3), Matrix3.FromColumns(v1, v2, v3));
    }

    private static Vec3 AnyNormal(Vec3 u)
    {
        var axis = Math.Abs(u.X) < 0.6 ? new Vec3(1, 0, 0) : new Vec3(0, 1, 0);
        var n = axis - axis.Dot(u) * u;
        return n / n.Norm;
    }

    internal static double Rmsd(ReadOnlySpan<Vec3> a, ReadOnlySpan<Vec3> b, ReadOnlySpan<double> weights, Matrix3 rotation, Vec3 translation)
    {
        double sum = 0, total = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var w = weights.Length == 0 ? 1.0 : weights[i];
            sum += w * (rotation * a[i] + translation - b[i]).Norm2;
            total += w;
        }
        return Math.Sqrt(sum / total);
    }

    private static Vec3 Centroid(ReadOnlySpan<Vec3> points, ReadOnlySpan<double> weights)
    {
        var sum = Vec3.Zero;
        var total = 0.0;
        for (var i = 0; i < points.Length; i++)
        {
            var w = weights.Length == 0 ? 1.0 : weights[i];
            sum += w * points[i];
            total += w;
        }
        return sum / total;
    }
}
