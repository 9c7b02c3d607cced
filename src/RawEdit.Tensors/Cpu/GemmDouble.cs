using System.Runtime.Intrinsics;

namespace RawEdit.Tensors.Cpu;

/// <summary>
/// Float64 GEMM, C = α·op(A)·op(B) + β·C, blocked for the cache and a 4 × 8 register tile. Every element sums its k
/// products from zero in ascending p, each product rounded before it is added (no fused multiply-add), and is then
/// written as α·sum (+ β·c): the arithmetic of the plain row loop this replaced, so the results are the same bits. What
/// changes is the memory traffic: the row loop streamed all of op(B) once per output row (for the second-moment
/// statistics KᵀK, a 32 MB panel per row), here a depth block of op(B) is packed once per block of rows and stays in L2.
/// </summary>
internal static unsafe class GemmDouble
{
    private const int TileRows = 4, TileColumns = 8, BlockRows = 32, DepthBlock = 128;

    public static void Gemm(bool transA, bool transB, int m, int n, int k, double alpha,
        double[] a, int lda, long strideA, double[] b, int ldb, long strideB, double beta, double[] c, int ldc, long strideC, int batch)
    {
        int rowBlocks = (m + BlockRows - 1) / BlockRows;
        CpuParallel.For(batch * rowBlocks, (long)BlockRows * n * k, index =>
        {
            int item = index / rowBlocks, firstRow = index % rowBlocks * BlockRows;
            var block = new RowBlock(transA, transB, firstRow, Math.Min(BlockRows, m - firstRow), n, k,
                a, lda, item * strideA, b, ldb, item * strideB);
            block.Compute();
            block.Write(alpha, beta, c, ldc, item * strideC);
        });
    }

    /// <summary>Rows [first, first + rows) of the product: sums [rows, n], packed operands per depth block.</summary>
    private sealed class RowBlock(bool transA, bool transB, int first, int rows, int n, int k,
        double[] a, int lda, long offsetA, double[] b, int ldb, long offsetB)
    {
        private readonly double[] sums = new double[(long)rows * n];

        public void Compute()
        {
            var packedA = new double[DepthBlock * rows];   // [depth, rows]: op(A)[first + i, p0 + p] at p·rows + i
            var packedB = new double[(long)DepthBlock * n]; // [depth, n]:    op(B)[p0 + p, j]        at p·n + j
            for (int p0 = 0; p0 < k; p0 += DepthBlock)
            {
                int depth = Math.Min(DepthBlock, k - p0);
                Pack(p0, depth, packedA, packedB);
                fixed (double* pa = packedA, pb = packedB, ps = sums)
                {
                    int fullRows = Vector256.IsHardwareAccelerated ? rows / TileRows * TileRows : 0;
                    int fullColumns = Vector256.IsHardwareAccelerated ? n / TileColumns * TileColumns : 0;
                    for (int i = 0; i < fullRows; i += TileRows)
                        for (int j = 0; j < fullColumns; j += TileColumns)
                            Tile(ps + (long)i * n + j, n, pa + i, rows, pb + j, depth);
                    for (int i = 0; i < rows; i++)
                        for (int j = i < fullRows ? fullColumns : 0; j < n; j++)
                            Element(ps + (long)i * n + j, pa + i, rows, pb + j, n, depth);
                }
            }
        }

        private void Pack(int p0, int depth, double[] packedA, double[] packedB)
        {
            for (int p = 0; p < depth; p++)
            {
                for (int i = 0; i < rows; i++)
                    packedA[p * rows + i] = transA ? a[offsetA + (long)(p0 + p) * lda + first + i] : a[offsetA + (long)(first + i) * lda + p0 + p];
                if (transB)
                    for (int j = 0; j < n; j++) packedB[(long)p * n + j] = b[offsetB + (long)j * ldb + p0 + p];
                else
                    Array.Copy(b, offsetB + (long)(p0 + p) * ldb, packedB, (long)p * n, n);
            }
        }

        // sums[4 rows, 8 columns] += Σ_p a[p, 4 rows] ⊗ b[p, 8 columns], p ascending, multiply then add
        private static void Tile(double* s, int n, double* a, int aStride, double* b, int depth)
        {
            var s00 = Vector256.Load(s); var s01 = Vector256.Load(s + 4);
            var s10 = Vector256.Load(s + n); var s11 = Vector256.Load(s + n + 4);
            var s20 = Vector256.Load(s + 2 * n); var s21 = Vector256.Load(s + 2 * n + 4);
            var s30 = Vector256.Load(s + 3 * n); var s31 = Vector256.Load(s + 3 * n + 4);
            for (int p = 0; p < depth; p++, a += aStride, b += n)
            {
                var b0 = Vector256.Load(b); var b1 = Vector256.Load(b + 4);
                var a0 = Vector256.Create(a[0]); s00 += a0 * b0; s01 += a0 * b1;
                var a1 = Vector256.Create(a[1]); s10 += a1 * b0; s11 += a1 * b1;
                var a2 = Vector256.Create(a[2]); s20 += a2 * b0; s21 += a2 * b1;
                var a3 = Vector256.Create(a[3]); s30 += a3 * b0; s31 += a3 * b1;
            }
            s00.Store(s); s01.Store(s + 4);
            s10.Store(s + n); s11.Store(s + n + 4);
            s20.Store(s + 2 * n); s21.Store(s + 2 * n + 4);
            s30.Store(s + 3 * n); s31.Store(s + 3 * n + 4);
        }

        private static void Element(double* s, double* a, int aStride, double* b, int n, int depth)
        {
            double sum = *s;
            for (int p = 0; p < depth; p++) sum += a[(long)p * aStride] * b[(long)p * n];
            *s = sum;
        }

        public void Write(double alpha, double beta, double[] c, int ldc, long offsetC)
        {
            for (int i = 0; i < rows; i++)
            {
                long row = offsetC + (long)(first + i) * ldc;
                for (int j = 0; j < n; j++)
                {
                    double sum = sums[(long)i * n + j];
                    c[row + j] = beta == 0 ? alpha * sum : alpha * sum + beta * c[row + j];
                }
            }
        }
    }
}
