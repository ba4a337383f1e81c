using System.Numerics.Tensors;

namespace Milad.Potentials;

/// <summary>
/// A feed-forward network from K inputs to one output (an atomic energy): hidden layers
/// <c>a_l = tanh(W_l a_(l-1) + b_l)</c>, linear output <c>y = S (w_o . a_L + b_o)</c> with a fixed output scale S
/// (eV: the size of what the network has to learn, so that its weights are of order one). Parameters are one flat
/// array, layer by layer, each layer its row-major weights (outputs x inputs) then its biases.
/// <para>
/// Training on forces needs the derivative of the force loss with respect to the weights, a second
/// derivative of the network. The forces depend on the weights through the input gradient
/// <c>g = dy/dx</c>; for a fixed vector v, <c>d(g . v)/dtheta</c> is the weight gradient of the directional
/// derivative, computed here analytically: a tangent pass carries <c>dot a_l = tanh'(z_l) . W_l dot a_(l-1)</c>
/// from <c>dot a_0 = v</c>, and one reverse pass through both the primal and tangent passes gives
/// <c>d(c y + g . v)/dtheta</c> at once (c the energy term's weight), using tanh'' = -2 tanh tanh'.
/// </para>
/// </summary>
public sealed class NeuralNetwork
{
    private readonly int[] _weightOffset, _biasOffset;

    /// <summary>A network with the given layer sizes (inputs, hidden..., 1) and parameters.</summary>
    public NeuralNetwork(int[] sizes, double[] parameters, double outputScale = 1)
    {
        if (!(outputScale > 0) || !double.IsFinite(outputScale)) throw new ArgumentException("the output scale must be positive");
        OutputScale = outputScale;
        if (sizes.Length < 2 || sizes[^1] != 1 || sizes.Any(s => s < 1)) throw new ArgumentException("sizes must be inputs, hidden..., 1");
        Sizes = sizes;
        _weightOffset = new int[sizes.Length];
        _biasOffset = new int[sizes.Length];
        var offset = 0;
        for (var l = 1; l < sizes.Length; l++)
        {
            _weightOffset[l] = offset;
            offset += sizes[l] * sizes[l - 1];
            _biasOffset[l] = offset;
            offset += sizes[l];
        }
        ParameterCount = offset;
        if (parameters.Length != offset) throw new ArgumentException($"{parameters.Length} parameters for a network that has {offset}");
        Parameters = parameters;
        HiddenWidth = sizes.Skip(1).Take(sizes.Length - 2).Sum();
        MaxWidth = sizes.Max();
    }

    /// <summary>Layer sizes: inputs, hidden layers, 1.</summary>
    public int[] Sizes { get; }

    /// <summary>The parameters (not copied: the trainer updates them in place).</summary>
    public double[] Parameters { get; }

    public int ParameterCount { get; }

    /// <summary>S: the output is S (w_o . a_L + b_o).</summary>
    public double OutputScale { get; }

    public int Inputs => Sizes[0];

    internal int HiddenWidth { get; }

    internal int MaxWidth { get; }

    private int Hidden => Sizes.Length - 2;

    /// <summary>Xavier-uniform hidden weights, small output weights, zero biases, from a seeded generator.</summary>
    public static NeuralNetwork Initialise(int[] sizes, Random random, double outputScale = 1)
    {
        var net = new NeuralNetwork(sizes, new double[CountParameters(sizes)], outputScale);
        for (var l = 1; l < sizes.Length; l++)
        {
            var last = l == sizes.Length - 1;
            var bound = last ? 0.1 / Math.Sqrt(sizes[l - 1]) : Math.Sqrt(6.0 / (sizes[l - 1] + sizes[l]));
            var w = net.Parameters.AsSpan(net._weightOffset[l], sizes[l] * sizes[l - 1]);
            for (var i = 0; i < w.Length; i++) w[i] = bound * (2 * random.NextDouble() - 1);
        }
        return net;
    }

