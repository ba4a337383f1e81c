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
        _parts = new Part[Kinds, folds];
        for (var kind = 0; kind < (virials ? Kinds : Kinds - 1); kind++)
            for (var k = 0; k < folds; k++) _parts[kind, k] = new Part(size);
        _pending = new double[Kinds, folds][];
        _pendingCount = new int[Kinds, folds];
        EnergyRows = new List<(double[] Row, double Target)>[folds];
        for (var k = 0; k < folds; k++) EnergyRows[k] = [];
    }

    /// <summary>
    /// Every energy row (one per frame) with its target, per fold: the held-out frames' absolute errors, which
    /// sums cannot give (cross-validated MAE: a few frames that no model fits dominate a squared error).
    /// </summary>
    public List<(double[] Row, double Target)>[] EnergyRows { get; }

    /// <summary>Whether the virial sums (kind 2) exist.</summary>
    public bool HasVirials { get; }

    public int Size { get; }

    /// <summary>Energy, forces, virials.</summary>
    public const int Kinds = 3;

    private double[] _product = [];

    public int Folds { get; }

    /// <summary>[0 = energy, 1 = forces, 2 = virial components (null without virials), fold]; after <see cref="Complete"/>.</summary>
    public Part[,] Parts => _pendingTotal == 0 ? _parts : throw new InvalidOperationException("rows are pending: call Complete first");

    private readonly Part[,] _parts;

    // Energy and virial rows (one and six per frame) wait in blocks of PendingRows and enter the Gram matrix together
    // through the tiled kernel: a rank-1 update per row streamed the whole triangle through memory each time.
    private const int PendingRows = 32;
    private readonly double[]?[,] _pending;   // [kind, fold]: Size x PendingRows, a feature's values contiguous (unused slots 0)
    private readonly int[,] _pendingCount;
    private int _pendingTotal;

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

    /// <summary>
    /// One energy row (already divided by the atom count) and its target; kind 2: one virial component's row.
    /// Its Gram contribution waits with others until a block is full or <see cref="Complete"/>.
    /// </summary>
    public void AddEnergyRow(int fold, ReadOnlySpan<double> row, double target, int kind = 0)
    {
        var p = _parts[kind, fold];
        var block = _pending[kind, fold] ??= new double[Size * PendingRows];
        var slot = _pendingCount[kind, fold]++;
        _pendingTotal++;
        for (var i = 0; i < Size; i++) block[i * PendingRows + slot] = row[i];
        TensorPrimitives.MultiplyAdd(row, target, p.Rhs, p.Rhs);
        p.TargetNorm += target * target;
        p.Rows++;
        if (kind == 0) EnergyRows[fold].Add((row.ToArray(), target));
        if (slot + 1 == PendingRows) Flush(kind, fold);
    }

    /// <summary>Adds the pending rows' Gram contributions; the sums are complete (and <see cref="Parts"/> readable) after it.</summary>
    public void Complete()
    {
        for (var kind = 0; kind < Kinds; kind++)
            for (var k = 0; k < Folds; k++) Flush(kind, k);
    }

    private void Flush(int kind, int fold)
    {
        var block = _pending[kind, fold];
        var count = _pendingCount[kind, fold];
        if (block == null || count == 0) return;
        AddGram(_parts[kind, fold], block, PendingRows, null);
        Array.Clear(block);
        _pendingCount[kind, fold] = 0;
        _pendingTotal -= count;
    }

    /// <summary>r force rows given transposed (Size x r, one row per feature) with their r targets.</summary>
    public void AddForceRows(int fold, ReadOnlySpan<double> transposed, int r, ReadOnlySpan<double> targets, ReadOnlySpan<bool> nonZero)
    {
        var p = _parts[1, fold];
        AddGram(p, transposed, r, nonZero);
        for (var i = 0; i < Size; i++)
            if (nonZero[i]) p.Rhs[i] += TensorPrimitives.Dot(transposed.Slice(i * r, r), targets);
        p.TargetNorm += TensorPrimitives.Dot(targets, targets);
        p.Rows += r;
    }

    /// <summary>Adds the lower triangle of T T^T (T: Size x r, one row per feature) to a part's Gram matrix; rows of T that are zero may be marked in <paramref name="nonZero"/>.</summary>
    private void AddGram(Part p, ReadOnlySpan<double> transposed, int r, ReadOnlySpan<bool> nonZero)
    {
        // The whole product through the tiled kernel (twice the multiply-adds of the triangle, several times faster).
        if (_product.Length < Size * Size) _product = new double[Size * Size];
        Fingerprints.DotProductKernel.MultiplyTransposed(transposed, Size, transposed, Size, r, _product);
        for (var i = 0; i < Size; i++)
            if (nonZero.IsEmpty || nonZero[i]) TensorPrimitives.Add(p.Row(i), _product.AsSpan(i * Size, i + 1), p.Row(i));
    }

    public void Add(NormalEquations other)
    {
        for (var kind = 0; kind < Kinds; kind++)
            for (var k = 0; k < Folds; k++) Parts[kind, k]?.Add(other.Parts[kind, k]);
        for (var k = 0; k < Folds; k++) EnergyRows[k].AddRange(other.EnergyRows[k]);
    }

    /// <summary>
    /// The sums of a model with only the columns <paramref name="keep"/> (ascending): exactly what accumulating that
    /// model would give. Why: the settings search fits with and without the pair term from one accumulation.
    /// </summary>
    public NormalEquations Restrict(int[] keep)
    {
        var result = new NormalEquations(keep.Length, Folds, HasVirials);
        for (var kind = 0; kind < Kinds; kind++)
            for (var k = 0; k < Folds; k++)
            {
                var from = Parts[kind, k];
                if (from == null) continue;
                var to = result._parts[kind, k];
                for (var a = 0; a < keep.Length; a++)
                {
                    var row = to.Row(a);
                    for (var b = 0; b <= a; b++) row[b] = from[keep[a], keep[b]];
                    to.Rhs[a] = from.Rhs[keep[a]];
                }
                to.TargetNorm = from.TargetNorm;
                to.Rows = from.Rows;
            }
        for (var k = 0; k < Folds; k++)
            foreach (var (row, target) in EnergyRows[k])
            {
                var kept = new double[keep.Length];
                for (var a = 0; a < keep.Length; a++) kept[a] = row[keep[a]];
                result.EnergyRows[k].Add((kept, target));
            }
        return result;
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
