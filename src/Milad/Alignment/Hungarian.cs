namespace Milad.Alignment;

/// <summary>
/// Minimum-cost perfect matching of an n x n cost matrix (the assignment problem), exact, in O(n^3):
/// Kuhn-Munkres with dual potentials, adding one row at a time along a shortest augmenting path
/// (Dijkstra on reduced costs, as in Jonker and Volgenant 1987).
/// </summary>
public static class Hungarian
{
    /// <summary>
    /// The assignment minimising <c>sum_i cost[i, assignment[i]]</c>.
    /// A cost of +infinity forbids that pairing.
    /// </summary>
    /// <returns>For each row i, its column assignment[i] (a permutation of 0..n-1).</returns>
    /// <exception cref="ArgumentException">The matrix is not square or holds NaN or -infinity.</exception>
    /// <exception cref="InvalidOperationException">Every perfect matching uses a forbidden pairing.</exception>
    public static int[] Solve(double[,] cost)
    {
        int n = cost.GetLength(0);
        if (cost.GetLength(1) != n) throw new ArgumentException($"cost matrix is {n} x {cost.GetLength(1)}, not square");
        var flat = new double[n * n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
            {
                var c = cost[i, j];
                if (double.IsNaN(c) || double.IsNegativeInfinity(c))
                    throw new ArgumentException($"cost[{i}, {j}] is {c}");
                flat[i * n + j] = c;
            }
        var assignment = new int[n];
        if (!Solve(flat, n, assignment))
            throw new InvalidOperationException("no assignment avoids the forbidden (+infinity) pairings");
        return assignment;
    }

    /// <summary>
    /// The same on a row-major n x n matrix without argument checks; false when no finite matching exists.
    /// </summary>
    internal static bool Solve(ReadOnlySpan<double> cost, int n, Span<int> assignment)
    {
        // 1-based columns with column 0 a virtual start: rowOf[j] is the row matched to column j (0 = none),
        // u and v are row and column potentials keeping every reduced cost c - u - v >= 0.
        Span<double> u = n <= 64 ? stackalloc double[n + 1] : new double[n + 1];
        Span<double> v = n <= 64 ? stackalloc double[n + 1] : new double[n + 1];
        Span<double> minReduced = n <= 64 ? stackalloc double[n + 1] : new double[n + 1];
        Span<int> rowOf = n <= 64 ? stackalloc int[n + 1] : new int[n + 1];
        Span<int> previous = n <= 64 ? stackalloc int[n + 1] : new int[n + 1];
        Span<bool> inTree = n <= 64 ? stackalloc bool[n + 1] : new bool[n + 1];
        u.Clear(); v.Clear(); rowOf.Clear();

        for (var row = 1; row <= n; row++)
        {
            rowOf[0] = row;
            var j0 = 0;
            minReduced.Fill(double.PositiveInfinity);
            inTree.Clear();
            do
            {
                inTree[j0] = true;
                var i0 = rowOf[j0];
                var rowCost = cost.Slice((i0 - 1) * n, n);
                var delta = double.PositiveInfinity;
                var j1 = -1;
                for (var j = 1; j <= n; j++)
                {
                    if (inTree[j]) continue;
                    var reduced = rowCost[j - 1] - u[i0] - v[j];
                    if (reduced < minReduced[j]) { minReduced[j] = reduced; previous[j] = j0; }
                    if (minReduced[j] < delta) { delta = minReduced[j]; j1 = j; }
                }
                // Hall's condition fails: the rows in the tree reach no free column at finite cost.
                if (j1 < 0 || double.IsPositiveInfinity(delta)) return false;
                for (var j = 0; j <= n; j++)
                {
                    if (inTree[j]) { u[rowOf[j]] += delta; v[j] -= delta; }
                    else minReduced[j] -= delta;
                }
                j0 = j1;
            } while (rowOf[j0] != 0);

            // Flip the matched and unmatched edges along the path back to the virtual column.
            do
            {
                var j1 = previous[j0];
                rowOf[j0] = rowOf[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        for (var j = 1; j <= n; j++) assignment[rowOf[j] - 1] = j - 1;
        return true;
    }
}
