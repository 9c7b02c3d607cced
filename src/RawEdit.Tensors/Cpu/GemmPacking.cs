// Packing of A and B blocks into the contiguous, zero-padded layouts the micro-kernel reads.
//
// Shape legend (row-major, fp32; op(X) is X or Xᵀ according to the trans flag):
//   op(A) : m × k.  stored A is [m, k] (lda ≥ k)  or, transA, [k, m] (lda ≥ m)
//   op(B) : k × n.  stored B is [k, n] (ldb ≥ n)  or, transB, [n, k] (ldb ≥ k)
//
//   Packed A block (mc × kc, starting at op(A)[i0, p0]):
//     ceil(mc/MR) micro-panels, panel r at dst + r*MR*kc, element (i, p) of the panel at [p*MR + i];
//     rows past mc are zero.
//   Packed B block (kc × nc, starting at op(B)[p0, j0]):
//     ceil(nc/NR) micro-panels, panel s at dst + s*NR*kc, element (p, j) of the panel at [p*NR + j];
//     columns past nc are zero.
//
// All four transpose combinations are resolved here, so the micro-kernel has a single form.
// Destinations are 32-byte aligned (panel sizes are multiples of 8 floats); sources may be unaligned.

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RawEdit.Tensors.Cpu;

[SkipLocalsInit]
internal static unsafe class GemmPacking
{
    private const int MR = GemmMicroKernel.MR;
    private const int NR = GemmMicroKernel.NR;

