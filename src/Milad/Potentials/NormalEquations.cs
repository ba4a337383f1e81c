using System.Numerics.Tensors;

namespace Milad.Potentials;

/// <summary>
/// Least-squares sums of a linear model, kept apart for energy, force and virial (stress) rows and for each
/// cross-validation fold: Gram matrix (upper triangle), right-hand side and squared norm of the targets.
/// Why apart: the relative weight of energies and forces and the ridge strength can then be chosen by
/// validation from these sums alone, without keeping the design matrix (3N rows per frame).
/// </summary>
internal sealed class NormalEquations
{
    /// <param name="size">Columns.</param>
    /// <param name="folds">Cross-validation folds.</param>
    /// <param name="virials">Whether virial rows come (their sums are as large as the others': not kept otherwise).</param>
    public NormalEquations(int size, int folds, bool virials = false)
    {
        Size = size;
        Folds = folds;
        HasVirials = virials;
        Parts = new Part[Kinds, folds];
        for (var kind = 0; kind < (virials ? Kinds : Kinds - 1); kind++)
            for (var k = 0; k < folds; k++) Parts[kind, k] = new Part(size);
    }

    /// <summary>Whether the virial sums (kind 2) exist.</summary>
    public bool HasVirials { get; }

    public int Size { get; }

    /// <summary>Energy, forces, virials.</summary>
    public const int Kinds = 3;

    private double[] _product = [];

    public int Folds { get; }

    /// <summary>[0 = energy, 1 = forces, 2 = virial components (null without virials), fold].</summary>
    public Part[,] Parts { get; }

    internal sealed class Part(int size)
    {
        public readonly double[] Gram = new double[size * size];
        public readonly double[] Rhs = new double[size];
        public double TargetNorm;
        public long Rows;

        public void Add(Part other)
        {
            TensorPrimitives.Add(Gram, other.Gram, Gram);
            TensorPrimitives.Add(Rhs, other.Rhs, Rhs);
            TargetNorm += other.TargetNorm;
            Rows += other.Rows;
        }
    }

    /// <summary>One energy row (already divided by the atom count) and its target; kind 2: one virial component's row.</summary>
    public void AddEnergyRow(int fold, ReadOnlySpan<double> row, double target, int kind = 0)
    {
        var p = Parts[kind, fold];
        for (var i = 0; i < Size; i++)
            if (row[i] != 0) TensorPrimitives.MultiplyAdd(row[i..], row[i], p.Gram.AsSpan(i * Size + i, Size - i), p.Gram.AsSpan(i * Size + i, Size - i));
        TensorPrimitives.MultiplyAdd(row, target, p.Rhs, p.Rhs);
        p.TargetNorm += target * target;
        p.Rows++;
    }

    /// <summary>r force rows given transposed (Size x r, one row per feature) with their r targets.</summary>
    public void AddForceRows(int fold, ReadOnlySpan<double> transposed, int r, ReadOnlySpan<double> targets, ReadOnlySpan<bool> nonZero)
    {
        var p = Parts[1, fold];
        // The whole product through the tiled kernel (twice the multiply-adds of the triangle, several times faster).
        if (_product.Length < Size * Size) _product = new double[Size * Size];
        Fingerprints.DotProductKernel.MultiplyTransposed(transposed, Size, transposed, Size, r, _product);
        for (var i = 0; i < Size; i++)
            if (nonZero[i]) TensorPrimitives.Add(p.Gram.AsSpan(i * Size + i, Size - i), _product.AsSpan(i * Size + i, Size - i), p.Gram.AsSpan(i * Size + i, Size - i));
        for (var i = 0; i < Size; i++)
            if (nonZero[i]) p.Rhs[i] += TensorPrimitives.Dot(transposed.Slice(i * r, r), targets);
        p.TargetNorm += TensorPrimitives.Dot(targets, targets);
        p.Rows += r;
    }

    public void Add(NormalEquations other)
    {
        for (var kind = 0; kind < Kinds; kind++)
            for (var k = 0; k < Folds; k++) Parts[kind, k]?.Add(other.Parts[kind, k]);
    }

    /// <summary>The sums over every fold except <paramref name="exclude"/> and <paramref name="exclude2"/> (-1: none), full symmetric Gram.</summary>
    public Part Sum(int kind, int exclude, int exclude2 = -1)
    {
        var s = new Part(Size);
        for (var k = 0; k < Folds; k++)
            if (k != exclude && k != exclude2) s.Add(Parts[kind, k]);
        for (var i = 0; i < Size; i++)
            for (var j = i + 1; j < Size; j++) s.Gram[j * Size + i] = s.Gram[i * Size + j];
        return s;
    }

    /// <summary>The same sums restricted to some columns (e.g. the linear part of a quadratic system).</summary>
    public NormalEquations Restrict(int[] columns)
    {
        var r = new NormalEquations(columns.Length, Folds, HasVirials);
        for (var kind = 0; kind < Kinds; kind++)
            for (var k = 0; k < Folds; k++)
            {
                if (Parts[kind, k] == null) continue;
                Part src = Parts[kind, k], dst = r.Parts[kind, k];
                for (var a = 0; a < columns.Length; a++)
                {
                    dst.Rhs[a] = src.Rhs[columns[a]];
                    for (var b = a; b < columns.Length; b++)
                    {
                        int i = columns[a], j = columns[b];
                        dst.Gram[a * columns.Length + b] = i <= j ? src.Gram[i * Size + j] : src.Gram[j * Size + i];
                    }
                }
                dst.TargetNorm = src.TargetNorm;
                dst.Rows = src.Rows;
            }
        return r;
    }
}
