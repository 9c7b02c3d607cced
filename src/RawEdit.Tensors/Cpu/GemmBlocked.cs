// Goto/BLIS-style blocked driver: runs the packed GEMM on one rectangular part of C, generic over the
// micro-kernel (IGemmKernel: MR, NR, MC, NC and the packers; KC is common to all kernels).
//
// Shape legend (row-major, fp32):
//   C[m, n] = alpha · op(A)[m, k] · op(B)[k, n] + beta · C
//   This driver computes rows [rowBegin, rowEnd) × columns [colBegin, colEnd) of C.
//
//   loop jc over the columns in steps of ≤ NC          B block  kc × nc  (packed, L3)
//     loop pc over k in steps of ≤ KC                  (k blocks depend on k only, never on threads)
//       pack op(B)[pc.., jc..]  (or point into a shared, fully pre-packed op(B))
//       loop ic over the rows in steps of ≤ MC         A block  mc × kc  (packed, L2)
//         pack op(A)[ic.., pc..]  (or point into a shared, fully pre-packed op(A))
//         loop jr over NR-column micro-panels          B micro-panel kc × NR (L1)
//           loop ir over MR-row micro-panels           A micro-panel MR × kc
//             micro-kernel on C[ic+ir.., jc+jr..]      C tile MR × NR (registers)
//
// The first k block applies beta (or overwrites C when beta == 0); later k blocks add to C.
//
// Fully pre-packed operand (shared by all threads, see GemmParallel): op(A) as mPad × k with
// mPad = ceil(m/MR)·MR, k block starting at pc stored at sharedA + pc·mPad in the PackA layout
// (so row ic of that block is at + ic·kc); op(B) likewise with nPad = ceil(n/NR)·NR.

using System.Runtime.CompilerServices;

namespace RawEdit.Tensors.Cpu;

/// <summary>Operands of one (non-batched) GEMM call, as given to the public API.</summary>
internal unsafe struct GemmProblem
{
    public bool TransA, TransB;
    public int M, N, K;
    public float Alpha, Beta;
    public float* A, B, C;
    public nint Lda, Ldb, Ldc;
}

[SkipLocalsInit]
internal static unsafe class GemmBlocked
{
    /// <summary>
    /// Upper bound of the k block (floats), the same for every kernel so that all paths round alike.
    /// AVX2: B micro-panel KC×16×4 B = 24 KiB in the 32 KiB L1d; AVX-512: KC×32×4 B = 48 KiB, read from L2.
    /// </summary>
    public const int KC = 384;

    /// <summary>
    /// Splits an extent into ceil(total/max) near-equal blocks. Used for k so the blocking (and with it
    /// the rounding of every output element) depends on k alone.
    /// </summary>
    public static int BalancedBlock(int total, int max, int multiple)
    {
        int blocks = (total + max - 1) / max;
        int size = (total + blocks - 1) / blocks;
        return Math.Min(max, (size + multiple - 1) / multiple * multiple);
    }

    /// <summary>k block size used for a problem with this k (all blocks but the last have this size).</summary>
    public static int KBlock(int k) => BalancedBlock(k, KC, 8);

    public static int PadRows<TK>(int m) where TK : struct, IGemmKernel => (m + TK.MR - 1) / TK.MR * TK.MR;
    public static int PadCols<TK>(int n) where TK : struct, IGemmKernel => (n + TK.NR - 1) / TK.NR * TK.NR;

