using System.Runtime.ExceptionServices;
using static TorchSharp.torch;

namespace LpCam.Cli.Pipeline;

/// <summary>
/// Runs the per-image work of a step on up to --workers threads with bounded memory (each worker holds one image).
/// TorchSharp runs one intra-op thread per call inside these loops, whatever the worker count, so the parallelism is
/// across images (no oversubscription) and every image's floats are computed the same way with 1 or N workers.
/// </summary>
internal static class ParallelImages
{
    /// <summary>Calls <paramref name="body"/> for every index 0..count-1, in any order, on up to <paramref name="workers"/> threads.</summary>
    public static void For(int count, int workers, Action<int> body)
    {
        using var _ = SingleTorchThread();
        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, workers) }, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    /// <summary>
    /// Calls <paramref name="body"/> for every index 0..count-1, in any order, on up to <paramref name="workers"/> threads,
    /// each thread with its own state from <paramref name="init"/>; <paramref name="merge"/> receives every thread's state
    /// (one at a time, in any order): for order-independent totals such as integer counts.
    /// </summary>
    public static void For<TLocal>(int count, int workers, Func<TLocal> init, Action<int, TLocal> body, Action<TLocal> merge)
    {
        using var _ = SingleTorchThread();
        var gate = new object();
        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, workers) }, init,
                (i, _, local) => { body(i, local); return local; },
                local => { lock (gate) merge(local); });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    /// <summary>
    /// Computes <paramref name="produce"/> for every index on up to <paramref name="workers"/> threads, at most a few
    /// ahead of the consumer, and hands the results to <paramref name="consume"/> on the calling thread in index order:
    /// for order-dependent work (sampling, float sums) whose inputs (file reads, decoding) can run in parallel.
    /// </summary>
    public static void ForEachOrdered<T>(int count, int workers, Func<int, T> produce, Action<int, T> consume)
    {
        using var _ = SingleTorchThread();
        int window = Math.Max(1, workers);
        var pending = new Task<T>?[count];
        int next = 0;
        try
        {
            for (int i = 0; i < count; i++)
            {
                while (next < count && next <= i + window - 1)
                {
                    int j = next++;
                    pending[j] = window == 1 ? Task.FromResult(produce(j)) : Task.Run(() => produce(j));
                }
                var result = pending[i]!.GetAwaiter().GetResult();
                pending[i] = null;
                consume(i, result);
            }
        }
        finally
        {
            // Let producers already started finish before the caller disposes what they use.
            foreach (var t in pending)
                if (t is not null) try { t.Wait(); } catch (AggregateException) { }
        }
    }

    /// <summary>Sets TorchSharp to one intra-op thread until disposed, then restores the previous count.</summary>
    public static IDisposable SingleTorchThread()
    {
        int before = get_num_threads();
        set_num_threads(1);
        return new Restore(before);
    }

    private sealed class Restore(int threads) : IDisposable
    {
        public void Dispose() => set_num_threads(threads);
    }
}
