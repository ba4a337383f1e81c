namespace Milad.Decoding;

/// <summary>
/// The few dense kernels of the pencil on flat row-major arrays (sizes &lt;= a few hundred): plain loops are several
/// times faster than the general matrix types here and never start threads on a shared machine.
/// </summary>
internal static class MomentLinearAlgebra
{
    /// <summary>A (n x k) times B (k x m), or A^T B when <paramref name="transposeA"/> (A is then k x n).</summary>
    public static double[] Multiply(double[] a, double[] b, int n, int k, int m, bool transposeA = false)
    {
        var c = new double[n * m];
        for (var i = 0; i < n; i++)
        {
            var row = c.AsSpan(i * m, m);
            for (var l = 0; l < k; l++)
            {
                var f = transposeA ? a[l * n + i] : a[i * k + l];
                if (f == 0) continue; // the Legendre coefficient matrix is mostly zeros
                var bRow = b.AsSpan(l * m, m);
                for (var j = 0; j < m; j++) row[j] += f * bRow[j];
            }
        }
        return c;
    }

    /// <summary>A B^T for A (n x k), B (m x k).</summary>
    public static double[] MultiplyTransposed(double[] a, double[] b, int n, int k, int m)
    {
        var c = new double[n * m];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < m; j++)
                c[i * m + j] = System.Numerics.Tensors.TensorPrimitives.Dot<double>(a.AsSpan(i * k, k), b.AsSpan(j * k, k));
        return c;
    }

    /// <summary>
    /// Solves A x = b for symmetric positive definite A (n x n, row-major, overwritten by its Cholesky factor);
    /// b is overwritten by x. False when A is not numerically positive definite.
    /// </summary>
    public static bool CholeskySolve(double[] a, int n, double[] b)
    {
        for (var j = 0; j < n; j++)
        {
            var d = a[j * n + j];
            for (var l = 0; l < j; l++) d -= a[j * n + l] * a[j * n + l];
            if (!(d > 0)) return false;
            d = Math.Sqrt(d);
            a[j * n + j] = d;
            for (var i = j + 1; i < n; i++)
            {
                var s = a[i * n + j];
                for (var l = 0; l < j; l++) s -= a[i * n + l] * a[j * n + l];
                a[i * n + j] = s / d;
            }
        }
        for (var i = 0; i < n; i++)
        {
            var s = b[i];
            for (var l = 0; l < i; l++) s -= a[i * n + l] * b[l];
            b[i] = s / a[i * n + i];
        }
        for (var i = n - 1; i >= 0; i--)
        {
            var s = b[i];
            for (var l = i + 1; l < n; l++) s -= a[l * n + i] * b[l];
            b[i] = s / a[i * n + i];
        }
        return true;
    }

    /// <summary>
    /// Least squares min ||A x - b|| by Householder QR; A is given by columns (cols arrays of length rows, overwritten),
    /// b overwritten. Rank-deficient columns give zero (not NaN) components.
    /// </summary>
    public static double[] LeastSquares(double[][] columns, double[] b)
    {
        var cols = columns.Length;
        var rows = b.Length;
        var diag = new double[cols];
        for (var k = 0; k < cols && k < rows; k++)
        {
            var v = columns[k].AsSpan(k);
            var norm = Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot<double>(v, v));
            if (norm == 0) { diag[k] = 0; continue; }
            var alpha = v[0] > 0 ? -norm : norm;
            v[0] -= alpha; // v = x - alpha e1, H = I - 2 v v^T / v^T v
            var vv = System.Numerics.Tensors.TensorPrimitives.Dot<double>(v, v);
            diag[k] = alpha;
            for (var j = k + 1; j < cols; j++)
            {
                var w = columns[j].AsSpan(k);
                var f = 2 * System.Numerics.Tensors.TensorPrimitives.Dot<double>(v, w) / vv;
                for (var i = 0; i < v.Length; i++) w[i] -= f * v[i];
            }
            var bk = b.AsSpan(k);
            var fb = 2 * System.Numerics.Tensors.TensorPrimitives.Dot<double>(v, bk) / vv;
            for (var i = 0; i < v.Length; i++) bk[i] -= fb * v[i];
        }
        var x = new double[cols];
        var scale = diag.Length == 0 ? 0 : diag.Max(Math.Abs);
        for (var k = Math.Min(cols, rows) - 1; k >= 0; k--)
        {
            if (Math.Abs(diag[k]) <= 1e-15 * scale) { x[k] = 0; continue; }
            var s = b[k];
            for (var j = k + 1; j < cols; j++) s -= columns[j][k] * x[j];
            x[k] = s / diag[k];
        }
        return x;
    }
}