    /// <summary>
    /// Computes C[rowBegin..rowEnd, colBegin..colEnd]. rowBegin must be a multiple of MR when
    /// sharedA is given, colBegin a multiple of NR when sharedB is given.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TK>(in GemmProblem g, int rowBegin, int rowEnd, int colBegin, int colEnd,
        float* sharedA = null, float* sharedB = null) where TK : struct, IGemmKernel
    {
        int MC = TK.MC, NC = TK.NC;
        if (rowEnd <= rowBegin || colEnd <= colBegin) return;
        int kcMax = KBlock(g.K);
        int mPad = PadRows<TK>(g.M), nPad = PadCols<TK>(g.N);

        for (int jc = colBegin; jc < colEnd; jc += NC)
        {
            int nc = Math.Min(NC, colEnd - jc);
            for (int pc = 0; pc < g.K; pc += kcMax)
            {
                int kc = Math.Min(kcMax, g.K - pc);
                bool first = pc == 0;
                bool overwrite = first && g.Beta == 0f;
                float beta = first ? g.Beta : 1f;

                float* packB;
                if (sharedB != null) packB = sharedB + (nint)pc * nPad + (nint)jc * kc;
                else GemmPacking.PackB<TK>(g.TransB, g.B, g.Ldb, pc, kc, jc, nc, packB = GemmBuffers<TK>.B());

                for (int ic = rowBegin; ic < rowEnd; ic += MC)
                {
                    int mc = Math.Min(MC, rowEnd - ic);
                    float* packA;
                    if (sharedA != null) packA = sharedA + (nint)pc * mPad + (nint)ic * kc;
                    else GemmPacking.PackA<TK>(g.TransA, g.A, g.Lda, ic, mc, pc, kc, packA = GemmBuffers<TK>.A());
                    MacroKernel<TK>(kc, mc, nc, packA, packB, g.C + ic * g.Ldc + jc, g.Ldc, g.Alpha, beta, overwrite);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MacroKernel<TK>(int kc, int mc, int nc, float* packA, float* packB, float* c, nint ldc,
        float alpha, float beta, bool overwrite) where TK : struct, IGemmKernel
    {
        int MR = TK.MR, NR = TK.NR;
        for (int jr = 0; jr < nc; jr += NR)
        {
            int nr = Math.Min(NR, nc - jr);
            float* bp = packB + (nint)jr * kc;
            for (int ir = 0; ir < mc; ir += MR)
            {
                int mr = Math.Min(MR, mc - ir);
                float* ap = packA + (nint)ir * kc;
                float* ct = c + ir * ldc + jr;
                if (mr == MR && nr == NR)
                    TK.Tile(kc, ap, bp, ct, ldc, alpha, beta, overwrite);
                else if (!TK.TryEdgeTile(kc, ap, bp, ct, ldc, mr, nr, alpha, beta, overwrite))
                    EdgeTile<TK>(kc, ap, bp, ct, ldc, mr, nr, alpha, beta, overwrite);
            }
        }
    }

    /// <summary>
    /// Edge tile (mr ≤ MR rows, nr ≤ NR columns valid): the packed panels are zero-padded, so the full
    /// tile is computed into a scratch tile and only the valid part is written back, with the same
    /// rounding as the kernel's own write-back.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void EdgeTile<TK>(int kc, float* a, float* b, float* c, nint ldc, int mr, int nr,
        float alpha, float beta, bool overwrite) where TK : struct, IGemmKernel
    {
        int NR = TK.NR;
        float* scratch = stackalloc float[TK.MR * NR + 16];
        float* t = (float*)(((nint)scratch + 63) & ~(nint)63);
        TK.Tile(kc, a, b, t, NR, 1f, 0f, overwrite: true); // t = acc exactly (1 · acc)
        for (int i = 0; i < mr; i++)
        {
            float* ci = c + i * ldc;
            float* ti = t + i * NR;
            if (overwrite)
            {
                for (int j = 0; j < nr; j++) ci[j] = ti[j] * alpha;
            }
            else
            {
                for (int j = 0; j < nr; j++) ci[j] = MathF.FusedMultiplyAdd(ti[j], alpha, beta * ci[j]);
            }
        }
    }
}

/// <summary>
/// Per-thread packing buffers of one kernel's block sizes, each allocated (64-byte aligned) on the
/// thread's first need and reused by every later call on that thread (AVX2: A block 288 KiB, B block 3 MiB).
/// </summary>
internal static unsafe class GemmBuffers<TK> where TK : struct, IGemmKernel
{
    private static int ASize => TK.MC * GemmBlocked.KC;
    private static int BSize => GemmBlocked.KC * TK.NC;

    [ThreadStatic] private static nint s_a;
    [ThreadStatic] private static nint s_b;

    public static float* A() => (float*)(s_a != 0 ? s_a : s_a = Alloc(ASize));

    public static float* B() => (float*)(s_b != 0 ? s_b : s_b = Alloc(BSize));

    private static nint Alloc(int floats) =>
        (nint)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)floats * sizeof(float), 64);
}
