using System.Numerics.Tensors;
using Milad.Fingerprints;
using Milad.Structures;

namespace Milad.Potentials;

/// <summary>
/// Encodes every training frame once, with the Jacobians of its environments restricted to their
/// neighbours, and turns it into what the fits need, without keeping any Jacobian of a whole frame:
/// <list type="bullet">
/// <item>the least-squares sums of the polynomial model (<see cref="NormalEquations"/>): per species a column
/// block [1, x (F), pair features (P), p_a p_b (K(K+1)/2), per magnetic power m^k [1, x]]; one energy row per frame (sums over its atoms, divided by the atom
/// count) and 3N force rows (sums over environments of their derivatives, targets -F) built transposed,
/// so the Gram update is a run of dot products; with a stress weight, six virial rows per frame that has a
/// reference stress (the strain derivatives of the same sums, divided by the atom count, targets V sigma / N);</item>
/// <item>optionally the network's inputs and their local Jacobians (<see cref="EnvironmentSample"/>).</item>
/// </list>
/// </summary>
internal sealed class DesignAccumulator
{
    private readonly Descriptor _descriptor;
    private readonly FeatureMap[] _maps;      // per species, with at least max(quadratic, neural) components
    private readonly int[] _speciesIndex;     // atomic number -> species index
    private readonly int _quadratic;          // K of the quadratic terms (0: linear only)
    private readonly int _neural;             // K of the network's inputs (0: none)

    private readonly PairBasis? _pair;
    private readonly FeatureMap[]? _pairMaps;  // per species: standardisation of the pair features
    private readonly bool _virials;           // virial rows for frames with a reference stress
    private readonly int[] _magneticPowers;   // powers k of the magnetic columns m^k [1, x] (empty: none)
    private long _sampleBytes;                // the network's samples so far (bounded by MemoryLimit)

    /// <summary>
    /// Most memory (bytes) the ridge sums, or the network's samples, may take: 80 % of what the process may use
    /// (the machine's memory, or a container's limit). Above, training stops with an input error naming the
    /// settings to lower, instead of running out of memory.
    /// </summary>
    internal static long MemoryLimit => (long)(0.8 * GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);

    // Symmetric strain components (xx yy zz yz xz xy) as (a, b).
    private static readonly (int A, int B)[] VoigtPairs = [(0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1)];

    public DesignAccumulator(Descriptor descriptor, int[] species, FeatureMap[] maps, int quadratic, int neural,
        PairBasis? pair = null, FeatureMap[]? pairMaps = null, bool virials = false, int[]? magneticPowers = null)
    {
        _virials = virials;
        _magneticPowers = magneticPowers ?? [];
        _pair = pair;
        _pairMaps = pairMaps;
        if (pair != null && (pairMaps == null || pairMaps.Length != species.Length)) throw new ArgumentException("pair maps missing");
        _descriptor = descriptor;
        _maps = maps;
        _quadratic = quadratic;
        _neural = neural;
        _speciesIndex = Elements.IndexTable(species);
        foreach (var m in maps)
            if (m.Components < Math.Max(quadratic, neural)) throw new ArgumentException("feature maps have too few components");
        Features = descriptor.Length;
        PairFeatures = pair?.Length ?? 0;
        MagneticOffset = 1 + Features + PairFeatures + quadratic * (quadratic + 1) / 2;
        BlockSize = MagneticOffset + _magneticPowers.Length * (1 + Features);
        Size = species.Length * BlockSize;
    }

    /// <summary>F.</summary>
    public int Features { get; }

    /// <summary>P: pair features (0 without a pair term).</summary>
    public int PairFeatures { get; }

    /// <summary>Start of the magnetic columns in a species' block: powers x [m^k, m^k x (F)].</summary>
    public int MagneticOffset { get; }

    /// <summary>Columns per species: 1 + F + P + K(K+1)/2 + powers x (1 + F) (in this order).</summary>
    public int BlockSize { get; }

    /// <summary>All columns.</summary>
    public int Size { get; }

