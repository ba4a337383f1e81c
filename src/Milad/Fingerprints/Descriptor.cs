using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Milad.Invariants;
using Milad.Moments;
using Milad.Structures;

namespace Milad.Fingerprints;

/// <summary>
/// Turns structures into fingerprints: the rotation invariants of the 3D Zernike moments of a weighted
/// point density, with their exact Jacobian with respect to the atom positions.
/// <list type="bullet">
/// <item>Molecule mode (<see cref="Encode(Structure, bool)"/>): every atom, relative to the centroid (the plain mean of the positions),
/// divided by the molecule radius <see cref="DescriptorSettings.Cutoff"/>, weight = species weight.</item>
/// <item>Environments mode (<see cref="EncodeEnvironments(Structure, bool)"/>): for each atom, the neighbours within the cutoff
/// (periodic images included), relative to that atom, divided by the cutoff, weight = species weight x
/// smooth cutoff factor; the centre atom itself only when <see cref="DescriptorSettings.IncludeCentre"/>.</item>
/// </list>
/// Thread-safe: one descriptor can encode on many threads.
/// </summary>
public sealed partial class Descriptor
{
    /// <summary>Atoms closer than this (Angstrom) are "on top of each other": an input error.</summary>
    public const double CoincidenceTolerance = 1e-4;

    public Descriptor(DescriptorSettings settings)
    {
        settings.Validate();
        Settings = settings;
        Invariants = InvariantSet.ByName(settings.InvariantSet, settings.NMax);
    }

    public DescriptorSettings Settings { get; }

    /// <summary>Most threads one call may use (environments of a frame, atoms of the backward pass); default all cores.</summary>
    public int MaxThreads { get; set; } = Environment.ProcessorCount;

    public InvariantSet Invariants { get; }

    public ZernikeBasis Basis => Invariants.Basis;

    /// <summary>
    /// Number of numbers in one fingerprint: the invariants of the density with the species weights, followed,
    /// when <see cref="DescriptorSettings.SecondWeights"/> is set, by those of the density with the second weights.
    /// </summary>
    public int Length => Invariants.Count * Weightings;

    /// <summary>1, or 2 with a second weighting of the species.</summary>
    public int Weightings => Settings.SecondWeights == null ? 1 : 2;

    /// <summary>Real Zernike moments of a molecule about its centroid (see <see cref="ZernikeBasis"/> for the basis).</summary>
    public double[] Moments(Structure molecule)
    {
        var ws = EncodingWorkspace.For(this, molecule.Count);
        var count = LoadMolecule(molecule, ws, 0);
        var moments = new double[Basis.Count];
        Basis.AccumulateMoments(ws.X.AsSpan(0, count), ws.Y.AsSpan(0, count), ws.Z.AsSpan(0, count), ws.W.AsSpan(0, count), moments);
        return moments;
    }

    /// <summary>
    /// For every moment of block (n, l), sum_p |w_p| |Z_nl(x_p)| with |Z_nl| the 2-norm over m: the size the
    /// rounding error of the moment is relative to, and the same in every orientation. Invariants evaluated
    /// on these by <see cref="InvariantSet.EvaluateMagnitudes"/> bound how far rounding can move each
    /// invariant, also for invariants that vanish by symmetry.
    /// </summary>
    internal double[] MomentMagnitudes(Structure molecule)
    {
        var ws = EncodingWorkspace.For(this, molecule.Count);
        return MagnitudeSums(ws, LoadMolecule(molecule, ws, 0));
    }

    private double[] MagnitudeSums(EncodingWorkspace ws, int count)
    {
        var moments = new double[Basis.Count];
        var z = new double[Basis.Count];
        for (var p = 0; p < count; p++)
        {
            Basis.Evaluate(new Vec3(ws.X[p], ws.Y[p], ws.Z[p]), z);
            foreach (var (n, l) in Basis.Blocks)
            {
                var block = z.AsSpan(Basis.Offset(n, l), 2 * l + 1);
                block.Fill(TensorPrimitives.Norm(block));
            }
            TensorPrimitives.MultiplyAdd(z, Math.Abs(ws.W[p]), moments, moments);
        }
        return moments;
    }

