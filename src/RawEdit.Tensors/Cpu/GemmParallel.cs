// Multi-threaded execution of one packed GEMM.
//
// Shape legend (row-major, fp32): C[m, n] = alpha · op(A)[m, k] · op(B)[k, n] + beta · C.
//
// Preferred scheme ("strips"), when n ≥ m (otherwise the mirror image with rows):
//   phase 1  op(A) is packed once, completely (mPad × k floats, GemmBlocked layout), into a
//            buffer shared by all threads; row chunks of it are claimed dynamically.
//   phase 2  C is cut into S column strips (width a multiple of NR, S a multiple of the thread
//            count); threads claim strips dynamically, pack their own slice of op(B) and run the
//            blocked driver on it against the shared packed A.
//   Nothing is packed twice, and a thread slowed down by other load simply claims fewer strips.
//   A thread that finishes phase 1 waits only for chunks already claimed by running threads, so
//   no one waits on a pool thread that never started.
// Fallback ("grid", when the shared operand would be very large): a fixed tm × tn grid of parts,
//   each packing its own operands (GemmThreading.ChooseGrid).
//
// Either way k is never split: every C element sees the same operations, whatever ThreadCount.

namespace RawEdit.Tensors.Cpu;

internal static unsafe class GemmParallel
{
    /// <summary>Largest shared pre-packed operand (floats) before falling back to the grid scheme (settable by tests).</summary>
    internal static long MaxSharedFloats = 32L << 20; // 128 MiB

    /// <summary>Smallest strip extent worth a separate work item (columns; rows use the same count).</summary>
    private const int MinStrip = 192;

    private sealed class Plan
    {
        public GemmProblem G;
        public bool SplitN;          // strips over columns (shared A) or over rows (shared B)
        public float* Shared;        // pre-packed op(A) (SplitN) or op(B)
        public float* PackedB;       // op(B) packed beforehand (PackedWeightCache), or null
        public int Strips, StripWidth;
        public int PackChunks;
        public int NextPack = -1, PackDone, NextStrip = -1;
    }

    /// <summary>
    /// Runs the product on up to <paramref name="threads"/> threads; with <paramref name="packedB"/> (op(B) packed
    /// whole, see CpuGemm.PackWholeB) nothing of B is packed: the row strips read it directly, or the column
    /// strips read it beside the shared packed A.
    /// </summary>
    public static void Execute<TK>(in GemmProblem g, int threads, float* packedB = null) where TK : struct, IGemmKernel
    {
        int MR = TK.MR, NR = TK.NR;
        bool splitN = g.N >= g.M;
        bool packsShared = splitN || packedB == null;
        long sharedFloats = !packsShared ? 0 : splitN ? (long)GemmBlocked.PadRows<TK>(g.M) * g.K : (long)GemmBlocked.PadCols<TK>(g.N) * g.K;
        int unit = splitN ? NR : MR;
        int extent = splitN ? g.N : g.M;
        int units = (extent + unit - 1) / unit;
        if (sharedFloats > MaxSharedFloats || units < threads)
        {
            ExecuteGrid<TK>(g, threads, packedB);
            return;
        }

        // S = threads · q strips, q in [1, 4] by size, more when a strip would exceed NC columns.
        int q = Math.Clamp(extent / (threads * MinStrip), 1, 4);
        int strips = threads * q;
        if (splitN) strips = Math.Max(strips, (g.N + TK.NC - 1) / TK.NC);
        strips = (strips + threads - 1) / threads * threads;
        int width = ((extent + strips - 1) / strips + unit - 1) / unit * unit;
        strips = (extent + width - 1) / width;

        long capacity = 0;
        float* shared = packsShared ? SharedBuffer.Rent(sharedFloats, out capacity) : packedB;
        try
        {
            var plan = new Plan
            {
                G = g, SplitN = splitN, Shared = shared, PackedB = packedB, Strips = strips, StripWidth = width,
                PackChunks = !packsShared ? 0 : Math.Min(splitN ? (g.M + MR - 1) / MR : (g.N + NR - 1) / NR, 2 * threads),
            };
            GemmThreading.Run(threads, plan, &Participant<TK>);
        }
        finally
        {
            if (packsShared) SharedBuffer.Return(shared, capacity);
        }
    }

    /// <summary>Packs the whole op(B) (k × n) into dst in the shared layout, on up to threads threads.</summary>
    public static void PackWholeB<TK>(in GemmProblem g, float* dst, int threads) where TK : struct, IGemmKernel
    {
        var plan = new Plan
        {
            G = g, SplitN = false, Shared = dst, Strips = 0,
            PackChunks = Math.Min((g.N + TK.NR - 1) / TK.NR, 2 * threads),
        };
        GemmThreading.Run(Math.Min(threads, plan.PackChunks), plan, &Participant<TK>);
    }