    /// <summary>
    /// Runs over all frames (in parallel) and returns the summed equations and, when the network is
    /// wanted, the samples of every frame.
    /// </summary>
    public (NormalEquations Equations, EnvironmentSample[][]? Samples) Run(string name, IReadOnlyList<Structure> frames, int[] foldOf, int folds,
        int threads, Action<int>? frameDone = null)
    {
        // Two fixed partitions of the frames (even, odd), each summed in frame order and added in partition
        // order: the sums, hence the fit, do not depend on the number of threads or their timing.
        const int partitions = 2;
        // Checked before any frame is encoded: the packed Gram matrices of every kind and fold of both partitions,
        // and each partition's transposed force rows of the largest frame.
        var kinds = _virials ? NormalEquations.Kinds : NormalEquations.Kinds - 1;
        var largest = frames.Count == 0 ? 0 : frames.Max(s => s.Count);
        var bytes = 8.0 * partitions * (kinds * folds * ((double)Size * (Size + 1) / 2 + Size) + 3.0 * Size * largest);
        if (bytes > MemoryLimit)
            throw new InputException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{name}: the fit's sums would take {bytes / 1e9:F1} GB ({Size} features, {folds} folds), more than the {MemoryLimit / 1e9:F1} GB available: lower --nmax, --quadratic-components or --pair-functions, or use fewer --folds"));
        _sampleBytes = 0;
        var parts = new NormalEquations[partitions];
        var samples = _neural > 0 ? new EnvironmentSample[frames.Count][] : null;
        var done = 0;
        Parallel.For(0, partitions, new ParallelOptions { MaxDegreeOfParallelism = threads }, part =>
        {
            var local = parts[part] = new NormalEquations(Size, folds, _virials);
            var design = Array.Empty<double>();   // reused: a frame's transposed force rows are Size x 3N (tens of MB)
            for (var f = part; f < frames.Count; f += partitions)
            {
                try
                {
                    var rows = Size * 3 * frames[f].Count;
                    if (design.Length < rows) design = new double[rows];
                    var s = Accumulate(frames[f], foldOf[f], local, design);
                    if (samples != null) samples[f] = s!;
                }
                catch (InputException e)
                {
                    throw InputException.AtFrame(name, f, e.Message);
                }
                frameDone?.Invoke(Interlocked.Increment(ref done));
            }
            local.Complete();
        });
        var total = parts[0];
        for (var p = 1; p < partitions; p++) total.Add(parts[p]);
        return (total, samples);
    }