    /// <summary>Fingerprint of a whole molecule into <paramref name="values"/> (Length numbers): allocates nothing.</summary>
    public void Encode(Structure molecule, Span<double> values)
    {
        var ws = EncodingWorkspace.For(this, molecule.Count);
        var c = Invariants.Count;
        for (var k = 0; k < Weightings; k++)
            EncodePoints(ws, LoadMolecule(molecule, ws, k), values.Slice(k * c, c), false);
    }

    /// <summary>
    /// Fingerprints of many molecules into <paramref name="rows"/> (row i, Length numbers, is molecule i),
    /// four at a time: the invariants of four molecules share one pass over the coupling terms
    /// (<see cref="InvariantSet.EvaluateFour"/>, rounding each step as one molecule does). Allocates nothing; the same
    /// numbers as <see cref="Encode(Structure, bool)"/>, bit for bit.
    /// </summary>
    public void Encode(IReadOnlyList<Structure> molecules, Span<double> rows)
    {
        if (rows.Length < molecules.Count * Length) throw new ArgumentException($"rows needs {molecules.Count * Length} numbers");
        var c = Invariants.Count;
        for (var first = 0; first < molecules.Count; first += 4)
        {
            var lanes = Math.Min(4, molecules.Count - first);
            for (var k = 0; k < Weightings; k++)
            {
                EncodingWorkspace ws = null!;
                for (var lane = 0; lane < lanes; lane++)
                {
                    ws = EncodingWorkspace.For(this, molecules[first + lane].Count);
                    var count = LoadMolecule(molecules[first + lane], ws, k);
                    Basis.AccumulateMoments(ws.X.AsSpan(0, count), ws.Y.AsSpan(0, count), ws.Z.AsSpan(0, count), ws.W.AsSpan(0, count), ws.Moments);
                    ToLane(ws.Moments.AsSpan(0, Basis.Count), ws.Four, lane);
                }
                EvaluateFour(ws, lanes, rows.Slice(first * Length), k * c, asOne: true);
            }
        }
    }

    /// <summary>target[i] in lane <paramref name="lane"/> = source[i]: one density into the four-lane layout.</summary>
    private static void ToLane(ReadOnlySpan<double> source, Span<Vector256<double>> target, int lane)
    {
        var lanes = MemoryMarshal.Cast<Vector256<double>, double>(target);
        for (var i = 0; i < source.Length; i++) lanes[4 * i + lane] = source[i];
    }

    /// <summary>target[i] = source[i] in lane <paramref name="lane"/>: one density out of the four-lane layout.</summary>
    private static void FromLane(ReadOnlySpan<Vector256<double>> source, int lane, Span<double> target)
    {
        var lanes = MemoryMarshal.Cast<Vector256<double>, double>(source);
        for (var i = 0; i < target.Length; i++) target[i] = lanes[4 * i + lane];
    }

    /// <summary>
    /// Invariants of the densities in the first <paramref name="lanes"/> lanes of ws.Four into rows lane x Length + offset;
    /// <paramref name="asOne"/>: the numbers of one density at a time, bit for bit (no fused multiply-adds).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: optimised at once, not first as unoptimised code patched by on-stack replacement
    private void EvaluateFour(EncodingWorkspace ws, int lanes, Span<double> rows, int offset, bool asOne)
    {
        ws.Four[Basis.Count] = Vector256<double>.One;
        if (asOne) Invariants.EvaluateFourAsOne(ws.Four, ws.FourValues);
        else Invariants.EvaluateFour(ws.Four, ws.FourValues);
        for (var lane = 0; lane < lanes; lane++)
            FromLane(ws.FourValues, lane, rows.Slice(lane * Length + offset, Invariants.Count));
    }

