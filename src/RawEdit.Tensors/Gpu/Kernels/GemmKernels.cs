using System.Numerics;
using ILGPU;

namespace RawEdit.Tensors.Gpu.Kernels;

/// <summary>
/// One product of a strided batch, row-major: C_z = alpha·op(A_z)·op(B_z) + beta·C_z for z = the grid's third index,
///   op(A)[i, p] = transA ? A[p·lda + i] : A[i·lda + p]   (m × k)
///   op(B)[p, j] = transB ? B[j·ldb + p] : B[p·ldb + j]   (k × n)
/// beta = 0 overwrites C without reading it (as the CPU).
/// </summary>
internal struct GemmShape
{
    public int TransA, TransB, M, N, K, Lda, Ldb, Ldc;
    public long StrideA, StrideB, StrideC;

    /// <summary>op(A)[i, p] of product z's A, zero outside the matrix.</summary>
    public readonly T LoadA<T>(ArrayView<T> a, long z, int i, int p) where T : unmanaged, INumber<T> =>
        i < M && p < K ? a[z * StrideA + (TransA != 0 ? (long)p * Lda + i : (long)i * Lda + p)] : T.Zero;

    /// <summary>op(B)[p, j] of product z's B, zero outside the matrix.</summary>
    public readonly T LoadB<T>(ArrayView<T> b, long z, int p, int j) where T : unmanaged, INumber<T> =>
        p < K && j < N ? b[z * StrideB + (TransB != 0 ? (long)j * Ldb + p : (long)p * Ldb + j)] : T.Zero;

    /// <summary>C[i, j] = alpha·acc (+ beta·C[i, j] unless beta = 0, which never reads C), for i &lt; m, j &lt; n.</summary>
    public readonly void Store<T>(ArrayView<T> c, long z, int i, int j, T alpha, T acc, T beta) where T : unmanaged, INumber<T>
    {
        if (i >= M || j >= N) return;
        long at = z * StrideC + (long)i * Ldc + j;
        c[at] = beta == T.Zero ? alpha * acc : alpha * acc + beta * c[at];
    }
}

/// <summary>
/// The plain tiled GEMM, for fp32 and fp64 on any accelerator. The group's G threads form a √G × √G grid (G a power
/// of four: 256 on a GPU, 1 or 4 on the CPU accelerator); each thread sums a 4 × 4 register tile of C, so a group makes
/// a (4√G) × (4√G) tile of C (64 × 64 for 256 threads), with k in steps of <see cref="TileK"/> through dynamic shared
/// memory (op(A) k-major, op(B) row-major, rows padded by 4). Tiles are numbered over (batch, tile row, tile column)
/// and each group takes tiles Grid.IdxX, Grid.IdxX + Grid.DimX, …: a GPU launches one group per tile, the CPU
/// accelerator two groups (each group costs it tens of microseconds to schedule). Every element of C is one thread's
/// sum over p in increasing order.
/// </summary>
internal static class GemmKernels
{
    public const int TileK = 16;
    private const int Pad = 4;

    /// <summary>C's tile edge for a group of <paramref name="groupSize"/> threads.</summary>
    public static int TileEdge(int groupSize) => 4 * (int)Math.Round(Math.Sqrt(groupSize));

    /// <summary>Dynamic shared memory elements the kernel needs per group.</summary>
    public static int SharedElements(int groupSize) => 2 * TileK * (TileEdge(groupSize) + Pad);

    /// <summary>Tiles of C over the whole batch for a group of <paramref name="groupSize"/> threads.</summary>
    public static long TileCount(GemmShape s, int groupSize, int batch)
    {
        int edge = TileEdge(groupSize);
        return (long)((s.M + edge - 1) / edge) * ((s.N + edge - 1) / edge) * batch;
    }

    public static void Tiled<T>(GemmShape s, T alpha, T beta, ArrayView<T> a, ArrayView<T> b, ArrayView<T> c, long tiles) where T : unmanaged, INumber<T>
    {
        int lane = Group.IdxX, lanes = Group.DimX;   // read once: each read is a call on the CPU accelerator
        var shared = SharedMemory.GetDynamic<T>();
        int side = 1;
        while (side * side < lanes) side++;
        int edge = 4 * side, rowLength = edge + Pad;
        var aTile = shared.SubView(0, TileK * rowLength);                   // aTile[p·rowLength + i] = op(A)[row0 + i, p0 + p]
        var bTile = shared.SubView(TileK * rowLength, TileK * rowLength);   // bTile[p·rowLength + j] = op(B)[p0 + p, col0 + j]
        int tx = lane % side, ty = lane / side;      // the thread's 4 × 4: rows ty + side·r, columns tx + side·q
        int tileColumns = (s.N + edge - 1) / edge, tileRows = (s.M + edge - 1) / edge;
        for (long tile = Grid.IdxX, tileStep = Grid.DimX; tile < tiles; tile += tileStep)
        {
            long z = tile / ((long)tileRows * tileColumns);
            int row0 = (int)(tile / tileColumns % tileRows) * edge, col0 = (int)(tile % tileColumns) * edge;
            T c00 = T.Zero, c01 = T.Zero, c02 = T.Zero, c03 = T.Zero, c10 = T.Zero, c11 = T.Zero, c12 = T.Zero, c13 = T.Zero;
            T c20 = T.Zero, c21 = T.Zero, c22 = T.Zero, c23 = T.Zero, c30 = T.Zero, c31 = T.Zero, c32 = T.Zero, c33 = T.Zero;
            for (int p0 = 0; p0 < s.K; p0 += TileK)
            {
                for (int e = lane; e < edge * TileK; e += lanes)
                {
                    int i = e / TileK, p = e % TileK;
                    aTile[p * rowLength + i] = s.LoadA(a, z, row0 + i, p0 + p);
                    int pb = e / edge, j = e % edge;
                    bTile[pb * rowLength + j] = s.LoadB(b, z, p0 + pb, col0 + j);
                }
                Group.Barrier();
                for (int p = 0; p < TileK; p++)
                {
                    int ar = p * rowLength + ty, bc = p * rowLength + tx;
                    T a0 = aTile[ar], a1 = aTile[ar + side], a2 = aTile[ar + 2 * side], a3 = aTile[ar + 3 * side];
                    T b0 = bTile[bc], b1 = bTile[bc + side], b2 = bTile[bc + 2 * side], b3 = bTile[bc + 3 * side];
                    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
                }
                Group.Barrier();
            }
            int r0 = row0 + ty, q0 = col0 + tx;
            StoreRow(s, c, z, r0, q0, side, alpha, beta, c00, c01, c02, c03);
            StoreRow(s, c, z, r0 + side, q0, side, alpha, beta, c10, c11, c12, c13);
            StoreRow(s, c, z, r0 + 2 * side, q0, side, alpha, beta, c20, c21, c22, c23);
            StoreRow(s, c, z, r0 + 3 * side, q0, side, alpha, beta, c30, c31, c32, c33);
        }
    }

    private static void StoreRow<T>(GemmShape s, ArrayView<T> c, long z, int i, int j, int side, T alpha, T beta, T v0, T v1, T v2, T v3)
        where T : unmanaged, INumber<T>
    {
        s.Store(c, z, i, j, alpha, v0, beta);
        s.Store(c, z, i, j + side, alpha, v1, beta);
        s.Store(c, z, i, j + 2 * side, alpha, v2, beta);
        s.Store(c, z, i, j + 3 * side, alpha, v3, beta);
    }
}
