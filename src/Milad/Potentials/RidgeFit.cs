using System.Numerics.Tensors;

namespace Milad.Potentials;

/// <summary>One point of the ridge grid with its cross-validated errors.</summary>
/// <param name="EnergyWeight">Weight of the mean squared per-atom energy residual ((eV/atom)^-2) relative to the mean squared force component residual ((eV/A)^-2).</param>
/// <param name="Lambda">Ridge strength relative to the mean diagonal of the weighted Gram matrix.</param>
/// <param name="EnergyRmse">Cross-validated energy RMSE (eV/atom).</param>
/// <param name="ForceRmse">Cross-validated force-component RMSE (eV/A).</param>
/// <param name="EnergyMae">Cross-validated energy MAE (eV/atom).</param>
public sealed record RidgeChoice(double EnergyWeight, double Lambda, double EnergyRmse, double ForceRmse, double EnergyMae);

/// <summary>
/// Weighted ridge least squares on energies and forces together, in closed form from
/// <see cref="NormalEquations"/>: minimise
/// <c>wE / nE sum_frames (dE/N)^2 + 1 / nF sum_components dF^2 + wE wS / nS sum_virial_components (dW/N)^2 + lambda s |c|^2</c>
/// (the virial term only for frames with a reference stress and a stress weight wS &gt; 0; s the mean diagonal,
/// so lambda is scale-free; reference-energy columns are not penalised). The energy weight and lambda
/// are chosen on a grid by k-fold cross-validation over frames, never by the test set: the winner
/// minimises E_rmse / min(E_rmse) + F_rmse / min(F_rmse), i.e. it balances the two relative to the
/// best each can reach on the grid (with the energy MAE in place of the RMSE for the settings search, which
/// compares its candidates by it). The final coefficients are refitted on all folds.
/// </summary>
public static class RidgeFit
{
    /// <summary>The energy weights tried by default.</summary>
    public static readonly double[] DefaultEnergyWeights = [1e1, 1e2, 1e3, 1e4, 1e5];
    /// <summary>The ridge strengths tried (relative to the mean diagonal).</summary>
    public static readonly double[] DefaultLambdas = [1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2];

    // heldOut: a fold left out of the cross-validation and of the final fit (-1: none): the frames the network's
    // early stopping validates on, which its linear baseline must not have seen.
    internal static (double[] Coefficients, RidgeChoice Choice, RidgeChoice[] Grid) Fit(
        NormalEquations ne, bool[] penalised, double[] energyWeights, double[] lambdas, int threads, int heldOut = -1, double stressWeight = 0,
        bool energyByMae = false)
    {
        var folds = ne.Folds;
        var combos = (from w in energyWeights from l in lambdas select (w, l)).ToArray();
        var grid = new RidgeChoice?[combos.Length];
        // One matrix per worker, reused by its solves: a fit with a few thousand columns would otherwise leave a
        // hundred matrices of ~100 MB each to the garbage collector. The training sums of each fold are added
        // into it (n^2 per fold against the factorisation's n^3 / 6) rather than kept: that kept 15 more matrices.
        Parallel.For(0, combos.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, () => new double[ne.Size * ne.Size], (c, _, buffer) =>
        {
            var (w, lambda) = combos[c];
            double sseE = 0, sseF = 0, saeE = 0;
            long nE = 0, nF = 0;
            for (var k = 0; k < folds; k++)
            {
                if (k == heldOut || Rows(ne, 0, k, heldOut) == 0 || Rows(ne, 1, k, heldOut) == 0) continue;
                var coefficients = Solve(ne, k, heldOut, w, stressWeight, lambda, penalised, buffer);
                if (coefficients == null) return buffer;
                sseE += ResidualSquares(ne.Parts[0, k], coefficients);
                foreach (var (row, target) in ne.EnergyRows[k]) saeE += Math.Abs(TensorPrimitives.Dot(row, coefficients) - target);
                sseF += ResidualSquares(ne.Parts[1, k], coefficients);
                nE += ne.Parts[0, k].Rows;
                nF += ne.Parts[1, k].Rows;
            }
            if (nE == 0 || nF == 0) return buffer;
            grid[c] = new RidgeChoice(w, lambda, Math.Sqrt(Math.Max(0, sseE) / nE), Math.Sqrt(Math.Max(0, sseF) / nF), saeE / nE);
            return buffer;
        }, _ => { });
        var valid = grid.Where(g => g != null).Select(g => g!).ToArray();
        if (valid.Length == 0) throw new InputException("the ridge fit failed for every regularisation (too few frames for cross-validation?)");
        double Energy(RidgeChoice g) => energyByMae ? g.EnergyMae : g.EnergyRmse;
        var minE = valid.Min(Energy);
        var minF = valid.Min(g => g.ForceRmse);
        var best = valid.MinBy(g => Energy(g) / Math.Max(minE, 1e-300) + g.ForceRmse / Math.Max(minF, 1e-300))!;
        var final = Solve(ne, heldOut, -1, best.EnergyWeight, stressWeight, best.Lambda, penalised)
            ?? throw new InputException("the final ridge fit is singular");
        return (final, best, valid);
    }