    /// <summary>
    /// Fingerprints (no Jacobian) of the environments of atoms first .. first + lanes - 1 (lanes &lt;= 4) into
    /// <paramref name="rows"/>, one row of Length per atom: four environments share each pass over the terms.
    /// <paramref name="moments"/>, when given, receives each weighting's interleaved moments (Basis.Count + 1
    /// vectors per weighting) for a backward pass. With <paramref name="products"/> the invariants are evaluated through
    /// coupled products (the potentials' kernels, <see cref="CoupledInvariants"/>), which it receives, each weighting's
    /// ProductLength vectors after the other's.
    /// </summary>
    private void EncodeEnvironmentGroup(int[] numbers, NeighbourList list, int first, int lanes, Span<double> rows, Span<Vector256<double>> moments = default,
        Span<Vector256<double>> products = default)
    {
        var coupled = products.IsEmpty ? null : Invariants.Coupled;
        var c = Invariants.Count;
        var m = Basis.Count;
        for (var k = 0; k < Weightings; k++)
        {
            EncodingWorkspace ws = null!;
            for (var lane = 0; lane < lanes; lane++)
            {
                var neighbours = list.Of(first + lane);
                ws = EncodingWorkspace.For(this, neighbours.Length + 1);
                var count = LoadEnvironment(numbers, first + lane, neighbours, ws, k);
                Basis.AccumulateMoments(ws.X.AsSpan(0, count), ws.Y.AsSpan(0, count), ws.Z.AsSpan(0, count), ws.W.AsSpan(0, count), ws.Moments);
                ToLane(ws.Moments.AsSpan(0, Basis.Count), ws.Four, lane);
            }
            if (coupled == null) EvaluateFour(ws, lanes, rows, k * c, asOne: false);
            else
            {
                ws.Four[m] = Vector256<double>.One;
                coupled.EvaluateFour(ws.Four, ws.FourValues, products.Slice(k * coupled.ProductLength, coupled.ProductLength));
                for (var lane = 0; lane < lanes; lane++)
                    FromLane(ws.FourValues, lane, rows.Slice(lane * Length + k * c, c));
            }
            if (!moments.IsEmpty) ws.Four.AsSpan(0, m + 1).CopyTo(moments.Slice(k * (m + 1), m + 1));
        }
    }

    /// <summary>Fingerprint of a whole molecule (molecule mode), optionally with its Jacobian.</summary>
    public Fingerprint Encode(Structure molecule, bool withJacobian = false)
    {
        var n = molecule.Count;
        var ws = EncodingWorkspace.For(this, n);
        var values = new double[Length];
        var c = Invariants.Count;
        if (!withJacobian)
        {
            Encode(molecule, values);
            return new Fingerprint(values, null, n);
        }
        CheckJacobianSize((long)Length * 3 * n);
        var jac = new double[Length * 3 * n];
        for (var k = 0; k < Weightings; k++)
        {
            var stride = EncodePoints(ws, LoadMolecule(molecule, ws, k), values.AsSpan(k * c, c), true);
            // Point p is atom p. The centroid moves with every atom: dI/dx_j = g_j - (1/N) sum_i g_i.
            for (var q = 0; q < c; q++)
            {
                var src = ws.PointGrad.AsSpan(q * 3 * stride, 3 * stride);
                var dst = jac.AsSpan((k * c + q) * 3 * n, 3 * n);
                for (var a = 0; a < 3; a++)
                {
                    var column = src.Slice(a * stride, n);
                    var mean = TensorPrimitives.Sum(column) / n;
                    for (var i = 0; i < n; i++) dst[3 * i + a] = column[i] - mean;
                }
            }
        }
        return new Fingerprint(values, jac, n);
    }