    public static int CountParameters(int[] sizes)
    {
        var n = 0;
        for (var l = 1; l < sizes.Length; l++) n += sizes[l] * sizes[l - 1] + sizes[l];
        return n;
    }

    private ReadOnlySpan<double> Weights(int l) => Parameters.AsSpan(_weightOffset[l], Sizes[l] * Sizes[l - 1]);

    private ReadOnlySpan<double> Bias(int l) => Parameters.AsSpan(_biasOffset[l], Sizes[l]);

    /// <summary>y(x) and, when <paramref name="inputGradient"/> is not empty, dy/dx. Allocation-free; thread-safe.</summary>
    public double Evaluate(ReadOnlySpan<double> x, Span<double> inputGradient)
    {
        Span<double> a = stackalloc double[HiddenWidth];
        Span<double> t = stackalloc double[2 * MaxWidth];
        var y = Forward(x, a);
        if (!inputGradient.IsEmpty) InputGradient(a, t, inputGradient, default);
        return y;
    }

    /// <summary>Primal pass; the hidden activations of every layer are written to <paramref name="a"/> (length HiddenWidth).</summary>
    internal double Forward(ReadOnlySpan<double> x, Span<double> a)
    {
        var input = x;
        var o = 0;
        for (var l = 1; l <= Hidden; l++)
        {
            int nIn = Sizes[l - 1], nOut = Sizes[l];
            var w = Weights(l);
            var b = Bias(l);
            var z = a.Slice(o, nOut);
            for (var r = 0; r < nOut; r++) z[r] = TensorPrimitives.Dot(w.Slice(r * nIn, nIn), input) + b[r];
            TensorPrimitives.Tanh(z, z);
            input = z;
            o += nOut;
        }
        return OutputScale * (TensorPrimitives.Dot(Weights(Sizes.Length - 1), input) + Bias(Sizes.Length - 1)[0]);
    }

    /// <summary>
    /// dy/dx into <paramref name="gradient"/> from the activations of <see cref="Forward"/>; when
    /// <paramref name="deltas"/> is not empty it receives dy/dz_l of every hidden layer (length HiddenWidth).
    /// <paramref name="scratch"/> has length 2 x MaxWidth.
    /// </summary>
    internal void InputGradient(ReadOnlySpan<double> a, Span<double> scratch, Span<double> gradient, Span<double> deltas)
    {
        var t = scratch[..MaxWidth];
        var next = scratch.Slice(MaxWidth, MaxWidth);
        var L = Hidden;
        TensorPrimitives.Multiply(Weights(L + 1), OutputScale, t[..Sizes[L]]);   // dy/da_L = S w_o
        var o = HiddenWidth;
        for (var l = L; l >= 1; l--)
        {
            int nIn = Sizes[l - 1], nOut = Sizes[l];
            o -= nOut;
            var al = a.Slice(o, nOut);
            var tz = t[..nOut];
            for (var r = 0; r < nOut; r++) tz[r] *= 1 - al[r] * al[r];   // dy/dz_l
            if (!deltas.IsEmpty) tz.CopyTo(deltas.Slice(o, nOut));
            var target = l == 1 ? gradient[..nIn] : next[..nIn];
            target.Clear();
            var w = Weights(l);
            for (var r = 0; r < nOut; r++)
                if (tz[r] != 0) TensorPrimitives.MultiplyAdd(w.Slice(r * nIn, nIn), tz[r], target, target);
            if (l > 1) next[..nIn].CopyTo(t);
        }
    }

