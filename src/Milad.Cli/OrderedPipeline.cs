using System.Runtime.ExceptionServices;

namespace Milad.Cli;

/// <summary>
/// Maps a lazy sequence on several threads and consumes the results in input order, with constant memory:
/// read a batch, map it in parallel, consume it in order, repeat. At most one batch is in memory, and the
/// output cannot depend on the number of threads.
/// </summary>
/// <remarks>
/// Errors come out as a serial loop would raise them: the first item (in input order) whose map threw
/// ends the run after every earlier item was consumed, and a read error after the items read before it.
/// </remarks>
internal static class OrderedPipeline
{
    public static void Run<TIn, TOut>(IEnumerable<TIn> items, int threads, int batchSize,
        Func<TIn, TOut> map, Action<TIn, TOut> consume, Func<TIn, Exception, Exception>? wrapError = null)
    {
        var batch = new List<TIn>(batchSize);
        var results = new TOut[batchSize];
        var errors = new Exception?[batchSize];
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        using var e = items.GetEnumerator();
        while (true)
        {
            batch.Clear();
            ExceptionDispatchInfo? readError = null;
            try
            {
                while (batch.Count < batchSize && e.MoveNext()) batch.Add(e.Current);
            }
            catch (Exception ex)
            {
                readError = ExceptionDispatchInfo.Capture(ex);
            }

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
            readError?.Throw();
            if (batch.Count < batchSize) return;
        }
    }
}
