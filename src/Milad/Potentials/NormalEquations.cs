using System.Numerics.Tensors;

namespace Milad.Potentials;

/// <summary>
/// Least-squares sums of a linear model, kept apart for energy, force and virial (stress) rows and for each
/// cross-validation fold: Gram matrix (lower triangle, packed), right-hand side and squared norm of the targets.
/// Why apart: the relative weight of energies and forces and the ridge strength can then be chosen by
/// validation from these sums alone, without keeping the design matrix (3N rows per frame).
/// Why packed: a fit with 4,500 columns keeps 15 of these per partition; full squares took 14.6 GB.
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
        /// <summary>Lower triangle row by row: row i holds columns 0..i.</summary>
        public readonly double[] Gram = new double[(long)size * (size + 1) / 2];
        public readonly double[] Rhs = new double[size];
        public double TargetNorm;
        public long Rows;

        /// <summary>Columns 0..i of row i of the Gram matrix.</summary>
        public Span<double> Row(int i) => Gram.AsSpan(i * (i + 1) / 2, i + 1);

        public double this[int i, int j] => i >= j ? Gram[i * (i + 1) / 2 + j] : Gram[j * (j + 1) / 2 + i];

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
            if (row[i] != 0) TensorPrimitives.MultiplyAdd(row[..(i + 1)], row[i], p.Row(i), p.Row(i));
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
            if (nonZero[i]) TensorPrimitives.Add(p.Row(i), _product.AsSpan(i * Size, i + 1), p.Row(i));
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

    /// <summary>The sums of one kind over every fold except <paramref name="exclude"/> (-1: none).</summary>
    public Part Sum(int kind, int exclude)
    {
        var s = new Part(Size);
        for (var k = 0; k < Folds; k++)
            if (k != exclude) s.Add(Parts[kind, k]);
        return s;
    }
}