    /// <summary>
    /// Adds d(c y + g . v)/dtheta to <paramref name="gradient"/> (length ParameterCount) for one input x,
    /// given its activations <paramref name="a"/> and deltas from <see cref="Forward"/> and
    /// <see cref="InputGradient"/>. <paramref name="scratch"/> has length 3 x HiddenWidth + 2 x MaxWidth.
    /// </summary>
    internal void AccumulateGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> a, ReadOnlySpan<double> deltas,
        double c, ReadOnlySpan<double> v, Span<double> scratch, Span<double> gradient)
    {
        var L = Hidden;
        var hw = HiddenWidth;
        var dotZ = scratch[..hw];                 // tangent pre-activations
        var dotA = scratch.Slice(hw, hw);         // tangent activations
        var pz = scratch.Slice(2 * hw, hw);       // adjoints of z_l (primal path)
        var pa = scratch.Slice(3 * hw, MaxWidth); // adjoint of a_l (primal path)
        var tmp = scratch.Slice(3 * hw + MaxWidth, MaxWidth);
        var tangent = !v.IsEmpty;

        // Tangent pass: dot a_0 = v.
        if (tangent)
        {
            var o = 0;
            var input = v;
            for (var l = 1; l <= L; l++)
            {
                int nIn = Sizes[l - 1], nOut = Sizes[l];
                var w = Weights(l);
                for (var r = 0; r < nOut; r++)
                {
                    var zr = TensorPrimitives.Dot(w.Slice(r * nIn, nIn), input);
                    dotZ[o + r] = zr;
                    dotA[o + r] = (1 - a[o + r] * a[o + r]) * zr;
                }
                input = dotA.Slice(o, nOut);
                o += nOut;
            }
        }

        // Output layer: y = S (w_o . a_L + b_o), s = S w_o . dot a_L.
        var last = Sizes.Length - 1;
        var hL = Sizes[L];
        var aL = a.Slice(hw - hL, hL);
        var gwo = gradient.Slice(_weightOffset[last], hL);
        var sc = OutputScale * c;
        TensorPrimitives.MultiplyAdd(aL, sc, gwo, gwo);
        if (tangent) TensorPrimitives.MultiplyAdd(dotA.Slice(hw - hL, hL), OutputScale, gwo, gwo);
        gradient[_biasOffset[last]] += sc;
        TensorPrimitives.Multiply(Weights(last), sc, pa[..hL]);   // adjoint of a_L from c y

        var off = hw;
        for (var l = L; l >= 1; l--)
        {
            int nIn = Sizes[l - 1], nOut = Sizes[l];
            off -= nOut;
            var al = a.Slice(off, nOut);
            var tz = deltas.Slice(off, nOut);     // adjoint of dot z_l = (tangent adjoint of dot a_l) tanh'(z_l)
            var p = pz.Slice(off, nOut);
            for (var r = 0; r < nOut; r++)
            {
                var d = 1 - al[r] * al[r];
                p[r] = pa[r] * d;
                if (tangent) p[r] -= 2 * tz[r] * dotZ[off + r] * al[r];   // T_l dot z_l tanh''(z_l)
            }
            var prevA = l == 1 ? x : a.Slice(off - nIn, nIn);
            var prevDot = l == 1 ? v : dotA.Slice(off - nIn, nIn);
            var gw = gradient.Slice(_weightOffset[l], nOut * nIn);
            var gb = gradient.Slice(_biasOffset[l], nOut);
            for (var r = 0; r < nOut; r++)
            {
                var row = gw.Slice(r * nIn, nIn);
                if (p[r] != 0) TensorPrimitives.MultiplyAdd(prevA, p[r], row, row);
                if (tangent && tz[r] != 0) TensorPrimitives.MultiplyAdd(prevDot, tz[r], row, row);
            }
            TensorPrimitives.Add(gb, p, gb);
            if (l > 1)
            {
                var w = Weights(l);
                var next = tmp[..nIn];
                next.Clear();
                for (var r = 0; r < nOut; r++)
                    if (p[r] != 0) TensorPrimitives.MultiplyAdd(w.Slice(r * nIn, nIn), p[r], next, next);
                next.CopyTo(pa);
            }
        }
    }
}
