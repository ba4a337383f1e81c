using System.Numerics.Tensors;
using Milad.Invariants;
using Milad.Moments;
using Milad.Structures;

namespace Milad.Fingerprints;

/// <summary>
/// Turns structures into fingerprints: the rotation invariants of the 3D Zernike moments of a weighted
/// point density, with their exact Jacobian with respect to the atom positions.
/// <list type="bullet">
/// <item>Molecule mode (<see cref="Encode"/>): every atom, relative to the centroid (the plain mean of the positions),
/// divided by the molecule radius <see cref="DescriptorSettings.Cutoff"/>, weight = species weight.</item>
/// <item>Environments mode (<see cref="EncodeEnvironments"/>): for each atom, the neighbours within the cutoff
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
        var (points, weights) = MoleculePoints(molecule);
        return SumMoments(points, weights, absolute: false);
    }

    /// <summary>
    /// For every moment of block (n, l), sum_p |w_p| |Z_nl(x_p)| with |Z_nl| the 2-norm over m: the size the
    /// rounding error of the moment is relative to, and the same in every orientation. Invariants evaluated
    /// on these by <see cref="InvariantSet.EvaluateMagnitudes"/> bound how far rounding can move each
    /// invariant, also for invariants that vanish by symmetry.
    /// </summary>
    internal double[] MomentMagnitudes(Structure molecule)
    {
        var (points, weights) = MoleculePoints(molecule);
        return SumMoments(points, weights, absolute: true);
    }

    private double[] SumMoments(Vec3[] points, double[] weights, bool absolute)
    {
        var moments = new double[Basis.Count];
        var z = new double[Basis.Count];
        for (var p = 0; p < points.Length; p++)
        {
            Basis.Evaluate(points[p], z);
            if (absolute)
                foreach (var (n, l) in Basis.Blocks)
                {
                    var block = z.AsSpan(Basis.Offset(n, l), 2 * l + 1);
                    block.Fill(TensorPrimitives.Norm(block));
                }
            TensorPrimitives.MultiplyAdd(z, absolute ? Math.Abs(weights[p]) : weights[p], moments, moments);
        }
        return moments;
    }

    /// <summary>Fingerprint of a whole molecule (molecule mode), optionally with its Jacobian.</summary>
    public Fingerprint Encode(Structure molecule, bool withJacobian = false)
    {
        var (points, weights) = MoleculePoints(molecule);
        var n = points.Length;
        var values = new double[Length];
        var c = Invariants.Count;
        if (!withJacobian)
        {
            for (var k = 0; k < Weightings; k++)
                EncodePoints(points, k == 0 ? weights : MoleculeWeights(molecule, 1), null, values.AsSpan(k * c, c), default);
            return new Fingerprint(values, null, n);
        }
        var pointGrad = new double[Length * 3 * n];
        for (var k = 0; k < Weightings; k++)
            EncodePoints(points, k == 0 ? weights : MoleculeWeights(molecule, 1), null, values.AsSpan(k * c, c), pointGrad.AsSpan(k * c * 3 * n, c * 3 * n));
        // The centroid moves with every atom: dI/dx_j = g_j - (1/N) sum_i g_i.
        for (var q = 0; q < Length; q++)
        {
            var row = pointGrad.AsSpan(q * 3 * n, 3 * n);
            for (var a = 0; a < 3; a++)
            {
                double mean = 0;
                for (var i = 0; i < n; i++) mean += row[3 * i + a];
                mean /= n;
                for (var i = 0; i < n; i++) row[3 * i + a] -= mean;
            }
        }
        return new Fingerprint(values, pointGrad, n);
    }

    /// <summary>Fingerprint of the environment of every atom (environments mode), in atom order.</summary>
    public Fingerprint[] EncodeEnvironments(Structure structure, bool withJacobian = false)
    {
        CheckPositions(structure);
        var list = NeighbourList.Build(structure, Settings.Cutoff);
        var n = structure.Count;
        var result = new Fingerprint[n];
        var c = Invariants.Count;
        for (var centre = 0; centre < n; centre++)
        {
            var neighbours = list.Of(centre);
            var (points, weights, dWeights) = EnvironmentPoints(structure, centre, neighbours);
            var count = points.Length;
            var values = new double[Length];
            if (!withJacobian)
            {
                for (var k = 0; k < Weightings; k++)
                {
                    if (k > 0) (_, weights, dWeights) = EnvironmentPoints(structure, centre, neighbours, k);
                    EncodePoints(points, weights, dWeights, values.AsSpan(k * c, c), default);
                }
                result[centre] = new Fingerprint(values, null, n);
                continue;
            }
            var pointGrad = new double[Length * 3 * count];
            for (var k = 0; k < Weightings; k++)
            {
                if (k > 0) (_, weights, dWeights) = EnvironmentPoints(structure, centre, neighbours, k);
                EncodePoints(points, weights, dWeights, values.AsSpan(k * c, c), pointGrad.AsSpan(k * c * 3 * count, c * 3 * count));
            }
            // Displacement d = r_j + shift - r_centre: +g into atom j's columns, -g into the centre's.
            var jac = new double[Length * 3 * n];
            for (var q = 0; q < Length; q++)
            {
                var src = pointGrad.AsSpan(q * 3 * count, 3 * count);
                var dst = jac.AsSpan(q * 3 * n, 3 * n);
                for (var p = 0; p < neighbours.Length; p++)
                {
                    var j = neighbours[p].Index;
                    for (var a = 0; a < 3; a++)
                    {
                        dst[3 * j + a] += src[3 * p + a];
                        dst[3 * centre + a] -= src[3 * p + a];
                    }
                }
            }
            result[centre] = new Fingerprint(values, jac, n);
        }
        return result;
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
            var (points, weights, _) = EnvironmentPoints(structure, centre, list.Of(centre));
            result[centre] = SumMoments(points, weights, absolute);
        }
        return result;
    }

    /// <summary>
    /// The density of one environment: neighbours (then the centre, if included) in unit-ball coordinates,
    /// their weights and the gradient of each weight with respect to the neighbour's displacement.
    /// </summary>
    private (Vec3[] Points, double[] Weights, Vec3[] DWeights) EnvironmentPoints(Structure structure, int centre, ReadOnlySpan<Neighbour> neighbours, int weighting = 0)
    {
        var rc = Settings.Cutoff;
        var count = neighbours.Length + (Settings.IncludeCentre ? 1 : 0);
        if (count == 0)
            throw new InputException($"atom {centre} ({Elements.Symbol(structure.AtomicNumbers[centre])}) has no neighbours within the cutoff {rc} A");
        var points = new Vec3[count];
        var weights = new double[count];
        var dWeights = new Vec3[count];
        for (var p = 0; p < neighbours.Length; p++)
        {
            var nb = neighbours[p];
            var r = nb.Displacement.Norm;
            if (r < CoincidenceTolerance)
                throw new InputException($"atoms {centre} and {nb.Index} are on top of each other (distance {r:G3} A)");
            var s = Settings.WeightOf(structure.AtomicNumbers[nb.Index], weighting);
            points[p] = nb.Displacement / rc;
            if (Settings.SmoothCutoff)
            {
                var (f, df) = CosineCutoff(r, rc);
                weights[p] = s * f;
                dWeights[p] = (s * df / r) * nb.Displacement;
            }
            else weights[p] = s;
        }
        if (Settings.IncludeCentre) weights[count - 1] = Settings.WeightOf(structure.AtomicNumbers[centre], weighting);
        return (points, weights, dWeights);
    }

    /// <summary>The cosine cutoff f(r) = (1 + cos(pi r / rc)) / 2 and df/dr.</summary>
    internal static (double F, double DF) CosineCutoff(double r, double rc) =>
        r >= rc ? (0, 0) : (0.5 * (1 + Math.Cos(Math.PI * r / rc)), -0.5 * Math.PI / rc * Math.Sin(Math.PI * r / rc));

    /// <summary>
    /// Invariants of the density sum_p weights[p] delta(x - points[p]) (unit-ball coordinates) and, when
    /// <paramref name="pointGrad"/> is not empty, dI/d(displacement of point p) in Angstrom (row-major
    /// Length x 3P). <paramref name="dWeights"/> is the gradient of each weight with respect to its
    /// displacement (null: constant weights).
    /// </summary>
    private void EncodePoints(Vec3[] points, double[] weights, Vec3[]? dWeights, Span<double> values, Span<double> pointGrad)
    {
        var m = Basis.Count;
        var count = points.Length;
        var moments = new double[m];
        var z = new double[m];
        if (pointGrad.IsEmpty)
        {
            for (var p = 0; p < count; p++)
            {
                Basis.Evaluate(points[p], z);
                TensorPrimitives.MultiplyAdd(z, weights[p], moments, moments);
            }
            Invariants.Evaluate(moments, values);
            return;
        }

        // dMoments[(3p + a) * m + mu] = d Omega_mu / d(displacement of p along a)
        var dMoments = new double[3 * count * m];
        double[] gx = new double[m], gy = new double[m], gz = new double[m];
        var scale = 1 / Settings.Cutoff;
        for (var p = 0; p < count; p++)
        {
            Basis.Evaluate(points[p], z, gx, gy, gz);
            TensorPrimitives.MultiplyAdd(z, weights[p], moments, moments);
            var dw = dWeights?[p] ?? Vec3.Zero;
            var g = new[] { gx, gy, gz };
            for (var a = 0; a < 3; a++)
            {
                var row = dMoments.AsSpan((3 * p + a) * m, m);
                TensorPrimitives.Multiply(g[a], weights[p] * scale, row);
                if (dw[a] != 0) TensorPrimitives.MultiplyAdd(z, dw[a], row, row);
            }
        }
        var dInvariants = new double[Invariants.Count * m];
        Invariants.Jacobian(moments, values, dInvariants);
        for (var q = 0; q < Invariants.Count; q++)
        {
            var gq = dInvariants.AsSpan(q * m, m);
            for (var c = 0; c < 3 * count; c++)
                pointGrad[q * 3 * count + c] = TensorPrimitives.Dot(gq, dMoments.AsSpan(c * m, m));
        }
    }

    private (Vec3[] Points, double[] Weights) MoleculePoints(Structure molecule)
    {
        CheckPositions(molecule);
        var n = molecule.Count;
        if (n == 0) throw new InputException("the structure has no atoms");
        var centroid = Vec3.Zero;
        foreach (var x in molecule.Positions) centroid += x;
        centroid /= n;
        var points = new Vec3[n];
        var weights = new double[n];
        for (var i = 0; i < n; i++)
        {
            var d = molecule.Positions[i] - centroid;
            if (d.Norm > Settings.Cutoff)
                throw new InputException($"atom {i} is {d.Norm:F3} A from the centroid, outside the molecule radius {Settings.Cutoff} A (set a larger --cutoff)");
            points[i] = d / Settings.Cutoff;
            weights[i] = Settings.WeightOf(molecule.AtomicNumbers[i]);
        }
        CheckCoincident(molecule.Positions);
        return (points, weights);
    }

    private double[] MoleculeWeights(Structure molecule, int weighting) =>
        molecule.AtomicNumbers.Select(z => Settings.WeightOf(z, weighting)).ToArray();

    private static void CheckPositions(Structure s)
    {
        for (var i = 0; i < s.Count; i++)
            if (!s.Positions[i].IsFinite) throw new InputException($"atom {i} has a position that is not a finite number");
    }

    /// <summary>Atoms on top of each other make a density that no longer tells them apart: reject them (sweep along x).</summary>
    private static void CheckCoincident(Vec3[] positions)
    {
        var order = Enumerable.Range(0, positions.Length).OrderBy(i => positions[i].X).ToArray();
        for (var a = 0; a < order.Length; a++)
            for (var b = a + 1; b < order.Length && positions[order[b]].X - positions[order[a]].X < CoincidenceTolerance; b++)
                if ((positions[order[a]] - positions[order[b]]).Norm < CoincidenceTolerance)
                    throw new InputException($"atoms {Math.Min(order[a], order[b])} and {Math.Max(order[a], order[b])} are on top of each other");
    }
}
