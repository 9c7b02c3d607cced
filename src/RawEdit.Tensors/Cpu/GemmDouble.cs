using System.Runtime.Intrinsics;

namespace RawEdit.Tensors.Cpu;

/// <summary>Which float64 tile <see cref="GemmDouble"/> runs (tests force each; the default takes the widest the CPU has).</summary>
internal enum DoubleTilePath
{
    Auto,
    Vector128,
    Scalar,
}

/// <summary>
/// Float64 GEMM, C = α·op(A)·op(B) + β·C, blocked for the cache with a 4 × 8 register tile. Every element sums its k
/// products from zero in ascending p, each product rounded before it is added (no fused multiply-add), and is then
/// written as α·sum (+ β·c): the arithmetic of <see cref="Reference"/>, so the results are the same bits. What the
/// blocking changes is the memory traffic: the plain loop streams all of op(B) once per output row (for the statistics'
/// KᵀK with 4,096 keys of width 1,024, a 32 MB panel per row); here a task of 256 rows × 256 columns packs a 128-deep
/// slice of op(B) (256 KB, in 8-column strips) and of op(A) once and runs all its 4 × 8 tiles over them.
/// Shapes: op(A) [m, k] (A stored [k, m] when transA), op(B) [k, n] (B stored [n, k] when transB), C [m, n].
/// </summary>
internal static unsafe class GemmDouble
{
    private const int TileRows = 4, TileColumns = 8, BlockRows = 256, BlockColumns = 256, DepthBlock = 128;

    /// <summary>The tile used; <see cref="DoubleTilePath.Auto"/> picks Vector256, else Vector128, else scalar.</summary>
    internal static DoubleTilePath TilePath { get; set; }

    public static void Gemm(bool transA, bool transB, int m, int n, int k, double alpha,
        double[] a, int lda, long strideA, double[] b, int ldb, long strideB, double beta, double[] c, int ldc, long strideC, int batch)
    {
        if (m == 0 || n == 0) return;
        int rowBlocks = (m + BlockRows - 1) / BlockRows, columnBlocks = (n + BlockColumns - 1) / BlockColumns;
        int tasks = batch * rowBlocks * columnBlocks;
        var tile = TileOf(TilePath);
        CpuParallel.ForRanges(tasks, (long)BlockRows * Math.Min(n, BlockColumns) * Math.Max(k, 1), (start, end) =>
        {
            var block = new Block(Math.Min(m, BlockRows), Math.Min(n, BlockColumns), Math.Min(k, DepthBlock));   // buffers reused by this worker's tasks
            for (int task = start; task < end; task++)
            {
                int item = task / (rowBlocks * columnBlocks), rest = task % (rowBlocks * columnBlocks);
                int row = rest / columnBlocks * BlockRows, column = rest % columnBlocks * BlockColumns;
                var operands = new Operands(transA, transB, a, lda, item * strideA, b, ldb, item * strideB);
                block.Compute(tile, operands, row, Math.Min(BlockRows, m - row), column, Math.Min(BlockColumns, n - column), k);
                block.Write(alpha, beta, c, ldc, item * strideC);
            }
        });
    }