    /// <summary>Packs op(A)[i0 .. i0+mc, p0 .. p0+kc] into MR-row micro-panels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(bool transA, float* a, nint lda, int i0, int mc, int p0, int kc, float* dst)
    {
        for (int ir = 0; ir < mc; ir += MR)
        {
            int mr = Math.Min(MR, mc - ir);
            float* panel = dst + (nint)ir * kc;
            if (transA)
            {
                // op(A)[i, p] = a[p*lda + i]: each k step is MR contiguous floats.
                float* src = a + (nint)p0 * lda + i0 + ir;
                if (mr == MR)
                {
                    // 4 + 2 floats per k step; no read past the 6 valid columns.
                    for (int p = 0; p < kc; p++, src += lda, panel += MR)
                    {
                        Vector128.Store(Vector128.Load(src), panel);
                        *(long*)(panel + 4) = *(long*)(src + 4);
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++, src += lda, panel += MR)
                    {
                        int i = 0;
                        for (; i < mr; i++) panel[i] = src[i];
                        for (; i < MR; i++) panel[i] = 0f;
                    }
                }
            }
            else
            {
                // op(A)[i, p] = a[i*lda + p]: gather one value from each of the MR rows per k step.
                float* src = a + (nint)(i0 + ir) * lda + p0;
                if (mr == MR) PackRowsFull(src, lda, kc, panel);
                else
                {
                    for (int p = 0; p < kc; p++, panel += MR)
                    {
                        int i = 0;
                        for (; i < mr; i++) panel[i] = src[i * lda + p];
                        for (; i < MR; i++) panel[i] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>Packs op(B)[p0 .. p0+kc, j0 .. j0+nc] into NR-column micro-panels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(bool transB, float* b, nint ldb, int p0, int kc, int j0, int nc, float* dst)
    {
        for (int jr = 0; jr < nc; jr += NR)
        {
            int nr = Math.Min(NR, nc - jr);
            float* panel = dst + (nint)jr * kc;
            if (transB)
            {
                // op(B)[p, j] = b[j*ldb + p]: NR rows of stored B, read along k and transposed.
                float* src = b + (nint)(j0 + jr) * ldb + p0;
                if (nr == NR) PackTransposedFull(src, ldb, kc, panel);
                else
                {
                    for (int p = 0; p < kc; p++, panel += NR)
                    {
                        int j = 0;
                        for (; j < nr; j++) panel[j] = src[j * ldb + p];
                        for (; j < NR; j++) panel[j] = 0f;
                    }
                }
            }
            else
            {
                // op(B)[p, j] = b[p*ldb + j]: each k step is NR contiguous floats.
                float* src = b + (nint)p0 * ldb + j0 + jr;
                if (nr == NR)
                {
                    for (int p = 0; p < kc; p++, src += ldb, panel += NR)
                    {
                        Avx.StoreAligned(panel, Avx.LoadVector256(src));
                        Avx.StoreAligned(panel + 8, Avx.LoadVector256(src + 8));
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++, src += ldb, panel += NR)
                    {
                        int j = 0;
                        for (; j < nr; j++) panel[j] = src[j];
                        for (; j < NR; j++) panel[j] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Full MR-row panel from row-major A: row i (i &lt; 6) holds op(A)[i, p] at src[i*lda + p].
    /// 8 k steps at a time: 6 row loads, an 8×8 register transpose with two zero rows, and 8
    /// overlapping 8-wide stores at a stride of 6 (each store's last two lanes are overwritten by the
    /// next one; the final one stores only 6). The k tail (kc mod 8) is copied element-wise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackRowsFull(float* src, nint lda, int kc, float* panel)
    {
        float* s0 = src, s1 = src + lda, s2 = src + 2 * lda, s3 = src + 3 * lda, s4 = src + 4 * lda, s5 = src + 5 * lda;
        int p = 0;
        for (; p + 8 <= kc; p += 8, panel += 8 * MR)
        {
            Vector256<float> r0 = Avx.LoadVector256(s0 + p), r1 = Avx.LoadVector256(s1 + p);
            Vector256<float> r2 = Avx.LoadVector256(s2 + p), r3 = Avx.LoadVector256(s3 + p);
            Vector256<float> r4 = Avx.LoadVector256(s4 + p), r5 = Avx.LoadVector256(s5 + p);
            Vector256<float> r6 = Vector256<float>.Zero, r7 = Vector256<float>.Zero;
            Transpose8x8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
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
    private static void PackTransposedFull(float* src, nint ldb, int kc, float* panel)
    {
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            TransposeStore(src + p, ldb, panel + p * NR);
            TransposeStore(src + 8 * ldb + p, ldb, panel + p * NR + 8);
        }
        for (; p < kc; p++)
        {
            float* d = panel + p * NR;
            for (int j = 0; j < NR; j++) d[j] = src[j * ldb + p];
        }
    }

    /// <summary>dst[q*NR + r] = src[r*srcStride + q] for r, q in [0, 8); dst 32-byte aligned.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeStore(float* src, nint srcStride, float* dst)
    {
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + srcStride);
        Vector256<float> r2 = Avx.LoadVector256(src + 2 * srcStride), r3 = Avx.LoadVector256(src + 3 * srcStride);
        Vector256<float> r4 = Avx.LoadVector256(src + 4 * srcStride), r5 = Avx.LoadVector256(src + 5 * srcStride);
        Vector256<float> r6 = Avx.LoadVector256(src + 6 * srcStride), r7 = Avx.LoadVector256(src + 7 * srcStride);
        Transpose8x8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        Avx.StoreAligned(dst, r0);
        Avx.StoreAligned(dst + NR, r1);
        Avx.StoreAligned(dst + 2 * NR, r2);
        Avx.StoreAligned(dst + 3 * NR, r3);
        Avx.StoreAligned(dst + 4 * NR, r4);
        Avx.StoreAligned(dst + 5 * NR, r5);
        Avx.StoreAligned(dst + 6 * NR, r6);
        Avx.StoreAligned(dst + 7 * NR, r7);
    }

    /// <summary>In-register 8×8 transpose: on return r_q[r] holds the old r_r[q].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(ref Vector256<float> r0, ref Vector256<float> r1, ref Vector256<float> r2,
        ref Vector256<float> r3, ref Vector256<float> r4, ref Vector256<float> r5, ref Vector256<float> r6,
        ref Vector256<float> r7)
    {
        // Interleave row pairs: (x0 y0 x1 y1 | x4 y4 x5 y5) and (x2 y2 x3 y3 | x6 y6 x7 y7).
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);

        // Gather 4-row columns within each 128-bit lane: u0 = (col0 rows0-3 | col4 rows0-3), etc.
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);

        // Join the rows 0-3 and rows 4-7 halves across lanes.
        r0 = Avx.Permute2x128(u0, u4, 0x20);
        r1 = Avx.Permute2x128(u1, u5, 0x20);
        r2 = Avx.Permute2x128(u2, u6, 0x20);
        r3 = Avx.Permute2x128(u3, u7, 0x20);
        r4 = Avx.Permute2x128(u0, u4, 0x31);
        r5 = Avx.Permute2x128(u1, u5, 0x31);
        r6 = Avx.Permute2x128(u2, u6, 0x31);
        r7 = Avx.Permute2x128(u3, u7, 0x31);
    }
}
