// AVX-512 micro-kernel of the packed GEMM (12 × 32 tile of Vector512) and its panel packers.
//
// Shape legend (all row-major, fp32):
//   a   : packed A micro-panel, kc × MR, stored k-major: a[p*MR + i] = op(A)[i, p]     (MR = 12)
//   b   : packed B micro-panel, kc × NR, stored k-major: b[p*NR + j] = op(B)[p, j]     (NR = 32)
//   c   : MR × NR tile of C, row stride ldc (elements)
//   acc : MR × NR accumulators = 24 Vector512<float> registers (12 rows × 2 halves of 32 columns)
//
// Per k step: 2 loads of B (32 floats), 12 broadcasts of A, 24 FMAs; 24 accumulators + 2 B vectors
// + 1 broadcast fit the 32 zmm registers. Against the 6×16 AVX2 tile this halves the loads per FMA and
// the instructions per flop (Zen 4 runs a 512-bit FMA as two 256-bit halves, so the peak flop rate is
// the same; the front end and load ports are what the wider tile relieves).
//
// Each accumulator lane is a plain FMA chain over p = 0..kc-1 in order and the write-back formula is
// the AVX2 kernel's, so both kernels give the same bits:
//   overwrite : c = alpha * acc
//   otherwise : c = fma(acc, alpha, beta * c)

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RawEdit.Tensors.Cpu;

[SkipLocalsInit]
internal unsafe struct Avx512Kernel : IGemmKernel
{
    public const int MR = 12;
    public const int NR = 32;

    static int IGemmKernel.MR => MR;
    static int IGemmKernel.NR => NR;

    /// <summary>A block MC×KC×4 B = 288 KiB in the 1 MiB L2. Multiple of MR.</summary>
    public static int MC => 192;

    /// <summary>B block KC×NC×4 B = 3 MiB in L3. Multiple of NR.</summary>
    public static int NC => 2048;

    /// <summary>Full MR×NR tile: accumulate kc steps and write straight into C (the 12-row instance of <see cref="Rows{TRows}"/>).</summary>
    public static void Tile(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta, bool overwrite) =>
        Rows<Twelve>(kc, a, b, c, ldc, alpha, beta, overwrite);

