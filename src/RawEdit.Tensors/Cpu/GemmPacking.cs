// Packing of A and B blocks into the contiguous, zero-padded layouts the micro-kernels read.
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
// All four transpose combinations are resolved here, so each micro-kernel has a single form. Full
// panels go to the kernel's own vectorised packers; edge panels (fewer than MR rows / NR columns) are
// copied element by element. B destinations are 64-byte aligned (NR·kc floats per panel, NR a multiple
// of 16); sources may be unaligned.

using System.Runtime.CompilerServices;

namespace RawEdit.Tensors.Cpu;

[SkipLocalsInit]
internal static unsafe class GemmPacking
{
    /// <summary>Packs op(A)[i0 .. i0+mc, p0 .. p0+kc] into MR-row micro-panels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA<TK>(bool transA, float* a, nint lda, int i0, int mc, int p0, int kc, float* dst)
        where TK : struct, IGemmKernel
    {
        int MR = TK.MR;
        for (int ir = 0; ir < mc; ir += MR)
        {
            int mr = Math.Min(MR, mc - ir);
            float* panel = dst + (nint)ir * kc;
            // transA: op(A)[i, p] = a[p*lda + i], each k step is MR contiguous floats;
            // otherwise op(A)[i, p] = a[i*lda + p], one value from each of the MR rows per k step.
            float* src = transA ? a + (nint)p0 * lda + i0 + ir : a + (nint)(i0 + ir) * lda + p0;
            nint rowStep = transA ? 1 : lda, kStep = transA ? lda : 1;
            if (mr == MR)
            {
                if (transA) TK.PackAColumns(src, lda, kc, panel);
                else TK.PackARows(src, lda, kc, panel);
            }
            else PackEdge(src, rowStep, kStep, kc, mr, MR, panel);
        }
    }

    /// <summary>Packs op(B)[p0 .. p0+kc, j0 .. j0+nc] into NR-column micro-panels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB<TK>(bool transB, float* b, nint ldb, int p0, int kc, int j0, int nc, float* dst)
        where TK : struct, IGemmKernel
    {
        int NR = TK.NR;
        for (int jr = 0; jr < nc; jr += NR)
        {
            int nr = Math.Min(NR, nc - jr);
            float* panel = dst + (nint)jr * kc;
            // transB: op(B)[p, j] = b[j*ldb + p], NR rows of stored B read along k and transposed;
            // otherwise op(B)[p, j] = b[p*ldb + j], each k step is NR contiguous floats.
            float* src = transB ? b + (nint)(j0 + jr) * ldb + p0 : b + (nint)p0 * ldb + j0 + jr;
            nint colStep = transB ? ldb : 1, kStep = transB ? 1 : ldb;
            if (nr == NR)
            {
                if (transB) TK.PackBColumns(src, ldb, kc, panel);
                else TK.PackBRows(src, ldb, kc, panel);
            }
            else PackEdge(src, colStep, kStep, kc, nr, NR, panel);
        }
    }

    /// <summary>
    /// Edge panel: panel[p*width + i] = src[i*laneStep + p*kStep] for i &lt; valid, zero for valid ≤ i &lt; width.
    /// </summary>
    private static void PackEdge(float* src, nint laneStep, nint kStep, int kc, int valid, int width, float* panel)
    {
        for (int p = 0; p < kc; p++, src += kStep, panel += width)
        {
            int i = 0;
            for (; i < valid; i++) panel[i] = src[i * laneStep];
            for (; i < width; i++) panel[i] = 0f;
        }
    }
}
