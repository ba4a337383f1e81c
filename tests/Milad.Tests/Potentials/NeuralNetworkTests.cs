using Milad.Potentials;
using Xunit.Abstractions;

namespace Milad.Tests.Potentials;

public class NeuralNetworkTests(ITestOutputHelper output)
{
    private static (NeuralNetwork Net, double[] X, double[] V) Random3Layer(int seed)
    {
        var random = new Random(seed);
        var net = NeuralNetwork.Initialise([5, 7, 6, 1], random, outputScale: 0.37);
        // Larger output weights than the initialisation, so every term of the gradient matters.
        for (var i = 0; i < net.Parameters.Length; i++) net.Parameters[i] += 0.3 * (2 * random.NextDouble() - 1);
        var x = Enumerable.Range(0, 5).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var v = Enumerable.Range(0, 5).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        return (net, x, v);
    }

    [Fact]
    public void InputGradientMatchesCentralDifferences()
    {
        var (net, x, _) = Random3Layer(1);
        var g = new double[5];
        net.Evaluate(x, g);
        var worst = 0.0;
        const double h = 1e-5;
        for (var i = 0; i < x.Length; i++)
        {
            var xp = (double[])x.Clone(); xp[i] += h;
            var xm = (double[])x.Clone(); xm[i] -= h;
            var fd = (net.Evaluate(xp, default) - net.Evaluate(xm, default)) / (2 * h);
            worst = Math.Max(worst, Math.Abs(fd - g[i]) / Math.Max(1e-3, Math.Abs(g[i])));
        }
        output.WriteLine($"input gradient: worst relative error {worst:E2}");
        Assert.True(worst < 1e-7, $"worst {worst}");
    }

    /// <summary>
    /// The weight gradient of c y + g . v (g = dy/dx, the second derivative that training on forces needs)
    /// against central differences of the same expression evaluated through <see cref="NeuralNetwork.Evaluate"/>.
    /// </summary>
    [Theory]
    [InlineData(0.7, true)]
    [InlineData(0.0, true)]
    [InlineData(1.3, false)]
    public void WeightGradientOfEnergyAndDirectionalDerivativeMatchesCentralDifferences(double c, bool withTangent)
    {
        var (net, x, v) = Random3Layer(2);
        if (!withTangent) v = [];
        double Objective()
        {
            var g = new double[x.Length];
            var y = net.Evaluate(x, g);
            double s = 0;
            for (var i = 0; i < v.Length; i++) s += g[i] * v[i];
            return c * y + s;
        }
        var a = new double[net.HiddenWidth];
        var deltas = new double[net.HiddenWidth];
        var gradIn = new double[x.Length];
        net.Forward(x, a);
        net.InputGradient(a, new double[2 * net.MaxWidth], gradIn, deltas);
        var gradient = new double[net.ParameterCount];
        net.AccumulateGradient(x, a, deltas, c, v, new double[3 * net.HiddenWidth + 2 * net.MaxWidth], gradient);
        var worst = 0.0;
        const double h = 1e-5;
        for (var p = 0; p < net.ParameterCount; p++)
        {
            var keep = net.Parameters[p];
            net.Parameters[p] = keep + h; var fp = Objective();
            net.Parameters[p] = keep - h; var fm = Objective();
            net.Parameters[p] = keep;
            var fd = (fp - fm) / (2 * h);
            worst = Math.Max(worst, Math.Abs(fd - gradient[p]) / Math.Max(1e-2, Math.Abs(fd)));
        }
        output.WriteLine($"c = {c}, tangent = {withTangent}: worst relative error over {net.ParameterCount} weights {worst:E2}");
        Assert.True(worst < 1e-7, $"worst {worst}");
    }
}
