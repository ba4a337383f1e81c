using System.Runtime.Intrinsics;
using Milad.Moments;

namespace Milad.Fingerprints;

/// <summary>
/// Per-thread buffers of the encoder, reused from one molecule or environment to the next so that
/// encoding allocates nothing but its results. Points are stored as separate coordinate arrays (the batch
/// kernel's layout); point derivatives use <see cref="Stride"/> columns per axis: column a x stride + p.
/// </summary>
internal sealed class EncodingWorkspace
{
    [ThreadStatic] private static EncodingWorkspace? _current;

    /// <summary>Unit-ball coordinates, weights and weight gradients (per Angstrom of displacement) of the points.</summary>
    public double[] X = [], Y = [], Z = [], W = [], DWx = [], DWy = [], DWz = [];

    /// <summary>With a radial map: each point's b = (r / cutoff)^(p - 1) / cutoff and c = b (p - 1) / |x|^2, its Jacobian b I + c x x^T (see Descriptor.MapPointGradients).</summary>
    public double[] MapB = [], MapRadial = [];

    /// <summary>Moments of the current density (Basis.Count).</summary>
    public double[] Moments = [];

    /// <summary>dMoments / d(displacement): Basis.Count rows of 3 stride.</summary>
    public double[] DMoments = [];

    /// <summary>dI / d(displacement): Invariants.Count rows of 3 stride.</summary>
    public double[] PointGrad = [];

    /// <summary>dE/dMoments and dE/d(displacement) of the backward pass of the potentials.</summary>
    public double[] DEdMoments = [], DEdPoints = [];

    /// <summary>Four fingerprints (4 x Length) and dE/dI (Length).</summary>
    public double[] Values = [], DEdI = [];

    /// <summary>Moments of four densities interleaved (moment mu of lane i at [4 mu + i], then four 1s) and their invariants.</summary>
    public Vector256<double>[] Four = [], FourValues = [];

    /// <summary>The backward pass of four environments: dE/dI, dE/dOmega and the moments, lane per environment, per weighting.</summary>
    public Vector256<double>[] FourGradient = [], FourMomentGradient = [], FourMoments = [];

    /// <summary>The coupled products of four densities per weighting (<see cref="Invariants.CoupledInvariants"/>) and their adjoint.</summary>
    public Vector256<double>[] FourProducts = [], FourAdjoint = [];

    /// <summary>For each neighbour, the column of its atom in a local Jacobian.</summary>
    public int[] Columns = [];

    /// <summary>Columns per axis for <paramref name="points"/> points: the count rounded up to the kernel's lanes.</summary>
    public static int Stride(int points) => (points + ZernikeBasis.Lanes - 1) / ZernikeBasis.Lanes * ZernikeBasis.Lanes;

    /// <summary>This thread's workspace, large enough for <paramref name="points"/> points of <paramref name="descriptor"/>.</summary>
    public static EncodingWorkspace For(Descriptor descriptor, int points)
    {
        var ws = _current ??= new EncodingWorkspace();
        var m = descriptor.Basis.Count;
        var stride = Stride(points);
        if (ws.X.Length < stride)
        {
            var capacity = Math.Max(stride, 2 * ws.X.Length);
            ws.X = new double[capacity]; ws.Y = new double[capacity]; ws.Z = new double[capacity]; ws.W = new double[capacity];
            ws.DWx = new double[capacity]; ws.DWy = new double[capacity]; ws.DWz = new double[capacity];
            ws.MapB = new double[capacity]; ws.MapRadial = new double[capacity];
        }
        if (ws.Columns.Length < ws.X.Length) ws.Columns = new int[ws.X.Length];
        var columns = 3 * ws.X.Length;
        if (ws.Moments.Length < m) { ws.Moments = new double[m]; ws.DEdMoments = new double[m]; }
        if (ws.DMoments.Length < m * columns) ws.DMoments = new double[m * columns];
        if (ws.Values.Length < 4 * descriptor.Length) { ws.Values = new double[4 * descriptor.Length]; ws.DEdI = new double[descriptor.Length]; }
        if (ws.Four.Length < m + 1) ws.Four = new Vector256<double>[m + 1];
        if (ws.FourValues.Length < descriptor.Invariants.Count) ws.FourValues = new Vector256<double>[descriptor.Invariants.Count];
        if (ws.FourGradient.Length < descriptor.Length) ws.FourGradient = new Vector256<double>[descriptor.Length];
        if (ws.FourMoments.Length < descriptor.Weightings * (m + 1))
        {
            ws.FourMoments = new Vector256<double>[descriptor.Weightings * (m + 1)];
            ws.FourMomentGradient = new Vector256<double>[descriptor.Weightings * (m + 1)];
        }
        if (ws.PointGrad.Length < descriptor.Invariants.Count * columns) ws.PointGrad = new double[descriptor.Invariants.Count * columns];
        if (ws.DEdPoints.Length < columns) ws.DEdPoints = new double[columns];
        return ws;
    }

    /// <summary>This thread's workspace as <see cref="For"/>, with room for the coupled products of the potentials' kernels.</summary>
    public static EncodingWorkspace WithProducts(Descriptor descriptor, int points)
    {
        var ws = For(descriptor, points);
        var products = descriptor.Invariants.Coupled.ProductLength;
        if (ws.FourProducts.Length < descriptor.Weightings * products)
        {
            ws.FourProducts = new Vector256<double>[descriptor.Weightings * products];
            ws.FourAdjoint = new Vector256<double>[products];
        }
        return ws;
    }
}