    private static void Participant<TK>(Plan p, int part) where TK : struct, IGemmKernel
    {
        ref readonly GemmProblem g = ref p.G;
        int c;
        while ((c = Interlocked.Increment(ref p.NextPack)) < p.PackChunks)
        {
            PackChunk<TK>(p, c);
            Interlocked.Increment(ref p.PackDone);
        }
        var spin = new SpinWait();
        while (Volatile.Read(ref p.PackDone) < p.PackChunks) spin.SpinOnce(sleep1Threshold: -1);

        while ((c = Interlocked.Increment(ref p.NextStrip)) < p.Strips)
        {
            int begin = c * p.StripWidth;
            int end = Math.Min(begin + p.StripWidth, p.SplitN ? g.N : g.M);
            if (p.SplitN) GemmBlocked.Run<TK>(g, 0, g.M, begin, end, sharedA: p.Shared, sharedB: p.PackedB);
            else GemmBlocked.Run<TK>(g, begin, end, 0, g.N, sharedB: p.Shared);
        }
    }

    /// <summary>Packs one row chunk (SplitN: of op(A)) or column chunk (of op(B)) over all k blocks.</summary>
    private static void PackChunk<TK>(Plan p, int chunk) where TK : struct, IGemmKernel
    {
        int MR = TK.MR, NR = TK.NR;
        ref readonly GemmProblem g = ref p.G;
        int kcMax = GemmBlocked.KBlock(g.K);
        if (p.SplitN)
        {
            GemmThreading.Range(g.M, MR, p.PackChunks, chunk, out int r0, out int r1);
            int mPad = GemmBlocked.PadRows<TK>(g.M);
            for (int pc = 0; pc < g.K; pc += kcMax)
            {
                int kc = Math.Min(kcMax, g.K - pc);
                if (r1 > r0) GemmPacking.PackA<TK>(g.TransA, g.A, g.Lda, r0, r1 - r0, pc, kc, p.Shared + (nint)pc * mPad + (nint)r0 * kc);
            }
        }
        else
        {
            GemmThreading.Range(g.N, NR, p.PackChunks, chunk, out int c0, out int c1);
            int nPad = GemmBlocked.PadCols<TK>(g.N);
            for (int pc = 0; pc < g.K; pc += kcMax)
            {
                int kc = Math.Min(kcMax, g.K - pc);
                if (c1 > c0) GemmPacking.PackB<TK>(g.TransB, g.B, g.Ldb, pc, kc, c0, c1 - c0, p.Shared + (nint)pc * nPad + (nint)c0 * kc);
            }
        }
    }

    private struct GridState
    {
        public GemmProblem G;
        public int Tm, Tn;
        public float* PackedB;
    }

    private static void ExecuteGrid<TK>(in GemmProblem g, int threads, float* packedB) where TK : struct, IGemmKernel
    {
        GemmThreading.ChooseGrid(g.M, g.N, TK.MR, TK.NR, threads, out int tm, out int tn);
        if (tm * tn == 1)
        {
            GemmBlocked.Run<TK>(g, 0, g.M, 0, g.N, sharedB: packedB);
            return;
        }
        GemmThreading.Run(tm * tn, new GridState { G = g, Tm = tm, Tn = tn, PackedB = packedB }, &RunGridPart<TK>);
    }

    private static void RunGridPart<TK>(GridState s, int part) where TK : struct, IGemmKernel
    {
        GemmThreading.Range(s.G.M, TK.MR, s.Tm, part / s.Tn, out int r0, out int r1);
        GemmThreading.Range(s.G.N, TK.NR, s.Tn, part % s.Tn, out int c0, out int c1);
        GemmBlocked.Run<TK>(s.G, r0, r1, c0, c1, sharedB: s.PackedB);
    }

    /// <summary>One cached, growable, 64-byte aligned buffer for the shared packed operand; concurrent callers get their own.</summary>
    private static class SharedBuffer
    {
        private static readonly object s_lock = new();
        private static float* s_buffer;
        private static long s_capacity;

        public static float* Rent(long floats, out long capacity)
        {
            lock (s_lock)
            {
                if (s_buffer != null && s_capacity >= floats)
                {
                    float* b = s_buffer;
                    capacity = s_capacity;
                    s_buffer = null;
                    s_capacity = 0;
                    return b;
                }
            }
            capacity = floats;
            return (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)floats * sizeof(float), 64);
        }

        public static void Return(float* buffer, long capacity)
        {
            lock (s_lock)
            {
                if (s_capacity < capacity)
                {
                    if (s_buffer != null) System.Runtime.InteropServices.NativeMemory.AlignedFree(s_buffer);
                    s_buffer = buffer;
                    s_capacity = capacity;
                    return;
                }
            }
            System.Runtime.InteropServices.NativeMemory.AlignedFree(buffer);
        }
    }
}