    private EnvironmentSample[]? Accumulate(Structure frame, int fold, NormalEquations equations, double[] design)
    {
        var n = frame.Count;
        var r = 3 * n;
        var virialTarget = _virials ? StressTarget.Virial(frame) : null;
        var envs = _descriptor.EncodeLocal(frame, virialTarget != null);
        var moments = _magneticPowers.Length > 0 ? MagneticTerm.Moments(frame) : null;
        var magneticFactors = new double[_magneticPowers.Length];
        // Rows of the six virial components: [component * Size + column].
        var virialRows = virialTarget != null ? new double[6 * Size] : null;
        // One environment's invariant virials, symmetric components (F x 6), and for the quadratic terms its
        // projected inputs' (K x 6).
        var envVirial = virialRows != null ? new double[Features * 6] : null;
        var dpVirial = virialRows != null && _quadratic > 0 ? new double[_quadratic * 6] : null;
        Span<double> sym = stackalloc double[6];
        design.AsSpan(0, Size * r).Clear();    // transposed force rows: [column][3 * atom + axis]
        var energyRow = new double[Size];
        var nonZero = new bool[Size];
        var f = Features;
        var x = new double[f];
        var kq = _quadratic;
        var kMax = Math.Max(_quadratic, _neural);
        var p = new double[kMax];
        EnvironmentSample[]? samples = _neural > 0 ? new EnvironmentSample[n] : null;
        var dpBuffer = Array.Empty<double>();
        for (var i = 0; i < n; i++)
        {
            var env = envs[i];
            var s = _speciesIndex[frame.AtomicNumbers[i]];
            var map = _maps[s];
            var off = s * BlockSize;
            nonZero.AsSpan(off, BlockSize).Fill(true);
            map.Standardise(env.Values, x);
            energyRow[off] += 1;
            TensorPrimitives.Add(energyRow.AsSpan(off + 1, f), x, energyRow.AsSpan(off + 1, f));
            // Magnetic columns m^k [1, x]: the same rows as the linear ones, times m^k (moments held fixed).
            for (var k = 0; k < magneticFactors.Length; k++)
            {
                var mk = magneticFactors[k] = Math.Pow(moments![i], _magneticPowers[k]);
                var column = off + MagneticOffset + k * (1 + f);
                energyRow[column] += mk;
                TensorPrimitives.MultiplyAdd(x, mk, energyRow.AsSpan(column + 1, f), energyRow.AsSpan(column + 1, f));
            }
            var atoms = env.Atoms;
            var k3 = 3 * atoms.Length;
            // Linear force rows: dx_q/dX = J_q / scale_q, scattered to the atoms' columns.
            for (var q = 0; q < f; q++)
            {
                var src = env.Jacobian.AsSpan(q * k3, k3);
                var inv = 1 / map.Scale[q];
                Scatter(src, atoms, design.AsSpan((off + 1 + q) * r, r), inv);
                for (var k = 0; k < magneticFactors.Length; k++)
                    Scatter(src, atoms, design.AsSpan((off + MagneticOffset + k * (1 + f) + 1 + q) * r, r), inv * magneticFactors[k]);
            }
            if (virialRows != null)
                for (var q = 0; q < f; q++)
                {
                    var v = envVirial.AsSpan(6 * q, 6);
                    Symmetric(env.Virial!.AsSpan(9 * q, 9), v);
                    var inv = 1 / map.Scale[q];
                    for (var c = 0; c < 6; c++)
                    {
                        virialRows[c * Size + off + 1 + q] += inv * v[c];
                        for (var k = 0; k < magneticFactors.Length; k++)
                            virialRows[c * Size + off + MagneticOffset + k * (1 + f) + 1 + q] += inv * magneticFactors[k] * v[c];
                    }
                }
            if (kMax == 0) continue;
            // Projected inputs and their local Jacobian: dp = Projection diag(1/scale) J  (kMax x 3k).
            map.Project(x, p.AsSpan(0, kMax));
            if (dpBuffer.Length < kMax * k3) dpBuffer = new double[2 * kMax * k3];
            var dp = dpBuffer.AsSpan(0, kMax * k3);
            dp.Clear();
            for (var a = 0; a < kMax; a++)
            {
                var row = dp.Slice(a * k3, k3);
                if (map.IsIdentity)
                {
                    TensorPrimitives.Multiply(env.Jacobian.AsSpan(a * k3, k3), 1 / map.Scale[a], row);
                    continue;
                }
                var proj = map.Projection.AsSpan(a * f, f);
                for (var q = 0; q < f; q++)
                {
                    var w = proj[q] / map.Scale[q];
                    if (w != 0) TensorPrimitives.MultiplyAdd(env.Jacobian.AsSpan(q * k3, k3), w, row, row);
                }
            }
            // The projected inputs' virials, as dp from the invariants' virials (only the quadratic terms use them).
            if (dpVirial != null)
            {
                Array.Clear(dpVirial);
                for (var q = 0; q < f; q++)
                    for (var a = 0; a < kq; a++)
                    {
                        var w = map.IsIdentity ? (a == q ? 1 / map.Scale[q] : 0) : map.Projection[a * f + q] / map.Scale[q];
                        if (w != 0) for (var c = 0; c < 6; c++) dpVirial[a * 6 + c] += w * envVirial![6 * q + c];
                    }
            }
            if (kq > 0)
            {
                var t = off + 1 + f + PairFeatures;
                for (var a = 0; a < kq; a++)
                    for (var b = a; b < kq; b++, t++)
                    {
                        energyRow[t] += p[a] * p[b];
                        if (dpVirial != null)
                            for (var c = 0; c < 6; c++) virialRows![c * Size + t] += p[a] * dpVirial[b * 6 + c] + p[b] * dpVirial[a * 6 + c];
                        var dst = design.AsSpan(t * r, r);
                        ReadOnlySpan<double> da = dp.Slice(a * k3, k3), db = dp.Slice(b * k3, k3);
                        for (var c = 0; c < atoms.Length; c++)
                        {
                            var o = 3 * atoms[c];
                            for (var ax = 0; ax < 3; ax++)
                                dst[o + ax] += p[a] * db[3 * c + ax] + p[b] * da[3 * c + ax];
                        }
                    }
            }
            if (samples != null)
            {
                var kn = _neural;
                var jac = new float[kn * k3];
                TensorPrimitives.ConvertTruncating<double, float>(dp[..(kn * k3)], jac);
                samples[i] = new EnvironmentSample(s, p.AsSpan(0, kn).ToArray(), jac, atoms);
                if (Interlocked.Add(ref _sampleBytes, 4L * jac.Length + 8L * kn + 4L * atoms.Length + 64) > MemoryLimit)
                    throw new InputException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"the network's training samples need more than the {MemoryLimit / 1e9:F1} GB available: lower --components or the cutoff, or train on fewer frames"));
            }
        }
        if (_pair != null)
        {
            // Pair features: energy row sums and force rows, dy_q(i)/dr_j = +d, dy_q(i)/dr_i = -d.
            var pairOffset = 1 + f;
            var y = _pair.Features(frame, null, (i, j, q, d, displacement) =>
            {
                var s = _speciesIndex[frame.AtomicNumbers[i]];
                var column = s * BlockSize + pairOffset + q;
                var dst = design.AsSpan(column * r, r);
                var inv = 1 / _pairMaps![s].Scale[q];
                dst[3 * j] += inv * d.X; dst[3 * j + 1] += inv * d.Y; dst[3 * j + 2] += inv * d.Z;
                dst[3 * i] -= inv * d.X; dst[3 * i + 1] -= inv * d.Y; dst[3 * i + 2] -= inv * d.Z;
                if (virialRows == null) return;
                for (var c = 0; c < 6; c++)
                {
                    var (a, b) = VoigtPairs[c];
                    virialRows[c * Size + column] += inv * 0.5 * (displacement[a] * d[b] + displacement[b] * d[a]);
                }
            });
            var p2 = _pair.Length;
            var yi = new double[p2];
            for (var i = 0; i < n; i++)
            {
                var s = _speciesIndex[frame.AtomicNumbers[i]];
                _pairMaps![s].Standardise(y.AsSpan(i * p2, p2), yi);
                var row = energyRow.AsSpan(s * BlockSize + pairOffset, p2);
                TensorPrimitives.Add(row, yi, row);
            }
        }
        TensorPrimitives.Divide(energyRow, n, energyRow);
        equations.AddEnergyRow(fold, energyRow, frame.Energy!.Value / n);
        var targets = new double[r];
        for (var a = 0; a < n; a++)
        {
            var force = frame.Forces![a];
            targets[3 * a] = -force.X; targets[3 * a + 1] = -force.Y; targets[3 * a + 2] = -force.Z;
        }
        equations.AddForceRows(fold, design.AsSpan(0, Size * r), r, targets, nonZero);
        if (virialRows != null)
        {
            Symmetric(virialTarget, sym);
            for (var c = 0; c < 6; c++)
            {
                var row = virialRows.AsSpan(c * Size, Size);
                TensorPrimitives.Divide(row, n, row);
                equations.AddEnergyRow(fold, row, sym[c] / n, kind: 2);
            }
        }
        return samples;
    }

    /// <summary>dst[3 atoms[c] + axis] += factor src[3 c + axis]: one Jacobian row scattered to the frame's force rows.</summary>
    private static void Scatter(ReadOnlySpan<double> src, int[] atoms, Span<double> dst, double factor)
    {
        for (var c = 0; c < atoms.Length; c++)
        {
            var o = 3 * atoms[c];
            dst[o] += factor * src[3 * c];
            dst[o + 1] += factor * src[3 * c + 1];
            dst[o + 2] += factor * src[3 * c + 2];
        }
    }

    /// <summary>The six symmetric components (xx yy zz yz xz xy) of a row-major 3 x 3 tensor.</summary>
    private static void Symmetric(ReadOnlySpan<double> m, Span<double> voigt)
    {
        for (var c = 0; c < 6; c++)
        {
            var (a, b) = VoigtPairs[c];
            voigt[c] = 0.5 * (m[3 * a + b] + m[3 * b + a]);
        }
    }
}
