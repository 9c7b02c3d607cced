// AVX2 micro-kernel of the packed GEMM (6 × 16 tile of Vector256) and its panel packers.
//
// Shape legend (all row-major, fp32):
//   a   : packed A micro-panel, kc × MR, stored k-major: a[p*MR + i] = op(A)[i, p]     (MR = 6)
//   b   : packed B micro-panel, kc × NR, stored k-major: b[p*NR + j] = op(B)[p, j]     (NR = 16)
//   c   : MR × NR tile of C, row stride ldc (elements)
//   acc : MR × NR accumulators = 12 Vector256<float> registers (6 rows × 2 halves of 16 columns)
//
// Per k step: 2 loads of B (16 floats), 6 broadcasts of A, 12 FMAs. Each accumulator lane is a
// plain FMA chain over p = 0..kc-1 in order, so an element's value does not depend on where its
// tile sits, on which thread runs it, or on whether the tile is full or an edge tile.
//
// Write-back (identical formula in the vector and the scalar edge path, both correctly rounded):
//   overwrite : c = alpha * acc
//   otherwise : c = fma(acc, alpha, beta * c)

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RawEdit.Tensors.Cpu;

[SkipLocalsInit]
internal unsafe struct Avx2Kernel : IGemmKernel
{
    public const int MR = 6;
    public const int NR = 16;

    static int IGemmKernel.MR => MR;
    static int IGemmKernel.NR => NR;

    /// <summary>A block MC×KC×4 B = 288 KiB in the 1 MiB L2. Multiple of MR.</summary>
    public static int MC => 192;

    /// <summary>B block KC×NC×4 B = 3 MiB in L3. Multiple of NR.</summary>
    public static int NC => 2048;

