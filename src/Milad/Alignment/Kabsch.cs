using MathNet.Numerics.LinearAlgebra;
using Milad.Structures;

namespace Milad.Alignment;

/// <summary>
/// Optimal superposition of paired points (Kabsch 1976): the rotation R and translation t minimising
/// <c>sum_i w_i |R a_i + t - b_i|^2</c>. With centroids <c>ca</c>, <c>cb</c> and the covariance
/// <c>H = sum_i w_i (a_i - ca)(b_i - cb)^T = U S V^T</c>, the optimum over all orthogonal matrices is
/// <c>V U^T</c>; the optimum over proper rotations is <c>V diag(1, 1, d) U^T</c> with
/// <c>d = sign det(V U^T)</c>; and <c>t = cb - R ca</c>.
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
        var rotation = RotationFromCovariance(new Matrix3(h00, h01, h02, h10, h11, h12, h20, h21, h22), allowImproper);
        return (rotation, cb - rotation * ca);
    }

    internal static Matrix3 RotationFromCovariance(Matrix3 h, bool allowImproper)
    {
        var svd = Matrix<double>.Build.DenseOfArray(h.ToArray()).Svd(computeVectors: true);
        var u = svd.U;
        var v = svd.VT.Transpose();
        var s = svd.S;
        var vut = Matrix3.FromArray((v * u.Transpose()).ToArray());
        var det = vut.Determinant;
        // Without a reflection the fit is also correct when det = -1 would tie: the smallest
        // singular value is then zero (coplanar points) and flipping its direction costs nothing.
        var flip = det < 0 && (!allowImproper || s[2] <= 1e-12 * s[0]);
        if (!flip) return vut;
        // V diag(1, 1, -1) U^T = V U^T - 2 v3 u3^T
        var v3 = new Vec3(v[0, 2], v[1, 2], v[2, 2]);
        var u3 = new Vec3(u[0, 2], u[1, 2], u[2, 2]);
        return new Matrix3(
            vut.M00 - 2 * v3.X * u3.X, vut.M01 - 2 * v3.X * u3.Y, vut.M02 - 2 * v3.X * u3.Z,
            vut.M10 - 2 * v3.Y * u3.X, vut.M11 - 2 * v3.Y * u3.Y, vut.M12 - 2 * v3.Y * u3.Z,
            vut.M20 - 2 * v3.Z * u3.X, vut.M21 - 2 * v3.Z * u3.Y, vut.M22 - 2 * v3.Z * u3.Z);
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