    /// <summary>
    /// Coefficients for one energy weight and lambda from the sums of every fold except <paramref name="exclude"/> and
    /// <paramref name="exclude2"/> (-1: none); null when there are no energy or force rows or the system is not positive definite.
    /// </summary>
    internal static double[]? Solve(NormalEquations ne, int exclude, int exclude2, double energyWeight, double stressWeight,
        double lambda, bool[] penalised, double[]? buffer = null)
    {
        var n = ne.Size;
        var virials = ne.HasVirials && stressWeight > 0;
        long[] rows = [Rows(ne, 0, exclude, exclude2), Rows(ne, 1, exclude, exclude2), virials ? Rows(ne, 2, exclude, exclude2) : 0];
        if (rows[0] == 0 || rows[1] == 0) return null;
        double[] weights = [energyWeight / rows[0], 1.0 / rows[1], rows[2] > 0 ? energyWeight * stressWeight / rows[2] : 0];
        // The lower triangle of A (all the factorisation reads) and b.
        var a = buffer ?? new double[n * n];
        var b = new double[n];
        var first = true;
        for (var kind = 0; kind < NormalEquations.Kinds; kind++)
        {
            if (weights[kind] == 0) continue;
            for (var k = 0; k < ne.Folds; k++)
            {
                if (k == exclude || k == exclude2) continue;
                var part = ne.Parts[kind, k];
                for (var i = 0; i < n; i++)
                {
                    var dst = a.AsSpan(i * n, i + 1);
                    if (first) TensorPrimitives.Multiply(part.Row(i), weights[kind], dst);
                    else TensorPrimitives.MultiplyAdd(part.Row(i), weights[kind], dst, dst);
                }
                TensorPrimitives.MultiplyAdd(part.Rhs, weights[kind], b, b);
                first = false;
            }
        }
        double trace = 0;
        var count = 0;
        for (var i = 0; i < n; i++)
            if (penalised[i]) { trace += a[i * n + i]; count++; }
        var shift = lambda * (count > 0 ? trace / count : 1);
        if (!(shift > 0)) shift = lambda;
        for (var i = 0; i < n; i++)
            if (penalised[i]) a[i * n + i] += shift;
        var x = CholeskySolver.Solve(a, n, b);
        return x != null && x.All(double.IsFinite) ? x : null;
    }

    private static long Rows(NormalEquations ne, int kind, int exclude, int exclude2)
    {
        long rows = 0;
        for (var k = 0; k < ne.Folds; k++)
            if (k != exclude && k != exclude2) rows += ne.Parts[kind, k].Rows;
        return rows;
    }

    /// <summary>|A c - t|^2 = c^T G c - 2 c . h + |t|^2 from one fold's sums (lower-triangular Gram).</summary>
    internal static double ResidualSquares(NormalEquations.Part part, ReadOnlySpan<double> c)
    {
        var n = c.Length;
        double quad = 0;
        for (var i = 0; i < n; i++)
        {
            if (c[i] == 0) continue;
            var row = part.Row(i);
            quad += c[i] * (row[i] * c[i] + 2 * TensorPrimitives.Dot(row[..i], c[..i]));
        }
        return quad - 2 * TensorPrimitives.Dot(part.Rhs, c) + part.TargetNorm;
    }
}
