namespace RawEdit.Tensors.Cpu;

/// <summary>Parallel loops over independent items; small jobs stay on the calling thread.</summary>
internal static class CpuParallel
{
    private const long MinWorkPerThread = 32_768;

    /// <summary>Runs body(i) for i in [0, count); <paramref name="workPerItem"/> estimates each item's element operations.</summary>
    public static void For(int count, long workPerItem, Action<int> body)
    {
        int threads = Math.Min(Environment.ProcessorCount, count);
        if (threads <= 1 || count * workPerItem < 2 * MinWorkPerThread)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, body);
    }

    /// <summary>Splits [0, count) into contiguous ranges, one per worker: body(start, end).</summary>
    public static void ForRanges(int count, long workPerItem, Action<int, int> body)
    {
        int threads = (int)Math.Clamp(count * workPerItem / MinWorkPerThread, 1, Math.Min(Environment.ProcessorCount, count));
        if (threads <= 1)
        {
            body(0, count);
            return;
        }
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, w =>
        {
            int start = (int)((long)count * w / threads), end = (int)((long)count * (w + 1) / threads);
            body(start, end);
        });
    }
}
