using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using Milad.Invariants;
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
    /// The energy and force paths evaluate the invariants term by term (<see cref="InvariantSet.EvaluateFour"/> and
    /// <see cref="InvariantSet.VectorJacobianProductFour"/>) instead of through coupled products: the earlier kernels,
    /// kept as the reference the tests pin the fast path against.
    /// </summary>
    internal bool TermKernels { get; set; }

    /// <summary>
    /// The environment of every atom (in atom order) with its Jacobian restricted to the atoms it depends on
    /// (<see cref="LocalEnvironment"/>). Same values and derivatives as <see cref="EncodeEnvironments(Structure, bool)"/>.
    /// With <paramref name="withVirial"/> also each invariant's virial, sum over neighbour displacements d of
    /// d (x) dI/dd: its derivative with respect to a homogeneous strain of the cell and atoms (training on stress).
    /// </summary>
    public LocalEnvironment[] EncodeLocal(Structure structure, bool withVirial = false)
    {
        var list = BuildNeighbourList(structure);
        var result = new LocalEnvironment[structure.Count];
        var c = Invariants.Count;
        ForEach(structure.Count, structure.Count, centre =>
        {
            var neighbours = list.Of(centre);
            var ws = EncodingWorkspace.For(this, neighbours.Length + 1);
            var (atoms, centreColumn) = DistinctAtoms(centre, neighbours, ws.Columns);
            var k = atoms.Length;
            var values = new double[Length];
            var jac = new double[Length * 3 * k];
            var virial = withVirial ? new double[Length * 9] : null;
            for (var weighting = 0; weighting < Weightings; weighting++)
            {
                var stride = EncodePoints(ws, LoadEnvironment(structure.AtomicNumbers, centre, neighbours, ws, weighting), values.AsSpan(weighting * c, c), true);
                AddToAtomColumns(ws, stride, neighbours.Length, centreColumn, jac.AsSpan(weighting * c * 3 * k, c * 3 * k), k);
                if (virial != null) AddVirial(ws, stride, neighbours, virial.AsSpan(weighting * c * 9, c * 9));
            }
            result[centre] = new LocalEnvironment(values, atoms, jac, virial);
        });
        return result;
    }

    /// <summary>virial[9 q + 3 a + b] += sum over neighbours p of d_p,a dI_q/dd_p,b (the centre's own point does not move with strain).</summary>
    private void AddVirial(EncodingWorkspace ws, int stride, ReadOnlySpan<Neighbour> neighbours, Span<double> virial)
    {
        for (var q = 0; q < Invariants.Count; q++)
        {
            var src = ws.PointGrad.AsSpan(q * 3 * stride, 3 * stride);
            var dst = virial.Slice(9 * q, 9);
            for (var p = 0; p < neighbours.Length; p++)
            {
                var d = neighbours[p].Displacement;
                double gx = src[p], gy = src[stride + p], gz = src[2 * stride + p];
                dst[0] += d.X * gx; dst[1] += d.X * gy; dst[2] += d.X * gz;
                dst[3] += d.Y * gx; dst[4] += d.Y * gy; dst[5] += d.Y * gz;
                dst[6] += d.Z * gx; dst[7] += d.Z * gy; dst[8] += d.Z * gz;
            }
        }
    }

    /// <summary>
    /// The distinct atoms of an environment, ascending, the centre among them, and in
    /// <paramref name="columns"/>[p] the position of neighbour p's atom (neighbours come sorted by index,
    /// the images of one atom consecutive).
    /// </summary>
    private static (int[] Atoms, int CentreColumn) DistinctAtoms(int centre, ReadOnlySpan<Neighbour> neighbours, int[] columns)
    {
        var count = 0;
        int previous = -1;
        var centreSeen = false;
        for (var p = 0; p < neighbours.Length; p++)
        {
            var j = neighbours[p].Index;
            if (!centreSeen && centre <= j) { centreSeen = true; if (centre < j) count++; }
            if (j != previous) { count++; previous = j; }
        }
        if (!centreSeen) count++;
        var atoms = new int[count];
        var next = 0;
        previous = -1;
        centreSeen = false;
        for (var p = 0; p < neighbours.Length; p++)
        {
            var j = neighbours[p].Index;
            if (!centreSeen && centre <= j) { centreSeen = true; if (centre < j) atoms[next++] = centre; }
            if (j != previous) { atoms[next++] = j; previous = j; }
            columns[p] = next - 1;
        }
        if (!centreSeen) atoms[next] = centre;
        return (atoms, Array.BinarySearch(atoms, centre));
    }

    /// <summary>
    /// Total energy sum_i model(I_i) of a structure in environments mode, without derivatives (the baseline
    /// that <see cref="EnvironmentEnergyAndForces"/> is measured against).
    /// </summary>
    public double EnvironmentEnergy(Structure structure, AtomEnergyFunction model)
    {
        var list = BuildNeighbourList(structure);
        var n = structure.Count;
        var partial = new double[n];
        var c = Invariants.Count;
        ForEach((n + 3) / 4, n, group =>
        {
            var ws = TermKernels ? EncodingWorkspace.For(this, 1) : EncodingWorkspace.WithProducts(this, 1);
            EncodeEnvironmentGroup(structure.AtomicNumbers, list, 4 * group, Math.Min(4, n - 4 * group), ws.Values,
                products: TermKernels ? default : ws.FourProducts);
            for (var centre = 4 * group; centre < Math.Min(n, 4 * group + 4); centre++)
                partial[centre] = model(centre, ws.Values.AsSpan((centre - 4 * group) * Length, Length), default);
        });
        double e = 0;
        foreach (var x in partial) e += x;
        return e;
    }

    /// <summary>
    /// Total energy sum_i model(I_i), the forces -dE/dx on every atom (periodic images included) and the
    /// virial sum over neighbour displacements d of d (x) dE/dd (row-major 3 x 3, eV; divide by the cell
    /// volume for the ASE stress), by back-propagating dE/dI through the moments: no Jacobian is formed.
    /// <paramref name="atomEnergies"/>, when not empty, receives model(I_i) of every atom.
    /// </summary>
    public double EnvironmentEnergyAndForces(Structure structure, AtomEnergyFunction model, Span<Vec3> forces, Span<double> virial,
        Span<double> atomEnergies = default)
    {
        var list = BuildNeighbourList(structure);
        var n = structure.Count;
        if (forces.Length < n) throw new ArgumentException($"forces has room for {forces.Length} atoms, need {n}");
        var energies = new double[n];
        // Groups of four atoms (the four lanes of the invariant kernels) on the threads keep each neighbour's
        // dE/d(displacement); one pass in atom order then adds them into forces and virial, so the result does not
        // depend on the number or timing of the threads (bit-for-bit reproducible) and the memory is linear in the atoms.
        var dEdd = new double[3 * list.Offset(n)];
        ForEach((n + 3) / 4, n, group =>
            GroupEnergyAndGradients(structure.AtomicNumbers, list, group, model, energies, (centre, neighbours, dEdPoints, stride) =>
            {
                var at = 3 * list.Offset(centre);
                for (var p = 0; p < neighbours.Length; p++, at += 3)
                    (dEdd[at], dEdd[at + 1], dEdd[at + 2]) = (dEdPoints[p], dEdPoints[stride + p], dEdPoints[2 * stride + p]);
            }));
        var total = new double[3 * n + 9];
        for (var centre = 0; centre < n; centre++)
            AddForces(n, centre, list.Of(centre), dEdd.AsSpan(3 * list.Offset(centre)), total);
        for (var i = 0; i < n; i++) forces[i] = new Vec3(total[3 * i], total[3 * i + 1], total[3 * i + 2]);
        total.AsSpan(3 * n, 9).CopyTo(virial);
        if (!atomEnergies.IsEmpty) energies.CopyTo(atomEnergies);
        double e = 0;
        foreach (var x in energies) e += x;
        return e;
    }

    /// <summary>dE/d(displacement) of the neighbours of one environment (columns a x stride + p), handed on by <see cref="GroupEnergyAndGradients"/>.</summary>
    private delegate void PointGradients(int centre, ReadOnlySpan<Neighbour> neighbours, ReadOnlySpan<double> dEdPoints, int stride);

    /// <summary>
    /// Forward and backward pass of the environments of atoms 4 group .. 4 group + 3 (the centres of
    /// <paramref name="list"/>; <paramref name="numbers"/> gives the atomic number of every index the list names):
    /// energies[centre] = model(I_centre), and <paramref name="gradients"/> receives each environment's dE/d(displacement).
    /// </summary>
    private void GroupEnergyAndGradients(int[] numbers, NeighbourList list, int group, AtomEnergyFunction model, double[] energies, PointGradients gradients)
    {
        var n = list.AtomCount;
        var c = Invariants.Count;
        var m = Basis.Count;
        var (first, lanes) = (4 * group, Math.Min(4, n - 4 * group));
        var ws = TermKernels ? EncodingWorkspace.For(this, 1) : EncodingWorkspace.WithProducts(this, 1);
        var (dEdI, dEdMoments, fourMoments, products) = (ws.FourGradient, ws.FourMomentGradient, ws.FourMoments, ws.FourProducts);
        var coupled = TermKernels ? null : Invariants.Coupled;
        // Forward as EnvironmentEnergy, keeping each weighting's interleaved moments (and coupled products) for the backward pass.
        EncodeEnvironmentGroup(numbers, list, first, lanes, ws.Values, fourMoments, coupled == null ? default : products);
        dEdI.AsSpan(0, Length).Clear();
        for (var lane = 0; lane < lanes; lane++)
        {
            var centre = first + lane;
            var gradient = ws.DEdI.AsSpan(0, Length);
            gradient.Clear(); // a model may write only the entries it depends on
            energies[centre] = model(centre, ws.Values.AsSpan(lane * Length, Length), gradient);
            ToLane(gradient, dEdI, lane);
        }
        // dE/dOmega for four environments at once, then per environment dE/d(displacement) =
        // dE/dOmega x dOmega/d(displacement), contracted inside the basis kernel (ZernikeBasis.PullBack).
        for (var k = 0; k < Weightings; k++)
        {
            if (coupled == null)
                Invariants.VectorJacobianProductFour(fourMoments.AsSpan(k * (m + 1), m + 1), dEdI.AsSpan(k * c, c), dEdMoments.AsSpan(k * (m + 1), m + 1));
            else
                coupled.VectorJacobianProductFour(fourMoments.AsSpan(k * (m + 1), m + 1), products.AsSpan(k * coupled.ProductLength, coupled.ProductLength),
                    dEdI.AsSpan(k * c, c), dEdMoments.AsSpan(k * (m + 1), m + 1), ws.FourAdjoint);
        }
        for (var lane = 0; lane < lanes; lane++)
        {
            var centre = first + lane;
            var neighbours = list.Of(centre);
            ws = EncodingWorkspace.For(this, neighbours.Length + 1);
            var stride = EncodingWorkspace.Stride(neighbours.Length + 1);
            var dEdPoints = ws.DEdPoints.AsSpan(0, 3 * stride);
            dEdPoints.Clear();
            for (var k = 0; k < Weightings; k++)
            {
                var count = LoadEnvironment(numbers, centre, neighbours, ws, k);
                FromLane(dEdMoments.AsSpan(k * (m + 1), m), lane, ws.DEdMoments.AsSpan(0, m));
                Basis.PullBack(ws.X.AsSpan(0, count), ws.Y.AsSpan(0, count), ws.Z.AsSpan(0, count), ws.W.AsSpan(0, count),
                    ws.DWx.AsSpan(0, count), ws.DWy.AsSpan(0, count), ws.DWz.AsSpan(0, count), KernelScale,
                    ws.DEdMoments, dEdPoints, stride);
            }
            if (RadialMap) MapPointGradients(ws, dEdPoints, 1, neighbours.Length, stride);
            gradients(centre, neighbours, dEdPoints, stride);
        }
    }

    /// <summary>
    /// Energies and gradients of local environments given as displacements, for an engine that owns the neighbour
    /// list: site s has centre species <paramref name="centreNumbers"/>[s] and <paramref name="counts"/>[s] neighbours,
    /// consecutive in <paramref name="neighbourNumbers"/> and <paramref name="displacements"/> (3 numbers each,
    /// r_neighbour - r_centre, Angstrom). siteEnergies[s] = model(I_s); <paramref name="gradients"/> (3 per neighbour)
    /// receives dE_s/d(displacement). Neighbours at or beyond the cutoff (|d|^2 &gt;= cutoff^2, the neighbour list's
    /// test) are ignored and get a zero gradient. Same kernels as <see cref="EnvironmentEnergyAndForces"/>: with the
    /// neighbours in the neighbour list's order the site energies are those of the structure, bit for bit.
    /// </summary>
    public void SiteEnergies(ReadOnlySpan<int> centreNumbers, ReadOnlySpan<long> counts, ReadOnlySpan<int> neighbourNumbers,
        ReadOnlySpan<double> displacements, AtomEnergyFunction model, Span<double> siteEnergies, Span<double> gradients)
    {
        var sites = centreNumbers.Length;
        long total = 0;
        foreach (var k in counts)
        {
            if (k < 0) throw new InputException($"a site has a negative number of neighbours ({k})");
            total += k;
        }
        if (counts.Length != sites || neighbourNumbers.Length != total || displacements.Length != 3 * total || siteEnergies.Length < sites
            || gradients.Length < 3 * total || total > int.MaxValue - sites)
            throw new ArgumentException("site arrays do not match the neighbour counts");
        // The sites as a neighbour list over "atoms" 0 .. sites - 1 (the centres) and sites + j (neighbour j of all).
        var numbers = new int[sites + total];
        centreNumbers.CopyTo(numbers);
        neighbourNumbers.CopyTo(numbers.AsSpan(sites));
        var offsets = new int[sites + 1];
        var kept = new List<Neighbour>();
        var rc2 = Settings.Cutoff * Settings.Cutoff;
        var at = 0;
        for (var s = 0; s < sites; s++)
        {
            for (var p = 0; p < counts[s]; p++, at++)
            {
                var d = new Vec3(displacements[3 * at], displacements[3 * at + 1], displacements[3 * at + 2]);
                if (!d.IsFinite) throw new InputException($"site {s}: neighbour {p} has a displacement that is not a finite number");
                if (d.Norm2 >= rc2) continue;
                if (d.Norm < CoincidenceTolerance)
                    throw new InputException($"site {s}: neighbour {p} is on top of the centre (distance {d.Norm:G3} A)");
                kept.Add(new Neighbour(sites + at, d, 0, 0, 0));
            }
            offsets[s + 1] = kept.Count;
            if (offsets[s + 1] == offsets[s] && !Settings.IncludeCentre)
                throw new InputException($"site {s} ({Elements.Symbol(numbers[s])}) has no neighbours within the cutoff {Settings.Cutoff} A");
        }
        var list = NeighbourList.FromGroups(Settings.Cutoff, offsets, kept.ToArray());
        var energies = new double[sites];
        gradients[..(int)(3 * total)].Clear();
        var result = new double[3 * total];
        ForEach((sites + 3) / 4, sites, group =>
            GroupEnergyAndGradients(numbers, list, group, model, energies, (centre, neighbours, dEdPoints, stride) =>
            {
                for (var p = 0; p < neighbours.Length; p++)
                {
                    var j = neighbours[p].Index - sites;
                    (result[3 * j], result[3 * j + 1], result[3 * j + 2]) = (dEdPoints[p], dEdPoints[stride + p], dEdPoints[2 * stride + p]);
                }
            }));
        result.CopyTo(gradients);
        energies.CopyTo(siteEnergies);
    }

    /// <summary>
    /// Adds -dE/dx of one environment to <paramref name="sum"/> (3 x <paramref name="n"/> forces, then the 3 x 3 virial)
    /// from dE/d(displacement) of its neighbours (three numbers per neighbour).
    /// </summary>
    private static void AddForces(int n, int centre, ReadOnlySpan<Neighbour> neighbours, ReadOnlySpan<double> dEdd, double[] sum)
    {
        // Only the neighbours move; the centre, when part of the density, sits at the origin.
        for (var p = 0; p < neighbours.Length; p++)
        {
            var grad = new Vec3(dEdd[3 * p], dEdd[3 * p + 1], dEdd[3 * p + 2]);
            var j = neighbours[p].Index;
            // d = r_j + shift - r_centre: F_j = -dE/dd, F_centre = +dE/dd.
            sum[3 * j] -= grad.X; sum[3 * j + 1] -= grad.Y; sum[3 * j + 2] -= grad.Z;
            sum[3 * centre] += grad.X; sum[3 * centre + 1] += grad.Y; sum[3 * centre + 2] += grad.Z;
            var d = neighbours[p].Displacement;
            for (var a = 0; a < 3; a++)
            {
                sum[3 * n + 3 * a] += d[a] * grad.X;
                sum[3 * n + 3 * a + 1] += d[a] * grad.Y;
                sum[3 * n + 3 * a + 2] += d[a] * grad.Z;
            }
        }
    }

    /// <summary>
    /// body(0 .. count - 1) for a structure of <paramref name="atoms"/> atoms, on up to <see cref="MaxThreads"/> threads.
    /// Small frames are not worth a second thread; with one thread a plain loop, since Parallel.For still
    /// schedules, allocates and (on a busy pool) waits for its single worker.
    /// </summary>
    private void ForEach(int count, int atoms, Action<int> body)
    {
        var threads = atoms < 16 ? 1 : MaxThreads;
        if (threads == 1 || count == 1)
        {
            for (var i = 0; i < count; i++) body(i);
            return;
        }
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, body);
    }
}