    /// <summary>Fingerprint of the environment of every atom (environments mode), in atom order; atoms in parallel.</summary>
    public Fingerprint[] EncodeEnvironments(Structure structure, bool withJacobian = false)
    {
        var n = structure.Count;
        if (withJacobian) CheckJacobianSize((long)n * Length * 3 * n);
        var values = new double[n * Length];
        var jacobian = withJacobian ? new double[n * Length * 3 * n] : null;
        EncodeEnvironments(structure, values, jacobian);
        var result = new Fingerprint[n];
        var size = Length * 3 * n;
        for (var i = 0; i < n; i++)
            result[i] = new Fingerprint(values.AsSpan(i * Length, Length).ToArray(), jacobian?.AsSpan(i * size, size).ToArray(), n);
        return result;
    }

    /// <summary>
    /// The environments of every atom into caller-owned storage, so that a stream of frames encodes without
    /// allocating: <paramref name="values"/> row i (Length numbers) is atom i's fingerprint and, when
    /// <paramref name="jacobian"/> is not null, its block i (Length rows of 3 x atoms numbers, as
    /// <see cref="Fingerprint.Jacobian"/>) is that fingerprint's Jacobian. Larger arrays are fine; only the
    /// prefix is written.
    /// </summary>
    public void EncodeEnvironments(Structure structure, double[] values, double[]? jacobian)
    {
        var list = BuildNeighbourList(structure);
        var n = structure.Count;
        var c = Invariants.Count;
        var size = Length * 3 * n;
        if (values.Length < n * Length || (jacobian != null && jacobian.Length < n * size))
            throw new ArgumentException($"values needs {n * Length} numbers and jacobian {n * size}");
        if (jacobian == null)
        {
            ForEach((n + 3) / 4, n, group =>
                EncodeEnvironmentGroup(structure.AtomicNumbers, list, 4 * group, Math.Min(4, n - 4 * group), values.AsSpan(4 * group * Length)));
            return;
        }
        ForEach(n, n, centre =>
        {
            var neighbours = list.Of(centre);
            var ws = EncodingWorkspace.For(this, neighbours.Length + 1);
            for (var p = 0; p < neighbours.Length; p++) ws.Columns[p] = neighbours[p].Index;
            var row = values.AsSpan(centre * Length, Length);
            var jac = jacobian.AsSpan(centre * size, size);
            jac.Clear();
            for (var k = 0; k < Weightings; k++)
            {
                var stride = EncodePoints(ws, LoadEnvironment(structure.AtomicNumbers, centre, neighbours, ws, k), row.Slice(k * c, c), true);
                AddToAtomColumns(ws, stride, neighbours.Length, centre, jac.Slice(k * c * 3 * n, c * 3 * n), n);
            }
        });
    }

    /// <summary>
    /// Adds ws.PointGrad (dI/d(displacement of each neighbour), Invariants.Count rows of 3 stride) into
    /// <paramref name="jacobian"/> (Invariants.Count rows of 3 x <paramref name="atoms"/>): displacement
    /// d = r_j + shift - r_centre gives +g in the columns of neighbour p's atom (ws.Columns[p]) and -g in the
    /// centre's (<paramref name="centreColumn"/>); periodic images of one atom add up.
    /// </summary>
    private void AddToAtomColumns(EncodingWorkspace ws, int stride, int neighbours, int centreColumn, Span<double> jacobian, int atoms)
    {
        for (var q = 0; q < Invariants.Count; q++)
        {
            var src = ws.PointGrad.AsSpan(q * 3 * stride, 3 * stride);
            var dst = jacobian.Slice(q * 3 * atoms, 3 * atoms);
            for (var a = 0; a < 3; a++)
            {
                var column = src.Slice(a * stride, neighbours);
                for (var p = 0; p < column.Length; p++) dst[3 * ws.Columns[p] + a] += column[p];
                dst[3 * centreColumn + a] -= TensorPrimitives.Sum(column);
            }
        }
    }

    /// <summary>Real Zernike moments of every atom's environment (environments mode), in atom order.</summary>
    public double[][] EnvironmentMoments(Structure structure) => EnvironmentMoments(structure, absolute: false);