    /// <summary>
    /// The first R rows (R = 4, 8 or 12) of the tile: the same FMA chains as the full tile, for the last row
    /// panel of a matrix whose rows are not a multiple of 12 (m = 64 = 5·12 + 4 runs 5 full tiles and one R = 4).
    /// One source for every R: the JIT compiles a copy per row-count type and drops the rows past R. Not inlined, as
    /// the AVX2 kernel: a standalone body keeps all accumulators in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Rows<TRows>(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta, bool overwrite)
        where TRows : struct, IRowCount
    {
        int R = TRows.Count;
        if (!overwrite)
        {
            float* cp = c;
            for (int r = 0; r < R; r++, cp += ldc)
            {
                Sse.Prefetch0(cp);
                Sse.Prefetch0(cp + NR - 1);
            }
        }

        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default;
        Vector512<float> c90 = default, c91 = default, cA0 = default, cA1 = default, cB0 = default, cB1 = default;

        for (int p = 0; p < kc; p++, a += MR, b += NR)
        {
            Vector512<float> b0 = Vector512.LoadAligned(b);
            Vector512<float> b1 = Vector512.LoadAligned(b + 16);
            Vector512<float> av = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(av, b0, c00); c01 = Avx512F.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(av, b0, c10); c11 = Avx512F.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(av, b0, c20); c21 = Avx512F.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(av, b0, c30); c31 = Avx512F.FusedMultiplyAdd(av, b1, c31);
            if (R > 4)
            {
                av = Vector512.Create(a[4]);
                c40 = Avx512F.FusedMultiplyAdd(av, b0, c40); c41 = Avx512F.FusedMultiplyAdd(av, b1, c41);
                av = Vector512.Create(a[5]);
                c50 = Avx512F.FusedMultiplyAdd(av, b0, c50); c51 = Avx512F.FusedMultiplyAdd(av, b1, c51);
                av = Vector512.Create(a[6]);
                c60 = Avx512F.FusedMultiplyAdd(av, b0, c60); c61 = Avx512F.FusedMultiplyAdd(av, b1, c61);
                av = Vector512.Create(a[7]);
                c70 = Avx512F.FusedMultiplyAdd(av, b0, c70); c71 = Avx512F.FusedMultiplyAdd(av, b1, c71);
            }
            if (R > 8)
            {
                av = Vector512.Create(a[8]);
                c80 = Avx512F.FusedMultiplyAdd(av, b0, c80); c81 = Avx512F.FusedMultiplyAdd(av, b1, c81);
                av = Vector512.Create(a[9]);
                c90 = Avx512F.FusedMultiplyAdd(av, b0, c90); c91 = Avx512F.FusedMultiplyAdd(av, b1, c91);
                av = Vector512.Create(a[10]);
                cA0 = Avx512F.FusedMultiplyAdd(av, b0, cA0); cA1 = Avx512F.FusedMultiplyAdd(av, b1, cA1);
                av = Vector512.Create(a[11]);
                cB0 = Avx512F.FusedMultiplyAdd(av, b0, cB0); cB1 = Avx512F.FusedMultiplyAdd(av, b1, cB1);
            }
        }

        Vector512<float> va = Vector512.Create(alpha);
        Vector512<float> vb = Vector512.Create(beta);
        WriteRow(c, c00, c01, va, vb, overwrite); c += ldc;
        WriteRow(c, c10, c11, va, vb, overwrite); c += ldc;
        WriteRow(c, c20, c21, va, vb, overwrite); c += ldc;
        WriteRow(c, c30, c31, va, vb, overwrite);
        if (R <= 4) return;
        c += ldc;
        WriteRow(c, c40, c41, va, vb, overwrite); c += ldc;
        WriteRow(c, c50, c51, va, vb, overwrite); c += ldc;
        WriteRow(c, c60, c61, va, vb, overwrite); c += ldc;
        WriteRow(c, c70, c71, va, vb, overwrite);
        if (R <= 8) return;
        c += ldc;
        WriteRow(c, c80, c81, va, vb, overwrite); c += ldc;
        WriteRow(c, c90, c91, va, vb, overwrite); c += ldc;
        WriteRow(c, cA0, cA1, va, vb, overwrite); c += ldc;
        WriteRow(c, cB0, cB1, va, vb, overwrite);
    }

    /// <summary>Edge tiles of full width and exactly 4 or 8 rows: the 4- or 8-row kernel, straight into C.</summary>
    public static bool TryEdgeTile(int kc, float* a, float* b, float* c, nint ldc, int mr, int nr,
        float alpha, float beta, bool overwrite)
    {
        if (nr != NR || (mr != 4 && mr != 8)) return false;
        if (mr == 4) Rows<Four>(kc, a, b, c, ldc, alpha, beta, overwrite);
        else Rows<Eight>(kc, a, b, c, ldc, alpha, beta, overwrite);
        return true;
    }

    internal interface IRowCount { static abstract int Count { get; } }
    internal struct Four : IRowCount { public static int Count => 4; }
    internal struct Eight : IRowCount { public static int Count => 8; }
    internal struct Twelve : IRowCount { public static int Count => 12; }

    /// <summary>One 32-float row of C: alpha·acc, or fma(acc, alpha, beta·c).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteRow(float* c, Vector512<float> lo, Vector512<float> hi, Vector512<float> va, Vector512<float> vb, bool overwrite)
    {
        if (overwrite)
        {
            Vector512.Store(lo * va, c);
            Vector512.Store(hi * va, c + 16);
        }
        else
        {
            Vector512.Store(Avx512F.FusedMultiplyAdd(lo, va, vb * Vector512.Load(c)), c);
            Vector512.Store(Avx512F.FusedMultiplyAdd(hi, va, vb * Vector512.Load(c + 16)), c + 16);
        }
    }

