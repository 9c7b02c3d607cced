// Matrix–vector paths (m == 1 or n == 1), where packing would cost as much as the product itself.
//
// Shape legend (row-major, fp32):
//   y[i·incY] = alpha · Σ_p M(i, p) · x[p] (+ beta · y),  i in [0, count), p in [0, k), x contiguous.
//   Dot form : M(i, p) = mat[i·ld + p]   (each output reads one contiguous row)
//   Axpy form: M(i, p) = mat[p·ld + i]   (each k step reads a contiguous run of outputs)
//
//   m == 1: y = row 0 of C,     x = op(A) row 0,    M(j, p) = op(B)[p, j]  (transB → dot, else axpy)
//   n == 1: y = column 0 of C,  x = op(B) column 0, M(i, p) = op(A)[i, p]  (transA → axpy, else dot)
//
// Every output is computed by one fixed sequence whichever block it falls in and whichever thread
// runs it (outputs are split between threads, k never is), so results do not depend on ThreadCount.

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RawEdit.Tensors.Cpu;

[SkipLocalsInit]
internal static unsafe class GemmSmall
{
    private const int AxpyBlock = 64; // outputs per register block in the axpy form (8 × Vector256)

    private struct GemvState
    {
        public float* Mat, X, Y;
        public nint Ld, IncY;
        public int K, Count, Parts;
        public float Alpha, Beta;
        public bool Dot;
    }

    public static void Run(in GemmProblem g, int maxThreads)
    {
        var s = new GemvState { K = g.K, Alpha = g.Alpha, Beta = g.Beta };
        float* x;
        nint incX;
        if (g.M == 1)
        {
            s.Y = g.C; s.IncY = 1; s.Count = g.N;
            x = g.A; incX = g.TransA ? g.Lda : 1;
            s.Mat = g.B; s.Ld = g.Ldb; s.Dot = g.TransB;
        }
        else
        {
            s.Y = g.C; s.IncY = g.Ldc; s.Count = g.M;
            x = g.B; incX = g.TransB ? 1 : g.Ldb;
            s.Mat = g.A; s.Ld = g.Lda; s.Dot = !g.TransA;
        }

        float* heap = null;
        if (incX == 1) s.X = x;
        else
        {
            float* tmp;
            if (g.K <= 4096) { float* st = stackalloc float[g.K]; tmp = st; }
            else tmp = heap = (float*)NativeMemory.Alloc((nuint)g.K * sizeof(float));
            for (int p = 0; p < g.K; p++) tmp[p] = x[p * incX];
            s.X = tmp;
        }

        try
        {
            int unit = s.Dot ? 4 : AxpyBlock;
            int threads = GemmThreading.UsefulThreads((long)g.K * s.Count, maxThreads);
            s.Parts = Math.Max(1, Math.Min(threads, (s.Count + unit - 1) / unit));
            GemmThreading.Run(s.Parts, s, &RunPart);
        }
        finally
        {
            if (heap != null) NativeMemory.Free(heap);
        }
    }

    private static void RunPart(GemvState s, int part)
    {
        GemmThreading.Range(s.Count, s.Dot ? 4 : AxpyBlock, s.Parts, part, out int begin, out int end);
        if (s.Dot) DotRows(s, begin, end);
        else AxpyCols(s, begin, end);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* y, float sum, float alpha, float beta)
    {
        *y = beta == 0f ? sum * alpha : MathF.FusedMultiplyAdd(sum, alpha, beta * *y);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotRows(in GemvState s, int begin, int end)
    {
        int k = s.K;
        float* x = s.X;
        for (int i = begin; i < end; i++)
        {
            float* row = s.Mat + i * s.Ld;
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            int p = 0;
            for (; p + 32 <= k; p += 32)
            {
                a0 = Fma.MultiplyAdd(Avx.LoadVector256(row + p), Avx.LoadVector256(x + p), a0);
                a1 = Fma.MultiplyAdd(Avx.LoadVector256(row + p + 8), Avx.LoadVector256(x + p + 8), a1);
                a2 = Fma.MultiplyAdd(Avx.LoadVector256(row + p + 16), Avx.LoadVector256(x + p + 16), a2);
                a3 = Fma.MultiplyAdd(Avx.LoadVector256(row + p + 24), Avx.LoadVector256(x + p + 24), a3);
            }
            for (; p + 8 <= k; p += 8)
                a0 = Fma.MultiplyAdd(Avx.LoadVector256(row + p), Avx.LoadVector256(x + p), a0);
            Vector256<float> v = (a0 + a1) + (a2 + a3);
            Vector128<float> h = v.GetLower() + v.GetUpper();
            h += Sse.MoveHighToLow(h, h);
            h = Sse.AddScalar(h, Sse.Shuffle(h, h, 0x55));
            float sum = h.ToScalar();
            for (; p < k; p++) sum = MathF.FusedMultiplyAdd(row[p], x[p], sum);
            Store(s.Y + i * s.IncY, sum, s.Alpha, s.Beta);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AxpyCols(in GemvState s, int begin, int end)
    {
        int k = s.K;
        float* x = s.X;
        nint ld = s.Ld;
        float* t = stackalloc float[AxpyBlock];
        int j = begin;
        for (; j + AxpyBlock <= end; j += AxpyBlock)
        {
            float* col = s.Mat + j;
            Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
            Vector256<float> c4 = default, c5 = default, c6 = default, c7 = default;
            for (int p = 0; p < k; p++, col += ld)
            {
                Vector256<float> xv = Vector256.Create(x[p]);
                c0 = Fma.MultiplyAdd(xv, Avx.LoadVector256(col), c0);
                c1 = Fma.MultiplyAdd(xv, Avx.LoadVector256(col + 8), c1);
                c2 = Fma.MultiplyAdd(xv, Avx.LoadVector256(col + 16), c2);
                c3 = Fma.MultiplyAdd(xv, Avx.LoadVector256(col + 24), c3);
                c4 = Fma.MultiplyAdd(xv, Avx.LoadVector256(col + 32), c4);
                c5 = Fma.MultiplyAdd(xv, Avx.LoadVector256(col + 40), c5);
                c6 = Fma.MultiplyAdd(xv, Avx.LoadVector256(col + 48), c6);
                c7 = Fma.MultiplyAdd(xv, Avx.LoadVector256(col + 56), c7);
            }
            c0.Store(t); c1.Store(t + 8); c2.Store(t + 16); c3.Store(t + 24);
            c4.Store(t + 32); c5.Store(t + 40); c6.Store(t + 48); c7.Store(t + 56);
            for (int q = 0; q < AxpyBlock; q++) Store(s.Y + (j + q) * s.IncY, t[q], s.Alpha, s.Beta);
        }
        for (; j + 8 <= end; j += 8)
        {
            float* col = s.Mat + j;
            Vector256<float> c0 = default;
            for (int p = 0; p < k; p++, col += ld)
                c0 = Fma.MultiplyAdd(Vector256.Create(x[p]), Avx.LoadVector256(col), c0);
            for (int q = 0; q < 8; q++) Store(s.Y + (j + q) * s.IncY, c0.GetElement(q), s.Alpha, s.Beta);
        }
        for (; j < end; j++)
        {
            float* col = s.Mat + j;
            float sum = 0f;
            for (int p = 0; p < k; p++, col += ld) sum = MathF.FusedMultiplyAdd(x[p], *col, sum);
            Store(s.Y + j * s.IncY, sum, s.Alpha, s.Beta);
        }
    }
}
