using System.Collections.Concurrent;
using Milad.Decoding;

namespace Milad.Cli;

/// <summary>
/// Runs one piece of decoding work per molecule on several threads and returns the results in input order.
/// </summary>
/// <remarks>
/// Each thread gets its own <see cref="Decoder"/> (from a pool, so at most one per thread is built): the
/// decoder's work buffers are not documented as thread-safe. Molecules are handed out one at a time, so a
/// slow molecule does not hold back a chunk of others. An exception from one molecule's work becomes that
/// molecule's result through <paramref name="onError"/> instead of ending the run, so one decoder bug does
/// not throw away hours of results; the caller reports it.
/// </remarks>
internal static class ParallelDecoding
{
    public static T[] Run<T>(Decoder first, int count, int threads, Func<Decoder, int, T> work, Func<int, Exception, double, T> onError, string label)
    {
        var results = new T[count];
        var pool = new ConcurrentBag<Decoder> { first };
        var done = 0;
        var gate = new Lock();
        using var progress = new ProgressLine(label);
        var partitions = System.Collections.Concurrent.Partitioner.Create(Enumerable.Range(0, count), EnumerablePartitionerOptions.NoBuffering);
        Parallel.ForEach(partitions, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
        {
            if (!pool.TryTake(out var decoder)) decoder = new Decoder(first.Settings);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                results[i] = work(decoder, i);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                results[i] = onError(i, e, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
            finally
            {
                pool.Add(decoder);
            }
            lock (gate) progress.Report(++done, count);
        });
        return results;
    }
}