    /// <summary><see cref="MomentMagnitudes"/> of every atom's environment.</summary>
    internal double[][] EnvironmentMomentMagnitudes(Structure structure) => EnvironmentMoments(structure, absolute: true);

    private double[][] EnvironmentMoments(Structure structure, bool absolute)
    {
        CheckPositions(structure);
        var list = NeighbourList.Build(structure, Settings.Cutoff);
        var result = new double[structure.Count][];
        for (var centre = 0; centre < structure.Count; centre++)
        {
            var neighbours = list.Of(centre);
            var ws = EncodingWorkspace.For(this, neighbours.Length + 1);
            var count = LoadEnvironment(structure.AtomicNumbers, centre, neighbours, ws, 0);
            if (absolute) { result[centre] = MagnitudeSums(ws, count); continue; }
            result[centre] = new double[Basis.Count];
            Basis.AccumulateMoments(ws.X.AsSpan(0, count), ws.Y.AsSpan(0, count), ws.Z.AsSpan(0, count), ws.W.AsSpan(0, count), result[centre]);
        }
        return result;
    }

    /// <summary>
    /// Loads the density of one environment (atom <paramref name="centre"/>; <paramref name="numbers"/>[i] is the atomic number
    /// of atom i, neighbours' indices included) into the workspace: neighbours (then the centre, if included)
    /// in unit-ball coordinates, their weights (species weight x cutoff factor) and the gradient of each
    /// weight with respect to the neighbour's displacement. Returns the number of points.
    /// </summary>
    private int LoadEnvironment(int[] numbers, int centre, ReadOnlySpan<Neighbour> neighbours, EncodingWorkspace ws, int weighting)
    {
        var rc = Settings.Cutoff;
        var exponent = Settings.RadialExponent;
        var count = neighbours.Length + (Settings.IncludeCentre ? 1 : 0);
        if (count == 0)
            throw new InputException($"atom {centre} ({Elements.Symbol(numbers[centre])}) has no neighbours within the cutoff {rc} A");
        for (var p = 0; p < neighbours.Length; p++)
        {
            var nb = neighbours[p];
            var d = nb.Displacement;
            var r = d.Norm;
            if (r < CoincidenceTolerance)
                throw new InputException($"atoms {centre} and {nb.Index} are on top of each other (distance {r:G3} A)");
            var s = Settings.WeightOf(numbers[nb.Index], weighting);
            var (f, df) = Settings.SmoothCutoff ? CosineCutoff(r, rc) : (1, 0);
            ws.W[p] = s * f;
            var g = s * df / r;
            if (!RadialMap)
            {
                (ws.X[p], ws.Y[p], ws.Z[p]) = (d.X / rc, d.Y / rc, d.Z / rc);
                (ws.DWx[p], ws.DWy[p], ws.DWz[p]) = (g * d.X, g * d.Y, g * d.Z);
                continue;
            }
            // x = b d with b = (r / rc)^(p - 1) / rc, whose Jacobian is b I + b (p - 1) x x^T / |x|^2: the kernels run with
            // unit scale and the weight gradient divided by the radial stretch p b, and MapPointGradients multiplies their
            // output by that Jacobian (see there).
            var b = Math.Pow(r / rc, exponent - 1) / rc;
            (ws.X[p], ws.Y[p], ws.Z[p]) = (d.X * b, d.Y * b, d.Z * b);
            g /= exponent * b;
            (ws.DWx[p], ws.DWy[p], ws.DWz[p]) = (g * d.X, g * d.Y, g * d.Z);
            (ws.MapB[p], ws.MapRadial[p]) = (b, (exponent - 1) / (b * r * r));
        }
        if (Settings.IncludeCentre)
        {
            var last = count - 1;
            (ws.X[last], ws.Y[last], ws.Z[last]) = (0, 0, 0);
            ws.W[last] = Settings.WeightOf(numbers[centre], weighting);
            (ws.DWx[last], ws.DWy[last], ws.DWz[last]) = (0, 0, 0);
            if (RadialMap) (ws.MapB[last], ws.MapRadial[last]) = (0, 0); // the centre does not move
        }
        return count;
    }

