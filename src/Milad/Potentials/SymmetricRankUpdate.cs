using System.Numerics.Tensors;

namespace Milad.Potentials;

/// <summary>
/// The Gram-matrix kernel of the closed-form fits: <c>C += B B^T</c> for a block B of n rows (one per
/// feature) by r columns (one per data row), upper triangle only. Rows of B are contiguous, so every entry
/// is one vectorised dot product; the rows of a block stay in cache while they are reused.
/// </summary>
internal static class SymmetricRankUpdate
{
    /// <param name="b">Row-major n x r.</param>
    /// <param name="n">Rows (features).</param>
    /// <param name="r">Columns (data rows).</param>
    /// <param name="c">Row-major n x n; only entries with column &gt;= row are updated.</param>
    /// <param name="nonZero">Optional per-row flag; rows that are all zero are skipped (other species' features).</param>
    public static void AddGram(ReadOnlySpan<double> b, int n, int r, Span<double> c, ReadOnlySpan<bool> nonZero = default)
    {
        const int Block = 64;
        for (var i0 = 0; i0 < n; i0 += Block)
        {
            var i1 = Math.Min(n, i0 + Block);
            for (var j0 = i0; j0 < n; j0 += Block)
            {
                var j1 = Math.Min(n, j0 + Block);
                for (var i = i0; i < i1; i++)
                {
                    if (!nonZero.IsEmpty && !nonZero[i]) continue;
                    var bi = b.Slice(i * r, r);
                    var row = c.Slice(i * n, n);
                    for (var j = Math.Max(i, j0); j < j1; j++)
                    {
                        if (!nonZero.IsEmpty && !nonZero[j]) continue;
                        row[j] += TensorPrimitives.Dot(bi, b.Slice(j * r, r));
                    }
                }
            }
        }
    }

    /// <summary>Copies the upper triangle of a row-major n x n matrix into its lower triangle.</summary>
    public static void Symmetrise(Span<double> c, int n)
    {
        for (var i = 0; i < n; i++)
            for (var j = i + 1; j < n; j++) c[j * n + i] = c[i * n + j];
    }
}
