using System.Runtime.ExceptionServices;

namespace Milad.Cli;

/// <summary>
/// Maps a lazy sequence on several threads and consumes the results in input order, with constant memory:
/// read a batch, map it in parallel, consume it in order, repeat. With more than one thread the next batch
/// is read while the current one is mapped (reading is serial, so it would otherwise idle the workers). At
/// most two batches are in memory, and the output cannot depend on the number of threads.
/// </summary>
/// <remarks>
/// Errors come out as a serial loop would raise them: the first item (in input order) whose map threw
/// ends the run after every earlier item was consumed, and a read error after the items read before it.
/// </remarks>
internal static class OrderedPipeline
{
    private sealed record Batch<T>(List<T> Items, ExceptionDispatchInfo? ReadError);

    public static void Run<TIn, TOut>(IEnumerable<TIn> items, int threads, int batchSize,
        Func<TIn, TOut> map, Action<TIn, TOut> consume, Func<TIn, Exception, Exception>? wrapError = null)
    {
        var results = new TOut[batchSize];
        var errors = new Exception?[batchSize];
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        using var e = items.GetEnumerator();
        var current = Read(e, batchSize);
        while (true)
        {
            var more = current.Items.Count == batchSize && current.ReadError == null;
            // The enumerator is used by one thread at a time: this task, then (after Wait) the loop again.
            var ahead = more && threads > 1 ? Task.Run(() => Read(e, batchSize)) : null;
            try
            {
                var batch = current.Items;
                void Map(int k)
                {
                    try { results[k] = map(batch[k]); }
                    catch (Exception ex) when (ex is not OutOfMemoryException) { errors[k] = ex; }
                }
                if (threads == 1 || batch.Count == 1)
                    for (var k = 0; k < batch.Count; k++) Map(k);
                else
                    Parallel.For(0, batch.Count, options, Map);

                for (var k = 0; k < batch.Count; k++)
                {
                    if (errors[k] is { } error)
                    {
                        if (wrapError?.Invoke(batch[k], error) is { } wrapped && wrapped != error) throw wrapped;
                        ExceptionDispatchInfo.Throw(error);
                    }
                    consume(batch[k], results[k]);
                    results[k] = default!; // let the consumed result go before the next batch
                }
                current.ReadError?.Throw();
            }
            finally
            {
                ahead?.Wait(); // never leave the enumerator in use when it is disposed
            }
            if (!more) return;
            current = ahead?.Result ?? Read(e, batchSize);
        }
    }

    /// <summary>Up to <paramref name="size"/> items; a read error is kept, to be raised after the items before it.</summary>
    private static Batch<T> Read<T>(IEnumerator<T> e, int size)
    {
        var items = new List<T>(size);
        try
        {
            while (items.Count < size && e.MoveNext()) items.Add(e.Current);
            return new Batch<T>(items, null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return new Batch<T>(items, ExceptionDispatchInfo.Capture(ex));
        }
    }
}