    /// <summary>
    /// The neighbour list, with the input errors of every environment raised here, in atom order, before
    /// environments are encoded in parallel (so the error reported does not depend on thread timing).
    /// </summary>
    private NeighbourList BuildNeighbourList(Structure structure)
    {
        CheckPositions(structure);
        var list = NeighbourList.Build(structure, Settings.Cutoff);
        for (var centre = 0; centre < structure.Count; centre++)
        {
            var neighbours = list.Of(centre);
            if (neighbours.Length == 0 && !Settings.IncludeCentre)
                throw new InputException($"atom {centre} ({Elements.Symbol(structure.AtomicNumbers[centre])}) has no neighbours within the cutoff {Settings.Cutoff} A");
            foreach (var nb in neighbours)
                if (nb.Displacement.Norm < CoincidenceTolerance)
                    throw new InputException($"atoms {centre} and {nb.Index} are on top of each other (distance {nb.Displacement.Norm:G3} A)");
        }
        return list;
    }

    /// <summary>The cosine cutoff f(r) = (1 + cos(pi r / rc)) / 2 and df/dr.</summary>
    internal static (double F, double DF) CosineCutoff(double r, double rc) =>
        r >= rc ? (0, 0) : (0.5 * (1 + Math.Cos(Math.PI * r / rc)), -0.5 * Math.PI / rc * Math.Sin(Math.PI * r / rc));

    /// <summary>
    /// Invariants of the density loaded in the workspace (<paramref name="count"/> points) into
    /// <paramref name="values"/>; with <paramref name="withJacobian"/> also ws.PointGrad = dI/d(displacement of
    /// each point, Angstrom), Count rows of 3 stride: columns a x stride + p (see <see cref="EncodingWorkspace"/>).
    /// Returns that stride (0 without the Jacobian).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: optimised at once, not first as unoptimised code patched by on-stack replacement
    private int EncodePoints(EncodingWorkspace ws, int count, Span<double> values, bool withJacobian)
    {
        ReadOnlySpan<double> x = ws.X.AsSpan(0, count), y = ws.Y.AsSpan(0, count), z = ws.Z.AsSpan(0, count), w = ws.W.AsSpan(0, count);
        if (!withJacobian)
        {
            Basis.AccumulateMoments(x, y, z, w, ws.Moments);
            Invariants.Evaluate(ws.Moments, values);
            return 0;
        }
        var stride = EncodingWorkspace.Stride(count);
        Basis.MomentsWithDerivatives(x, y, z, w, ws.DWx.AsSpan(0, count), ws.DWy.AsSpan(0, count), ws.DWz.AsSpan(0, count),
            KernelScale, ws.Moments, ws.DMoments, stride);
        if (RadialMap) MapPointGradients(ws, ws.DMoments, Basis.Count, count, stride);
        Invariants.EvaluateWithDerivatives(ws.Moments, values, ws.DMoments, 3 * stride, ws.PointGrad);
        return stride;
    }

    /// <summary>Whether neighbours sit at (r / cutoff)^p of the unit ball with p != 1 (<see cref="DescriptorSettings.RadialExponent"/>).</summary>
    private bool RadialMap => Settings.RadialExponent != 1;

    /// <summary>The scale the basis kernels apply to a point's coordinate gradient: 1 / cutoff, or 1 with a radial map (applied after).</summary>
    private double KernelScale => RadialMap ? 1 : 1 / Settings.Cutoff;

