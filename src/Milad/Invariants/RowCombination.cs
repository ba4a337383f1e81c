using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Milad.Invariants;

/// <summary>
/// <c>target = sum_s weights[s] x source row rows[s]</c> for row-major <c>source</c> with
/// <c>columns</c> columns: the sparse (dI/dOmega) x (dOmega/dx) product, one invariant at a time.
/// Rows go four per pass (a short last group repeats row 0 with weight 0), so the target is loaded and
/// stored once per four rows and every pass is vectorised.
/// </summary>
internal static class RowCombination
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: optimised at once, not first as unoptimised code patched by on-stack replacement
    public static void Write(ReadOnlySpan<double> weights, ReadOnlySpan<int> rows, ReadOnlySpan<double> source, int columns, Span<double> target)
    {
        if (columns % Vector256<double>.Count != 0) { WriteScalar(weights, rows, source, columns, target); return; }
        ref var src = ref MemoryMarshal.GetReference(source);
        ref var dst = ref MemoryMarshal.GetReference(target);
        for (var s = 0; s < rows.Length; s += 4)
        {
            var (o0, v0) = Row(weights, rows, s, columns);
            var (o1, v1) = Row(weights, rows, s + 1, columns);
            var (o2, v2) = Row(weights, rows, s + 2, columns);
            var (o3, v3) = Row(weights, rows, s + 3, columns);
            for (nuint c = 0; c < (nuint)columns; c += (nuint)Vector256<double>.Count)
            {
                var acc = s == 0 ? Vector256<double>.Zero : Vector256.LoadUnsafe(ref dst, c);
                acc += v0 * Vector256.LoadUnsafe(ref src, o0 + c) + v1 * Vector256.LoadUnsafe(ref src, o1 + c)
                    + v2 * Vector256.LoadUnsafe(ref src, o2 + c) + v3 * Vector256.LoadUnsafe(ref src, o3 + c);
                acc.StoreUnsafe(ref dst, c);
            }
        }
        if (rows.IsEmpty) target[..columns].Clear();
    }

    /// <summary>Offset and broadcast weight of row s, or row 0 with weight 0 past the end.</summary>
    private static (nuint Offset, Vector256<double> Weight) Row(ReadOnlySpan<double> weights, ReadOnlySpan<int> rows, int s, int columns) =>
        s < rows.Length ? ((nuint)(rows[s] * columns), Vector256.Create(weights[s])) : ((nuint)(rows[0] * columns), Vector256<double>.Zero);

    private static void WriteScalar(ReadOnlySpan<double> weights, ReadOnlySpan<int> rows, ReadOnlySpan<double> source, int columns, Span<double> target)
    {
        target[..columns].Clear();
        for (var s = 0; s < rows.Length; s++)
        {
            var row = source.Slice(rows[s] * columns, columns);
            for (var c = 0; c < columns; c++) target[c] += weights[s] * row[c];
        }
    }
}
