// Work partitioning and a minimal fork-join for the GEMM.
//
// Shape legend:
//   Range: an extent (rows of C, columns of C, batch entries) cut into near-equal parts on
//   multiples of a unit (MR for rows, NR for columns, 1 for batch entries).
//   ChooseGrid: C[m, n] as a tm × tn grid of rectangles (tm·tn = thread count), used by the
//   fallback scheme of GemmParallel. k is never split anywhere: every element of C is produced by
//   one thread with the same sequence of operations, so results are bit-identical for any ThreadCount.
//
// Fork-join: the caller queues (parts − 1) pool work items, then claims parts itself from a shared
// counter; a part not yet claimed by a pool thread is run by the caller, so nothing ever waits on
// a pool thread that has not started (no deadlock under thread-pool starvation).

namespace RawEdit.Tensors.Cpu;

internal static unsafe class GemmThreading
{
    /// <summary>Below this many multiply-adds per extra thread, the call stays single-threaded.</summary>
    public const long MinMaddsPerThread = 1L << 21; // ≈ 2M FMAs ≈ 20-40 µs of kernel time

    /// <summary>Threads worth using for a problem of the given size (≥ 1, ≤ max).</summary>
    public static int UsefulThreads(long madds, int max)
    {
        if (max <= 1) return 1;
        long byWork = Math.Max(1, madds / MinMaddsPerThread);
        return (int)Math.Min(max, byWork);
    }

    /// <summary>
    /// Chooses the grid tm × tn = threads over (mTiles × nTiles) of mr × nr tiles that minimises the largest part;
    /// ties go to splitting n (each part then streams a disjoint slice of B).
    /// </summary>
    public static void ChooseGrid(int m, int n, int mr, int nr, int threads, out int tm, out int tn)
    {
        int mTiles = (m + mr - 1) / mr;
        int nTiles = (n + nr - 1) / nr;
        tm = 1; tn = 1;
        long best = long.MaxValue;
        for (int a = 1; a <= threads; a++)
        {
            if (threads % a != 0) continue;
            int b = threads / a;
            if (a > mTiles || b > nTiles) continue;
            long part = (long)((mTiles + a - 1) / a) * mr * ((nTiles + b - 1) / b) * nr;
            if (part < best || (part == best && b > tn)) { best = part; tm = a; tn = b; }
        }
    }

    /// <summary>[begin, end) of part <paramref name="index"/> of <paramref name="parts"/> over an extent cut on multiples of unit.</summary>
    public static void Range(int extent, int unit, int parts, int index, out int begin, out int end)
    {
        int units = (extent + unit - 1) / unit;
        int per = units / parts, extra = units % parts;
        int u0 = index * per + Math.Min(index, extra);
        int u1 = u0 + per + (index < extra ? 1 : 0);
        begin = Math.Min(extent, u0 * unit);
        end = Math.Min(extent, u1 * unit);
    }

    /// <summary>Runs body(state, part) for part in [0, parts) on up to parts threads; returns when all are done.</summary>
    public static void Run<TState>(int parts, TState state, delegate*<TState, int, void> body)
    {
        if (parts <= 1)
        {
            body(state, 0);
            return;
        }
        var job = new Job<TState>(parts, state, body);
        for (int i = 1; i < parts; i++) ThreadPool.UnsafeQueueUserWorkItem(job, preferLocal: false);
        job.Work();
        job.WaitAll();
    }

    private sealed class Job<TState> : IThreadPoolWorkItem
    {
        private readonly int _parts;
        private readonly TState _state;
        private readonly delegate*<TState, int, void> _body;
        private int _next = -1;
        private int _pending;
        private readonly ManualResetEventSlim _done = new(false, spinCount: 200);
        private Exception? _error;

        public Job(int parts, TState state, delegate*<TState, int, void> body)
        {
            _parts = parts;
            _state = state;
            _body = body;
            _pending = parts;
        }

        public void Execute() => Work();

        public void Work()
        {
            int part;
            while ((part = Interlocked.Increment(ref _next)) < _parts)
            {
                try { _body(_state, part); }
                catch (Exception e) { Interlocked.CompareExchange(ref _error, e, null); }
                if (Interlocked.Decrement(ref _pending) == 0) _done.Set();
            }
        }

        public void WaitAll()
        {
            // Not disposed: a worker may still be inside Set() after the count reached zero; the
            // event never allocates a kernel handle unless Wait() had to block, and the GC reclaims it.
            if (Volatile.Read(ref _pending) != 0) _done.Wait();
            if (_error is not null) throw new AggregateException(_error);
        }
    }
}