    /// <summary>
    /// With a radial map, turns the kernels' output (<paramref name="rows"/> rows of 3 stride, the first <paramref name="count"/>
    /// points) into gradients with respect to the displacement: each point's 3-vector v becomes J v with the map's symmetric Jacobian
    /// J = b I + c x x^T (ws.MapB and ws.MapRadial, x the point). The kernels' v is the coordinate gradient plus the weight term
    /// divided by the radial stretch p b; the weight's gradient is radial, so J restores it exactly while stretching the coordinate part.
    /// </summary>
    private static void MapPointGradients(EncodingWorkspace ws, Span<double> gradients, int rows, int count, int stride)
    {
        for (var q = 0; q < rows; q++)
        {
            var row = gradients.Slice(q * 3 * stride, 3 * stride);
            for (var p = 0; p < count; p++)
            {
                double vx = row[p], vy = row[stride + p], vz = row[2 * stride + p];
                double x = ws.X[p], y = ws.Y[p], z = ws.Z[p], b = ws.MapB[p];
                var radial = ws.MapRadial[p] * (x * vx + y * vy + z * vz);
                (row[p], row[stride + p], row[2 * stride + p]) = (b * vx + radial * x, b * vy + radial * y, b * vz + radial * z);
            }
        }
    }

    /// <summary>
    /// Loads a molecule into the workspace: every atom relative to the centroid in unit-ball coordinates, with
    /// the species weights of <paramref name="weighting"/> (constant: no weight gradients). Returns the count.
    /// </summary>
    private int LoadMolecule(Structure molecule, EncodingWorkspace ws, int weighting)
    {
        CheckPositions(molecule);
        var n = molecule.Count;
        if (n == 0) throw new InputException("the structure has no atoms");
        if (RadialMap)
            throw new InputException("a radial exponent applies to environments only: molecule fingerprints keep r / radius, which the decoder assumes");
        var centroid = Vec3.Zero;
        foreach (var x in molecule.Positions) centroid += x;
        centroid /= n;
        if (weighting == 0) CheckCoincident(molecule.Positions, ws);
        var rc = Settings.Cutoff;
        for (var i = 0; i < n; i++)
        {
            var d = molecule.Positions[i] - centroid;
            if (d.Norm > rc)
                throw new InputException($"atom {i} is {d.Norm:F3} A from the centroid, outside the molecule radius {rc} A (set a larger --cutoff)");
            (ws.X[i], ws.Y[i], ws.Z[i]) = (d.X / rc, d.Y / rc, d.Z / rc);
            ws.W[i] = Settings.WeightOf(molecule.AtomicNumbers[i], weighting);
            (ws.DWx[i], ws.DWy[i], ws.DWz[i]) = (0, 0, 0);
        }
        return n;
    }

    /// <summary>Most numbers the Jacobians of one frame may hold (1 GB): they grow as atoms squared in environments mode.</summary>
    public const long MaxJacobianValues = 1L << 27;

    private static void CheckJacobianSize(long values)
    {
        if (values > MaxJacobianValues)
            throw new InputException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"the Jacobian of this frame would hold {values:G3} numbers ({8e-9 * values:F1} GB), more than {MaxJacobianValues:G} (1 GB): leave out --derivatives or split the frame"));
    }

    private static void CheckPositions(Structure s)
    {
        for (var i = 0; i < s.Count; i++)
            if (!s.Positions[i].IsFinite) throw new InputException($"atom {i} has a position that is not a finite number");
    }

    /// <summary>Atoms on top of each other make a density that no longer tells them apart: reject them (sweep along x).</summary>
    private static void CheckCoincident(Vec3[] positions, EncodingWorkspace ws)
    {
        var n = positions.Length;
        var keys = ws.DWx.AsSpan(0, n);
        var order = ws.Columns.AsSpan(0, n);
        for (var i = 0; i < n; i++) (keys[i], order[i]) = (positions[i].X, i);
        keys.Sort(order);
        for (var a = 0; a < n; a++)
            for (var b = a + 1; b < n && positions[order[b]].X - positions[order[a]].X < CoincidenceTolerance; b++)
                if ((positions[order[a]] - positions[order[b]]).Norm < CoincidenceTolerance)
                    throw new InputException($"atoms {Math.Min(order[a], order[b])} and {Math.Max(order[a], order[b])} are on top of each other");
    }
}
