// Register-blocked micro-kernel of the packed GEMM.
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
internal static unsafe class GemmMicroKernel
{
    public const int MR = 6;
    public const int NR = 16;

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

    /// <summary>
    /// Edge tile (mr ≤ MR rows, nr ≤ NR columns valid): the packed panels are zero-padded, so the
    /// full tile is computed into a scratch tile and only the valid part is written back, with the
    /// same rounding as <see cref="Tile"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void EdgeTile(int kc, float* a, float* b, float* c, nint ldc, int mr, int nr,
        float alpha, float beta, bool overwrite)
    {
        float* tmp = stackalloc float[MR * NR + 8];
        float* t = (float*)(((nint)tmp + 31) & ~(nint)31);
        Tile(kc, a, b, t, NR, 1f, 0f, overwrite: true); // t = acc exactly (1 * acc)
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