    /// <summary>Full MR×NR tile: accumulate kc steps and write straight into C.</summary>
    /// <remarks>
    /// Not inlined: one call covers kc (≤ 384) k steps, so the call costs nothing measurable
    /// (AggressiveInlining measured the same), and a standalone body keeps all 12 accumulators in
    /// registers without competing with the caller's loop variables.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Tile(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta, bool overwrite)
    {
        // Start pulling the C tile in now; it is only touched after the k loop.
        if (!overwrite)
        {
            float* cp = c;
            for (int r = 0; r < MR; r++, cp += ldc)
            {
                Sse.Prefetch0(cp);
                Sse.Prefetch0(cp + NR - 1);
            }
        }

        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default, c50 = default, c51 = default;

        int p = 0;
        for (; p + 1 < kc; p += 2)
        {
            Vector256<float> b0 = Avx.LoadAlignedVector256(b);
            Vector256<float> b1 = Avx.LoadAlignedVector256(b + 8);
            Vector256<float> av = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(av, b0, c00); c01 = Fma.MultiplyAdd(av, b1, c01);
            av = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(av, b0, c10); c11 = Fma.MultiplyAdd(av, b1, c11);
            av = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(av, b0, c20); c21 = Fma.MultiplyAdd(av, b1, c21);
            av = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(av, b0, c30); c31 = Fma.MultiplyAdd(av, b1, c31);
            av = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(av, b0, c40); c41 = Fma.MultiplyAdd(av, b1, c41);
            av = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(av, b0, c50); c51 = Fma.MultiplyAdd(av, b1, c51);

            b0 = Avx.LoadAlignedVector256(b + 16);
            b1 = Avx.LoadAlignedVector256(b + 24);
            av = Vector256.Create(a[6]);
            c00 = Fma.MultiplyAdd(av, b0, c00); c01 = Fma.MultiplyAdd(av, b1, c01);
            av = Vector256.Create(a[7]);
            c10 = Fma.MultiplyAdd(av, b0, c10); c11 = Fma.MultiplyAdd(av, b1, c11);
            av = Vector256.Create(a[8]);
            c20 = Fma.MultiplyAdd(av, b0, c20); c21 = Fma.MultiplyAdd(av, b1, c21);
            av = Vector256.Create(a[9]);
            c30 = Fma.MultiplyAdd(av, b0, c30); c31 = Fma.MultiplyAdd(av, b1, c31);
            av = Vector256.Create(a[10]);
            c40 = Fma.MultiplyAdd(av, b0, c40); c41 = Fma.MultiplyAdd(av, b1, c41);
            av = Vector256.Create(a[11]);
            c50 = Fma.MultiplyAdd(av, b0, c50); c51 = Fma.MultiplyAdd(av, b1, c51);

            a += 2 * MR;
            b += 2 * NR;
        }
        if (p < kc)
        {
            Vector256<float> b0 = Avx.LoadAlignedVector256(b);
            Vector256<float> b1 = Avx.LoadAlignedVector256(b + 8);
            Vector256<float> av = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(av, b0, c00); c01 = Fma.MultiplyAdd(av, b1, c01);
            av = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(av, b0, c10); c11 = Fma.MultiplyAdd(av, b1, c11);
            av = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(av, b0, c20); c21 = Fma.MultiplyAdd(av, b1, c21);
            av = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(av, b0, c30); c31 = Fma.MultiplyAdd(av, b1, c31);
            av = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(av, b0, c40); c41 = Fma.MultiplyAdd(av, b1, c41);
            av = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(av, b0, c50); c51 = Fma.MultiplyAdd(av, b1, c51);
        }

        Vector256<float> va = Vector256.Create(alpha);
        if (overwrite)
        {
            Avx.Store(c, c00 * va); Avx.Store(c + 8, c01 * va); c += ldc;
            Avx.Store(c, c10 * va); Avx.Store(c + 8, c11 * va); c += ldc;
            Avx.Store(c, c20 * va); Avx.Store(c + 8, c21 * va); c += ldc;
            Avx.Store(c, c30 * va); Avx.Store(c + 8, c31 * va); c += ldc;
            Avx.Store(c, c40 * va); Avx.Store(c + 8, c41 * va); c += ldc;
            Avx.Store(c, c50 * va); Avx.Store(c + 8, c51 * va);
        }
        else
        {
            Vector256<float> vb = Vector256.Create(beta);
            Update(c, c00, c01, va, vb); c += ldc;
            Update(c, c10, c11, va, vb); c += ldc;
            Update(c, c20, c21, va, vb); c += ldc;
            Update(c, c30, c31, va, vb); c += ldc;
            Update(c, c40, c41, va, vb); c += ldc;
            Update(c, c50, c51, va, vb);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* c, Vector256<float> lo, Vector256<float> hi, Vector256<float> va, Vector256<float> vb)
    {
        Avx.Store(c, Fma.MultiplyAdd(lo, va, vb * Avx.LoadVector256(c)));
        Avx.Store(c + 8, Fma.MultiplyAdd(hi, va, vb * Avx.LoadVector256(c + 8)));
    }

    /// <summary>Full MR-row panel from transposed A: each k step is 6 contiguous floats (4 + 2, no read past them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackAColumns(float* src, nint lda, int kc, float* panel)
    {
        for (int p = 0; p < kc; p++, src += lda, panel += MR)
        {
            Vector128.Store(Vector128.Load(src), panel);
            *(long*)(panel + 4) = *(long*)(src + 4);
        }
    }

    /// <summary>Full NR-wide panel from row-major B: each k step is 16 contiguous floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackBRows(float* src, nint ldb, int kc, float* panel)
    {
        for (int p = 0; p < kc; p++, src += ldb, panel += NR)
        {
            Avx.StoreAligned(panel, Avx.LoadVector256(src));
            Avx.StoreAligned(panel + 8, Avx.LoadVector256(src + 8));
        }
    }

    /// <summary>
    /// Full MR-row panel from row-major A: row i (i &lt; 6) holds op(A)[i, p] at src[i*lda + p].
    /// 8 k steps at a time: 6 row loads, an 8×8 register transpose with two zero rows, and 8
    /// overlapping 8-wide stores at a stride of 6 (each store's last two lanes are overwritten by the
    /// next one; the final one stores only 6). The k tail (kc mod 8) is copied element-wise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackARows(float* src, nint lda, int kc, float* panel)
    {
        float* s0 = src, s1 = src + lda, s2 = src + 2 * lda, s3 = src + 3 * lda, s4 = src + 4 * lda, s5 = src + 5 * lda;
        int p = 0;
        for (; p + 8 <= kc; p += 8, panel += 8 * MR)
        {
            Vector256<float> r0 = Avx.LoadVector256(s0 + p), r1 = Avx.LoadVector256(s1 + p);
            Vector256<float> r2 = Avx.LoadVector256(s2 + p), r3 = Avx.LoadVector256(s3 + p);
            Vector256<float> r4 = Avx.LoadVector256(s4 + p), r5 = Avx.LoadVector256(s5 + p);
            Vector256<float> r6 = Vector256<float>.Zero, r7 = Vector256<float>.Zero;
            GemmTranspose.Transpose8x8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
            Avx.Store(panel, r0);
            Avx.Store(panel + 6, r1);
            Avx.Store(panel + 12, r2);
            Avx.Store(panel + 18, r3);
            Avx.Store(panel + 24, r4);
            Avx.Store(panel + 30, r5);
            Avx.Store(panel + 36, r6);
            Vector128.Store(r7.GetLower(), panel + 42);
            *(long*)(panel + 46) = r7.GetUpper().AsInt64().ToScalar();
        }
        for (; p < kc; p++, panel += MR)
        {
            panel[0] = s0[p]; panel[1] = s1[p]; panel[2] = s2[p];
            panel[3] = s3[p]; panel[4] = s4[p]; panel[5] = s5[p];
        }
    }

    /// <summary>
    /// Full NR-wide panel from transposed storage: src row j (j &lt; 16) holds op(B)[p, j] at src[j*ldb + p].
    /// Works in 8×8 blocks transposed in registers; the k tail (kc mod 8) is copied element-wise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackBColumns(float* src, nint ldb, int kc, float* panel)
    {
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            GemmTranspose.Store8x8(src + p, ldb, panel + p * NR, NR);
            GemmTranspose.Store8x8(src + 8 * ldb + p, ldb, panel + p * NR + 8, NR);
        }
        for (; p < kc; p++)
        {
            float* d = panel + p * NR;
            for (int j = 0; j < NR; j++) d[j] = src[j * ldb + p];
        }
    }
}