    /// <summary>The plain loop: c[i, j] = α·Σ_p op(A)[i, p]·op(B)[p, j] (+ β·c[i, j]), p ascending from a zero sum.</summary>
    public static void Reference(bool transA, bool transB, int m, int n, int k, double alpha,
        double[] a, int lda, long offsetA, double[] b, int ldb, long offsetB, double beta, double[] c, int ldc, long offsetC)
    {
        var operands = new Operands(transA, transB, a, lda, offsetA, b, ldb, offsetB);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++) sum += operands.A(i, p) * operands.B(p, j);
                long at = offsetC + (long)i * ldc + j;
                c[at] = beta == 0 ? alpha * sum : alpha * sum + beta * c[at];
            }
    }

    private readonly record struct Operands(bool TransA, bool TransB, double[] AData, int Lda, long OffsetA, double[] BData, int Ldb, long OffsetB)
    {
        public double A(int i, int p) => TransA ? AData[OffsetA + (long)p * Lda + i] : AData[OffsetA + (long)i * Lda + p];
        public double B(int p, int j) => TransB ? BData[OffsetB + (long)j * Ldb + p] : BData[OffsetB + (long)p * Ldb + j];
    }

    private delegate void TileKernel(double* sums, int sumStride, double* a, int aStride, double* strip, int depth);

    private static TileKernel? TileOf(DoubleTilePath path) => path switch
    {
        DoubleTilePath.Auto when Vector256.IsHardwareAccelerated => Tile256,
        DoubleTilePath.Auto or DoubleTilePath.Vector128 when Vector128.IsHardwareAccelerated => Tile128,
        _ => null,
    };

    /// <summary>
    /// One task's sums [rows, columns] and packed operands: op(A) [depth, rows] (p·rows + i), op(B) as full 8-column
    /// strips [columns / 8][depth][8] then the remaining columns [depth][tail].
    /// </summary>
    private sealed class Block(int maxRows, int maxColumns, int maxDepth)
    {
        private readonly double[] sums = new double[maxRows * maxColumns];
        private readonly double[] packedA = new double[maxDepth * maxRows];
        private readonly double[] packedB = new double[maxDepth * maxColumns];
        private int first, rows, firstColumn, columns;

        public void Compute(TileKernel? tile, in Operands operands, int firstRow, int rowCount, int column, int columnCount, int k)
        {
            (first, rows, firstColumn, columns) = (firstRow, rowCount, column, columnCount);
            Array.Clear(sums, 0, rows * columns);
            int fullRows = tile is null ? 0 : rows / TileRows * TileRows;
            int fullColumns = columns / TileColumns * TileColumns, tail = columns - fullColumns;
            for (int p0 = 0; p0 < k; p0 += DepthBlock)
            {
                int depth = Math.Min(DepthBlock, k - p0);
                PackA(operands, p0, depth);
                PackB(operands, p0, depth, fullColumns, tail);
                fixed (double* pa = packedA, pb = packedB, ps = sums)
                {
                    for (int i = 0; i < fullRows; i += TileRows)
                        for (int j = 0; j < fullColumns; j += TileColumns)
                            tile!(ps + i * columns + j, columns, pa + i, rows, pb + (long)j * depth, depth);
                    for (int i = 0; i < rows; i++)
                        for (int j = i < fullRows ? fullColumns : 0; j < columns; j++)
                        {
                            var (start, stride) = PackedColumn(j, depth, fullColumns, tail);
                            Element(ps + i * columns + j, pa + i, rows, pb + start, stride, depth);
                        }
                }
            }
        }

        /// <summary>Where column j of the packed op(B) slice starts, and its stride: in its 8-column strip, or in the tail.</summary>
        private static (long Start, int Stride) PackedColumn(int j, int depth, int fullColumns, int tail) =>
            j < fullColumns ? ((long)(j / TileColumns) * depth * TileColumns + j % TileColumns, TileColumns) : ((long)fullColumns * depth + j - fullColumns, tail);

        // packedA[p·rows + i] = op(A)[first + i, p0 + p], reading A along its stored rows
        private void PackA(in Operands o, int p0, int depth)
        {
            if (o.TransA)
                for (int p = 0; p < depth; p++)
                    Array.Copy(o.AData, o.OffsetA + (long)(p0 + p) * o.Lda + first, packedA, p * rows, rows);
            else
                for (int i = 0; i < rows; i++)
                {
                    long from = o.OffsetA + (long)(first + i) * o.Lda + p0;
                    for (int p = 0; p < depth; p++) packedA[p * rows + i] = o.AData[from + p];
                }
        }

        // packed op(B)[p0 + p, firstColumn + j] at PackedColumn(j) + p·stride, reading B along its stored rows
        private void PackB(in Operands o, int p0, int depth, int fullColumns, int tail)
        {
            if (o.TransB)
                for (int j = 0; j < columns; j++)
                {
                    var (start, stride) = PackedColumn(j, depth, fullColumns, tail);
                    long from = o.OffsetB + (long)(firstColumn + j) * o.Ldb + p0;
                    for (int p = 0; p < depth; p++) packedB[start + (long)p * stride] = o.BData[from + p];
                }
            else
                for (int p = 0; p < depth; p++)
                {
                    long from = o.OffsetB + (long)(p0 + p) * o.Ldb + firstColumn;
                    for (int j = 0; j < columns; j++)
                    {
                        var (start, stride) = PackedColumn(j, depth, fullColumns, tail);
                        packedB[start + (long)p * stride] = o.BData[from + j];
                    }
                }
        }

        public void Write(double alpha, double beta, double[] c, int ldc, long offsetC)
        {
            for (int i = 0; i < rows; i++)
            {
                long row = offsetC + (long)(first + i) * ldc + firstColumn;
                for (int j = 0; j < columns; j++)
                {
                    double sum = sums[i * columns + j];
                    c[row + j] = beta == 0 ? alpha * sum : alpha * sum + beta * c[row + j];
                }
            }
        }
    }

    // sums[4 rows, 8 columns] += Σ_p a[p, 4 rows] ⊗ strip[p, 8 columns], p ascending, multiply then add (Vector256 × 2 per row)
    private static void Tile256(double* s, int n, double* a, int aStride, double* b, int depth)
    {
        var s00 = Vector256.Load(s); var s01 = Vector256.Load(s + 4);
        var s10 = Vector256.Load(s + n); var s11 = Vector256.Load(s + n + 4);
        var s20 = Vector256.Load(s + 2 * n); var s21 = Vector256.Load(s + 2 * n + 4);
        var s30 = Vector256.Load(s + 3 * n); var s31 = Vector256.Load(s + 3 * n + 4);
        for (int p = 0; p < depth; p++, a += aStride, b += TileColumns)
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

    // The same tile with Vector128 × 4 per row (ARM64 NEON, or x64 without AVX); one row at a time over the strip.
    private static void Tile128(double* s, int n, double* a, int aStride, double* b, int depth)
    {
        for (int r = 0; r < TileRows; r++)
        {
            double* row = s + r * n;
            var s0 = Vector128.Load(row); var s1 = Vector128.Load(row + 2); var s2 = Vector128.Load(row + 4); var s3 = Vector128.Load(row + 6);
            double* ap = a + r, bp = b;
            for (int p = 0; p < depth; p++, ap += aStride, bp += TileColumns)
            {
                var ar = Vector128.Create(*ap);
                s0 += ar * Vector128.Load(bp); s1 += ar * Vector128.Load(bp + 2);
                s2 += ar * Vector128.Load(bp + 4); s3 += ar * Vector128.Load(bp + 6);
            }
            s0.Store(row); s1.Store(row + 2); s2.Store(row + 4); s3.Store(row + 6);
        }
    }

    private static void Element(double* s, double* a, int aStride, double* b, int bStride, int depth)
    {
        double sum = *s;
        for (int p = 0; p < depth; p++) sum += a[(long)p * aStride] * b[(long)p * bStride];
        *s = sum;
    }
}
