using System.Numerics.Tensors;
using Milad.Structures;

namespace Milad.Fingerprints;

/// <summary>
/// A model of the energy of one atom from the fingerprint of its environment: returns the energy and
/// writes dE/dI (length F) into <paramref name="gradient"/> when that span is not empty. Must be
/// thread-safe: environments are evaluated on several threads.
/// </summary>
public delegate double AtomEnergyFunction(int atom, ReadOnlySpan<double> fingerprint, Span<double> gradient);

// The descriptor side of the potentials (issue 5): environments with Jacobians restricted to their
// neighbours (for training on forces) and energy + forces + virial by back-propagation (for prediction),
// which never materialises a Jacobian: dE/dI -> dE/dOmega (InvariantSet.VectorJacobianProduct) ->
// dE/d(displacement) from the basis gradients of each neighbour.
public sealed partial class Descriptor
{
    /// <summary>
    /// The environment of every atom (in atom order) with its Jacobian restricted to the atoms it depends on
    /// (<see cref="LocalEnvironment"/>). Same values and derivatives as <see cref="EncodeEnvironments"/>.
    /// </summary>
    public LocalEnvironment[] EncodeLocal(Structure structure)
    {
        CheckPositions(structure);
        var list = NeighbourList.Build(structure, Settings.Cutoff);
        var result = new LocalEnvironment[structure.Count];
        var atomsScratch = new List<int>();
        var m = Basis.Count;
        var moments = new double[m];
        double[] z = new double[m], gx = new double[m], gy = new double[m], gz = new double[m];
        var dInvariants = new double[Length * m];
        double[] dMoments = [], pointGrad = [];
        var scale = 1 / Settings.Cutoff;
        var g = new[] { gx, gy, gz };
        var column = Array.Empty<int>();
        for (var centre = 0; centre < structure.Count; centre++)
        {
            var neighbours = list.Of(centre);
            var (points, weights, dWeights) = EnvironmentPoints(structure, centre, neighbours);
            var count = points.Length;
            var values = new double[Length];
            // As EncodePoints, with the product dI/dOmega x dOmega/dx done by a tiled kernel: it is
            // the dominant cost of training, Length x 3 count x m multiply-adds per environment.
            if (dMoments.Length < 3 * count * m) { dMoments = new double[6 * count * m]; pointGrad = new double[6 * count * Length]; }
            moments.AsSpan().Clear();
            for (var p = 0; p < count; p++)
            {
                Basis.Evaluate(points[p], z, gx, gy, gz);
                TensorPrimitives.MultiplyAdd(z, weights[p], moments, moments);
                var dw = dWeights[p];
                for (var a = 0; a < 3; a++)
                {
                    var row = dMoments.AsSpan((3 * p + a) * m, m);
                    TensorPrimitives.Multiply(g[a], weights[p] * scale, row);
                    if (dw[a] != 0) TensorPrimitives.MultiplyAdd(z, dw[a], row, row);
                }
            }
            Invariants.Jacobian(moments, values, dInvariants);
            DotProductKernel.MultiplyTransposed(dInvariants, Length, dMoments, 3 * count, m, pointGrad);

            // Distinct atoms: neighbours come sorted by index (images of one atom are consecutive).
            atomsScratch.Clear();
            if (column.Length < neighbours.Length) column = new int[2 * neighbours.Length];
            var centreInserted = false;
            for (var p = 0; p < neighbours.Length; p++)
            {
                var j = neighbours[p].Index;
                if (!centreInserted && centre < j) { atomsScratch.Add(centre); centreInserted = true; }
                if (j == centre) centreInserted = true;   // an image of the centre itself
                if (atomsScratch.Count == 0 || atomsScratch[^1] != j) atomsScratch.Add(j);
                column[p] = atomsScratch.Count - 1;
            }
            if (!centreInserted && (atomsScratch.Count == 0 || atomsScratch[^1] != centre)) atomsScratch.Add(centre);
            var atoms = atomsScratch.ToArray();
            var centreColumn = Array.BinarySearch(atoms, centre);
            var k = atoms.Length;
            var jac = new double[Length * 3 * k];
            for (var q = 0; q < Length; q++)
            {
                var src = pointGrad.AsSpan(q * 3 * count, 3 * count);
                var dst = jac.AsSpan(q * 3 * k, 3 * k);
                for (var p = 0; p < neighbours.Length; p++)
                    for (var a = 0; a < 3; a++)
                    {
                        dst[3 * column[p] + a] += src[3 * p + a];
                        dst[3 * centreColumn + a] -= src[3 * p + a];
                    }
            }
            result[centre] = new LocalEnvironment(values, atoms, jac);
        }
        return result;
    }

