using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Milad.Cli;

/// <summary>
/// Maps a lazy sequence on several threads and consumes the results in input order, with constant memory.
/// The calling thread reads items and consumes results; <c>threads</c> workers map. At most
/// <c>window</c> items are read but not yet consumed, and the output cannot depend on the number of threads.
/// One thread maps on the calling thread: read, map, consume, item after item.
/// </summary>
/// <remarks>
/// There is no barrier between items: a worker takes the next item as soon as it is free, so a slow item
/// holds up only the consuming of the items after it, not the mapping. Errors come out as a serial loop
/// would raise them: the first item (in input order) whose map threw ends the run after every earlier item
/// was consumed, and a read error after the items read before it.
/// </remarks>
internal static class OrderedPipeline
{
    private sealed class Slot<TIn, TOut>(TIn item)
    {
        public TIn Item { get; } = item;
        public TOut Result = default!;
        public Exception? Error;
        public readonly ManualResetEventSlim Done = new(false);
    }

    public static void Run<TIn, TOut>(IEnumerable<TIn> items, int threads, int window, Func<TIn, TOut> map, Action<TIn, TOut> consume)
    {
        if (threads <= 1)
        {
            foreach (var item in items) consume(item, map(item));
            return;
        }

        using var queue = new BlockingCollection<Slot<TIn, TOut>>(new ConcurrentQueue<Slot<TIn, TOut>>());
        var stop = false; // set when the run ends early: workers skip what is still queued
        void Work()
        {
            foreach (var slot in queue.GetConsumingEnumerable())
            {
                try
                {
                    if (!Volatile.Read(ref stop)) slot.Result = map(slot.Item);
                }
                catch (Exception ex) { slot.Error = ex; } // raised on the consuming thread, in input order
                finally { slot.Done.Set(); }
            }
        }
        var workers = new Thread[threads];
        for (var t = 0; t < threads; t++)
        {
            workers[t] = new Thread(Work) { IsBackground = true, Name = $"pipeline {t + 1}" };
            workers[t].Start();
        }

        var pending = new Queue<Slot<TIn, TOut>>();
        void ConsumeHead()
        {
            var slot = pending.Dequeue();
            slot.Done.Wait();
            slot.Done.Dispose();
            if (slot.Error is { } error) ExceptionDispatchInfo.Throw(error);
            consume(slot.Item, slot.Result);
        }
        try
        {
            using var e = items.GetEnumerator();
            while (true)
            {
                bool more;
                try { more = e.MoveNext(); }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // Items read before the error are consumed first (one of them may fail before it).
                    while (pending.Count > 0) ConsumeHead();
                    throw;
                }
                if (!more) break;
                var slot = new Slot<TIn, TOut>(e.Current);
                pending.Enqueue(slot);
                queue.Add(slot);
                while (pending.Count >= window) ConsumeHead();
            }
            while (pending.Count > 0) ConsumeHead();
        }
        finally
        {
            // Never leave a worker running (or an item half-mapped) behind the caller's back.
            Volatile.Write(ref stop, true);
            queue.CompleteAdding();
            foreach (var w in workers) w.Join();
        }
    }
}
