using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RawEdit.Tensors.LinearAlgebra;

/// <summary>
/// Step 3 of <see cref="BlockedCholesky"/>: A[i, j] −= Σ_c P[i, c]·P[j, c] on the lower triangle (j ≤ i) of the trailing
/// square A[r0:n, r0:n], where P = L[r0:n, k:k+b] [m, b] is the panel just solved and r0 = k + b.
///
/// P is packed twice, c-major per group so the kernel reads both sequentially:
///   rows[g][c][MR] = P[g·MR + r, c]     (MR = 6 rows of the tile)
///   cols[h][c][NR] = P[h·NR + q, c]     (NR = 8 columns of the tile = 2 Vector256&lt;double&gt;)
/// Tiles go column chunk by column chunk (<see cref="ColumnChunk"/> columns ≈ 384 KB of packed panel, held in L2),
/// row groups in parallel within a chunk. Tiles wholly above the diagonal are skipped; tiles that cross it or the
/// edge write only their lower-triangle, in-range elements.
/// </summary>
internal static unsafe class SyrkUpdate
{
    private const int MR = 6, NR = 8, ColumnChunk = 48 * NR;

    /// <summary>The two packed copies of P, allocated once per factorisation for its largest panel [m, b] (each trailing
    /// square is smaller than the last): at n = 16,384 that saves about 2 GB of short-lived arrays per factorisation.</summary>
    internal sealed class Packs(int m, int b)
    {
        public readonly double[] Rows = new double[(long)(m + MR - 1) / MR * b * MR];
        public readonly double[] Columns = new double[(long)(m + NR - 1) / NR * b * NR];
    }

    public static void Apply(double[] a, int n, int k, int b, Packs packs)
    {
        int r0 = k + b, m = n - r0;
        int rowGroups = (m + MR - 1) / MR;
        var (rows, cols) = (packs.Rows, packs.Columns);
        if ((long)rowGroups * b * MR > rows.Length || (long)(m + NR - 1) / NR * b * NR > cols.Length)
            throw new ArgumentException($"packs for a smaller panel than {m}×{b}");
        Pack(a, n, r0, k, b, m, MR, rows);
        Pack(a, n, r0, k, b, m, NR, cols);

        fixed (double* pa = a, pRows = rows, pCols = cols)
        {
            double* aBase = pa, rowsBase = pRows, colsBase = pCols;
            for (int j0 = 0; j0 < m; j0 += ColumnChunk)
            {
                int j1 = Math.Min(m, j0 + ColumnChunk), h0 = j0 / NR, h1 = (j1 + NR - 1) / NR;
                int g0 = j0 / MR;
                long work = (long)(m - j0) * (j1 - j0) * b;
                Parallel.For(g0, rowGroups, BlockedCholesky.Options(work), g =>
                {
                    int i0 = g * MR, iLast = Math.Min(m, i0 + MR) - 1;
                    int hEnd = Math.Min(h1, iLast / NR + 1);      // column groups that reach the diagonal or below
                    for (int h = h0; h < hEnd; h++)
                        Tile(b, rowsBase + (long)g * b * MR, colsBase + (long)h * b * NR, aBase, n, r0, i0, h * NR, m);
                });
            }
        }
    }

    /// <summary>dst[grp][c][w] = P[grp·w + r, c] (zero past row m): P's rows are contiguous runs of b in A.</summary>
    private static void Pack(double[] a, int n, int r0, int k, int b, int m, int width, double[] dst)
    {
        int groups = (m + width - 1) / width;
        Parallel.For(0, groups, BlockedCholesky.Options((long)m * b * 8), grp =>
        {
            long at = (long)grp * b * width;
            for (int r = 0; r < width; r++)
            {
                int row = grp * width + r;
                if (row >= m) break;
                var source = a.AsSpan((r0 + row) * n + k, b);
                for (int c = 0; c < b; c++) dst[at + c * width + r] = source[c];
            }
        });
    }

    /// <summary>One MR×NR tile: 12 accumulators, b fused multiply-adds each, then subtracted from A.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Tile(int b, double* rowPanel, double* colPanel, double* a, int n, int r0, int i0, int j0, int m)
    {
        Vector256<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<double> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        double* p = rowPanel, q = colPanel;
        for (int c = 0; c < b; c++, p += MR, q += NR)
        {
            var q0 = Vector256.Load(q);
            var q1 = Vector256.Load(q + 4);
            var v = Vector256.Create(p[0]); c00 = Vector256.FusedMultiplyAdd(v, q0, c00); c01 = Vector256.FusedMultiplyAdd(v, q1, c01);
            v = Vector256.Create(p[1]); c10 = Vector256.FusedMultiplyAdd(v, q0, c10); c11 = Vector256.FusedMultiplyAdd(v, q1, c11);
            v = Vector256.Create(p[2]); c20 = Vector256.FusedMultiplyAdd(v, q0, c20); c21 = Vector256.FusedMultiplyAdd(v, q1, c21);
            v = Vector256.Create(p[3]); c30 = Vector256.FusedMultiplyAdd(v, q0, c30); c31 = Vector256.FusedMultiplyAdd(v, q1, c31);
            v = Vector256.Create(p[4]); c40 = Vector256.FusedMultiplyAdd(v, q0, c40); c41 = Vector256.FusedMultiplyAdd(v, q1, c41);
            v = Vector256.Create(p[5]); c50 = Vector256.FusedMultiplyAdd(v, q0, c50); c51 = Vector256.FusedMultiplyAdd(v, q1, c51);
        }

        double* target = a + (long)(r0 + i0) * n + r0 + j0;     // A[r0 + i0, r0 + j0]
        bool full = i0 + MR <= m && j0 + NR <= m && j0 + NR - 1 <= i0;   // in range and wholly on or below the diagonal
        if (full)
        {
            Subtract(target, c00, c01); Subtract(target + n, c10, c11); Subtract(target + 2L * n, c20, c21);
            Subtract(target + 3L * n, c30, c31); Subtract(target + 4L * n, c40, c41); Subtract(target + 5L * n, c50, c51);
            return;
        }
        double* tile = stackalloc double[MR * NR];
        c00.Store(tile); c01.Store(tile + 4); c10.Store(tile + 8); c11.Store(tile + 12); c20.Store(tile + 16); c21.Store(tile + 20);
        c30.Store(tile + 24); c31.Store(tile + 28); c40.Store(tile + 32); c41.Store(tile + 36); c50.Store(tile + 40); c51.Store(tile + 44);
        for (int r = 0; r < MR && i0 + r < m; r++)
            for (int col = 0; col < NR && j0 + col < m && j0 + col <= i0 + r; col++)
                target[(long)r * n + col] -= tile[r * NR + col];
    }

    private static void Subtract(double* row, Vector256<double> left, Vector256<double> right)
    {
        (Vector256.Load(row) - left).Store(row);
        (Vector256.Load(row + 4) - right).Store(row + 4);
    }
}