    /// <summary>
    /// Total energy sum_i model(I_i) of a structure in environments mode, without derivatives (the baseline
    /// that <see cref="EnvironmentEnergyAndForces"/> is measured against).
    /// </summary>
    public double EnvironmentEnergy(Structure structure, AtomEnergyFunction model)
    {
        CheckPositions(structure);
        var list = NeighbourList.Build(structure, Settings.Cutoff);
        var n = structure.Count;
        var partial = new double[n];
        var m = Basis.Count;
        Parallel.For(0, n, ParallelOptionsFor(n), () => new double[2 * m + Length], (centre, _, scratch) =>
        {
            var (points, weights, _) = EnvironmentPoints(structure, centre, list.Of(centre));
            var moments = scratch.AsSpan(0, m);
            var zb = scratch.AsSpan(m, m);
            var values = scratch.AsSpan(2 * m, Length);
            moments.Clear();
            for (var p = 0; p < points.Length; p++)
            {
                Basis.Evaluate(points[p], zb);
                TensorPrimitives.MultiplyAdd(zb, weights[p], moments, moments);
            }
            Invariants.Evaluate(moments, values);
            partial[centre] = model(centre, values, default);
            return scratch;
        }, _ => { });
        double e = 0;
        foreach (var x in partial) e += x;
        return e;
    }