    /// <summary>Full 12-row panel from transposed A: each k step is 12 contiguous floats (8 + 4).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackAColumns(float* src, nint lda, int kc, float* panel)
    {
        for (int p = 0; p < kc; p++, src += lda, panel += MR)
        {
            Vector256.Store(Vector256.Load(src), panel);
            Vector128.Store(Vector128.Load(src + 8), panel + 8);
        }
    }

    /// <summary>Full 32-wide panel from row-major B: each k step is 32 contiguous floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackBRows(float* src, nint ldb, int kc, float* panel)
    {
        for (int p = 0; p < kc; p++, src += ldb, panel += NR)
        {
            Vector512.StoreAligned(Vector512.Load(src), panel);
            Vector512.StoreAligned(Vector512.Load(src + 16), panel + 16);
        }
    }

    /// <summary>
    /// Full 12-row panel from row-major A: row i holds op(A)[i, p] at src[i*lda + p]. 8 k steps at a
    /// time: rows 0-7 and rows 8-11 (with four zero rows) go through an 8×8 register transpose each; k
    /// step q then stores 8 floats of the first and 4 of the second. The k tail is copied element-wise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackARows(float* src, nint lda, int kc, float* panel)
    {
        float* s8 = src + 8 * lda;
        int p = 0;
        for (; p + 8 <= kc; p += 8, panel += 8 * MR)
        {
            Vector256<float> r0 = Vector256.Load(src + p), r1 = Vector256.Load(src + lda + p);
            Vector256<float> r2 = Vector256.Load(src + 2 * lda + p), r3 = Vector256.Load(src + 3 * lda + p);
            Vector256<float> r4 = Vector256.Load(src + 4 * lda + p), r5 = Vector256.Load(src + 5 * lda + p);
            Vector256<float> r6 = Vector256.Load(src + 6 * lda + p), r7 = Vector256.Load(src + 7 * lda + p);
            GemmTranspose.Transpose8x8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
            Vector256<float> u0 = Vector256.Load(s8 + p), u1 = Vector256.Load(s8 + lda + p);
            Vector256<float> u2 = Vector256.Load(s8 + 2 * lda + p), u3 = Vector256.Load(s8 + 3 * lda + p);
            Vector256<float> u4 = Vector256<float>.Zero, u5 = u4, u6 = u4, u7 = u4;
            GemmTranspose.Transpose8x8(ref u0, ref u1, ref u2, ref u3, ref u4, ref u5, ref u6, ref u7);
            StoreStep(panel, r0, u0); StoreStep(panel + MR, r1, u1);
            StoreStep(panel + 2 * MR, r2, u2); StoreStep(panel + 3 * MR, r3, u3);
            StoreStep(panel + 4 * MR, r4, u4); StoreStep(panel + 5 * MR, r5, u5);
            StoreStep(panel + 6 * MR, r6, u6); StoreStep(panel + 7 * MR, r7, u7);
        }
        for (; p < kc; p++, panel += MR)
        {
            for (int i = 0; i < MR; i++) panel[i] = src[i * lda + p];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreStep(float* step, Vector256<float> rows0To7, Vector256<float> rows8To11)
    {
        Vector256.Store(rows0To7, step);
        Vector128.Store(rows8To11.GetLower(), step + 8);
    }

    /// <summary>Full 32-wide panel from transposed storage: four 8×8 register transposes per 8 k steps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackBColumns(float* src, nint ldb, int kc, float* panel)
    {
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            float* d = panel + p * NR;
            GemmTranspose.Store8x8(src + p, ldb, d, NR);
            GemmTranspose.Store8x8(src + 8 * ldb + p, ldb, d + 8, NR);
            GemmTranspose.Store8x8(src + 16 * ldb + p, ldb, d + 16, NR);
            GemmTranspose.Store8x8(src + 24 * ldb + p, ldb, d + 24, NR);
        }
        for (; p < kc; p++)
        {
            float* d = panel + p * NR;
            for (int j = 0; j < NR; j++) d[j] = src[j * ldb + p];
        }
    }
}
