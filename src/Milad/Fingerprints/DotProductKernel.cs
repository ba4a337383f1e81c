using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Milad.Fingerprints;

/// <summary>
/// <c>C = A B^T</c> for row-major A (rows x k) and B (columns x k): every entry is a dot product of two
/// contiguous rows. Used for the normal equations of the ridge fits (the Gram matrix of the design), the
/// dominant cost of fitting the linear and quadratic potentials. Why a kernel: 4 x 4 tiles keep 16 vector
/// accumulators in registers and load each row once per tile, several times faster than one dot product per
/// entry. 256-bit vectors only: where AVX-512 exists (Zen 4 here) it runs as two 256-bit halves anyway.
/// </summary>
internal static class DotProductKernel
{
    public static void MultiplyTransposed(ReadOnlySpan<double> a, int rows, ReadOnlySpan<double> b, int columns, int k, Span<double> c)
    {
        if (a.Length < rows * k || b.Length < columns * k || c.Length < rows * columns) throw new ArgumentException("span sizes");
        var i = 0;
        if (Vector256.IsHardwareAccelerated && k >= 4)
            for (; i + 4 <= rows; i += 4)
            {
                var j = 0;
                for (; j + 4 <= columns; j += 4) Tile256(a, b, k, i, j, columns, c);
                for (; j < columns; j++)
                    for (var r = i; r < i + 4; r++) c[r * columns + j] = TensorPrimitives.Dot(a.Slice(r * k, k), b.Slice(j * k, k));
            }
        for (; i < rows; i++)
            for (var j = 0; j < columns; j++) c[i * columns + j] = TensorPrimitives.Dot(a.Slice(i * k, k), b.Slice(j * k, k));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile256(ReadOnlySpan<double> a, ReadOnlySpan<double> b, int k, int i, int j, int columns, Span<double> c)
    {
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        ref var a0 = ref Unsafe.Add(ref ra, i * k);
        ref var a1 = ref Unsafe.Add(ref a0, k);
        ref var a2 = ref Unsafe.Add(ref a1, k);
        ref var a3 = ref Unsafe.Add(ref a2, k);
        ref var b0 = ref Unsafe.Add(ref rb, j * k);
        ref var b1 = ref Unsafe.Add(ref b0, k);
        ref var b2 = ref Unsafe.Add(ref b1, k);
        ref var b3 = ref Unsafe.Add(ref b2, k);
        Vector256<double> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector256<double> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector256<double> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector256<double> c30 = default, c31 = default, c32 = default, c33 = default;
        var t = 0;
        for (; t + 4 <= k; t += 4)
        {
            var x0 = Vector256.LoadUnsafe(ref a0, (nuint)t);
            var x1 = Vector256.LoadUnsafe(ref a1, (nuint)t);
            var x2 = Vector256.LoadUnsafe(ref a2, (nuint)t);
            var x3 = Vector256.LoadUnsafe(ref a3, (nuint)t);
            var y = Vector256.LoadUnsafe(ref b0, (nuint)t);
            c00 = Vector256.FusedMultiplyAdd(x0, y, c00); c10 = Vector256.FusedMultiplyAdd(x1, y, c10);
            c20 = Vector256.FusedMultiplyAdd(x2, y, c20); c30 = Vector256.FusedMultiplyAdd(x3, y, c30);
            y = Vector256.LoadUnsafe(ref b1, (nuint)t);
            c01 = Vector256.FusedMultiplyAdd(x0, y, c01); c11 = Vector256.FusedMultiplyAdd(x1, y, c11);
            c21 = Vector256.FusedMultiplyAdd(x2, y, c21); c31 = Vector256.FusedMultiplyAdd(x3, y, c31);
            y = Vector256.LoadUnsafe(ref b2, (nuint)t);
            c02 = Vector256.FusedMultiplyAdd(x0, y, c02); c12 = Vector256.FusedMultiplyAdd(x1, y, c12);
            c22 = Vector256.FusedMultiplyAdd(x2, y, c22); c32 = Vector256.FusedMultiplyAdd(x3, y, c32);
            y = Vector256.LoadUnsafe(ref b3, (nuint)t);
            c03 = Vector256.FusedMultiplyAdd(x0, y, c03); c13 = Vector256.FusedMultiplyAdd(x1, y, c13);
            c23 = Vector256.FusedMultiplyAdd(x2, y, c23); c33 = Vector256.FusedMultiplyAdd(x3, y, c33);
        }
        Span<double> sums = stackalloc double[16];
        sums[0] = Vector256.Sum(c00); sums[1] = Vector256.Sum(c01); sums[2] = Vector256.Sum(c02); sums[3] = Vector256.Sum(c03);
        sums[4] = Vector256.Sum(c10); sums[5] = Vector256.Sum(c11); sums[6] = Vector256.Sum(c12); sums[7] = Vector256.Sum(c13);
        sums[8] = Vector256.Sum(c20); sums[9] = Vector256.Sum(c21); sums[10] = Vector256.Sum(c22); sums[11] = Vector256.Sum(c23);
        sums[12] = Vector256.Sum(c30); sums[13] = Vector256.Sum(c31); sums[14] = Vector256.Sum(c32); sums[15] = Vector256.Sum(c33);
        Finish(a, b, k, i, j, columns, c, t, sums);
    }

    /// <summary>Adds the scalar tail t..k to the tile's sums and stores them.</summary>
    private static void Finish(ReadOnlySpan<double> a, ReadOnlySpan<double> b, int k, int i, int j, int columns, Span<double> c, int t, ReadOnlySpan<double> sums)
    {
        for (var r = 0; r < 4; r++)
            for (var s = 0; s < 4; s++)
            {
                var v = sums[4 * r + s];
                for (var u = t; u < k; u++) v += a[(i + r) * k + u] * b[(j + s) * k + u];
                c[(i + r) * columns + j + s] = v;
            }
    }
}