    /// <summary>
    /// Total energy sum_i model(I_i), the forces -dE/dx on every atom (periodic images included) and the
    /// virial sum over neighbour displacements d of d (x) dE/dd (row-major 3 x 3, eV; divide by the cell
    /// volume for the ASE stress), by back-propagating dE/dI through the moments: no Jacobian is formed.
    /// </summary>
    public double EnvironmentEnergyAndForces(Structure structure, AtomEnergyFunction model, Span<Vec3> forces, Span<double> virial)
    {
        CheckPositions(structure);
        var list = NeighbourList.Build(structure, Settings.Cutoff);
        var n = structure.Count;
        if (forces.Length < n) throw new ArgumentException($"forces has room for {forces.Length} atoms, need {n}");
        var energies = new double[n];
        // A fixed split of the atoms into chunks, each with its own force and virial sums, added in chunk order:
        // the result does not depend on the number of threads or their timing (bit-for-bit reproducible).
        var chunks = Math.Min(n, n < 16 ? 1 : BackpropChunks);
        var scratches = new BackwardScratch[chunks];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, chunk =>
        {
            var s = scratches[chunk] = new BackwardScratch(this, n);
            for (var centre = chunk * n / chunks; centre < (chunk + 1) * n / chunks; centre++)
            {
                var neighbours = list.Of(centre);
                var (points, weights, dWeights) = EnvironmentPoints(structure, centre, neighbours);
                var m = Basis.Count;
                s.Ensure(points.Length);
                var moments = s.Moments.AsSpan();
                moments.Clear();
                for (var p = 0; p < points.Length; p++)
                {
                    Basis.Evaluate(points[p], s.Z.AsSpan(p * m, m), s.Gx.AsSpan(p * m, m), s.Gy.AsSpan(p * m, m), s.Gz.AsSpan(p * m, m));
                    TensorPrimitives.MultiplyAdd(s.Z.AsSpan(p * m, m), weights[p], moments, moments);
                }
                Invariants.Evaluate(moments, s.Values);
                energies[centre] = model(centre, s.Values, s.DEdI);
                Invariants.VectorJacobianProduct(moments, s.DEdI, s.DEdMoments);
                var scale = 1 / Settings.Cutoff;
                // Only the neighbours move; the centre, when part of the density, sits at the origin.
                for (var p = 0; p < neighbours.Length; p++)
                {
                    var g = s.DEdMoments.AsSpan();
                    var dz = TensorPrimitives.Dot(g, s.Z.AsSpan(p * m, m));
                    var wp = weights[p] * scale;
                    var dw = dWeights[p];
                    var grad = new Vec3(
                        wp * TensorPrimitives.Dot(g, s.Gx.AsSpan(p * m, m)) + dw.X * dz,
                        wp * TensorPrimitives.Dot(g, s.Gy.AsSpan(p * m, m)) + dw.Y * dz,
                        wp * TensorPrimitives.Dot(g, s.Gz.AsSpan(p * m, m)) + dw.Z * dz);
                    var j = neighbours[p].Index;
                    // d = r_j + shift - r_centre: F_j = -dE/dd, F_centre = +dE/dd.
                    s.Forces[3 * j] -= grad.X; s.Forces[3 * j + 1] -= grad.Y; s.Forces[3 * j + 2] -= grad.Z;
                    s.Forces[3 * centre] += grad.X; s.Forces[3 * centre + 1] += grad.Y; s.Forces[3 * centre + 2] += grad.Z;
                    var d = neighbours[p].Displacement;
                    for (var a = 0; a < 3; a++)
                    {
                        s.Virial[3 * a] += d[a] * grad.X;
                        s.Virial[3 * a + 1] += d[a] * grad.Y;
                        s.Virial[3 * a + 2] += d[a] * grad.Z;
                    }
                }
            }
        });
        var total = new double[3 * n + 9];
        foreach (var s in scratches)
        {
            TensorPrimitives.Add(total.AsSpan(0, 3 * n), s.Forces, total.AsSpan(0, 3 * n));
            TensorPrimitives.Add(total.AsSpan(3 * n, 9), s.Virial, total.AsSpan(3 * n, 9));
        }
        for (var i = 0; i < n; i++) forces[i] = new Vec3(total[3 * i], total[3 * i + 1], total[3 * i + 2]);
        total.AsSpan(3 * n, 9).CopyTo(virial);
        double e = 0;
        foreach (var x in energies) e += x;
        return e;
    }

    /// <summary>Chunks of atoms in the backward pass (fixed, so results do not depend on the thread count).</summary>
    private const int BackpropChunks = 4;

    // Small frames are not worth a second thread.
    private static ParallelOptions ParallelOptionsFor(int atoms) =>
        new() { MaxDegreeOfParallelism = atoms < 16 ? 1 : Environment.ProcessorCount };

    /// <summary>Per-thread buffers of the backward pass, reused across environments.</summary>
    private sealed class BackwardScratch(Descriptor d, int atoms)
    {
        public double[] Z = [], Gx = [], Gy = [], Gz = [];
        public readonly double[] Moments = new double[d.Basis.Count];
        public readonly double[] Values = new double[d.Length];
        public readonly double[] DEdI = new double[d.Length];
        public readonly double[] DEdMoments = new double[d.Basis.Count];
        public readonly double[] Forces = new double[3 * atoms];
        public readonly double[] Virial = new double[9];

        public void Ensure(int points)
        {
            var size = points * d.Basis.Count;
            if (Z.Length >= size) return;
            Z = new double[2 * size]; Gx = new double[2 * size]; Gy = new double[2 * size]; Gz = new double[2 * size];
        }
    }
}
