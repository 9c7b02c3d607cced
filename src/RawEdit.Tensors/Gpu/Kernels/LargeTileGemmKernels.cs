using ILGPU;

namespace RawEdit.Tensors.Gpu.Kernels;

/// <summary>
/// The large-matrix fp32 GEMM (the contract of <see cref="GemmShape"/>; GemmDispatch takes it on CUDA when m and n are
/// at least 128): 128 × 128 of C per group of 256 threads, each thread an 8 × 8 register tile at rows 4·ty + {0…3} and
/// 64 + 4·ty + {0…3}, columns likewise with tx (tx = thread % 16, ty = thread / 16), so 16 shared reads feed 64
/// multiply-adds. k goes in slices of 8 through double-buffered shared memory: the next slice is read from global memory
/// into registers while the current one is multiplied, then stored to the other buffer, one barrier per slice. Every
/// element of C is one thread's sum over p in increasing order, as in <see cref="GemmKernels.Tiled{T}"/>.
/// Grid: (⌈n / 128⌉, ⌈m / 128⌉, batch); only <see cref="GroupSize"/> threads.
/// </summary>
internal static class LargeTileGemmKernels
{
    public const int Tile = 128, GroupSize = 256;
    private const int SliceK = 8, Half = Tile / 2;

    public static void Fp32(GemmShape s, float alpha, float beta, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
    {
        // Buffer q holds aTiles[q·Slice + p·Tile + i] = op(A)[row0 + i, p0 + p] and bTiles[q·Slice + p·Tile + j] = op(B)[p0 + p, col0 + j].
        const int Slice = SliceK * Tile;
        var aTiles = SharedMemory.Allocate<float>(2 * Slice);
        var bTiles = SharedMemory.Allocate<float>(2 * Slice);
        long z = Grid.IdxZ;
        int row0 = Grid.IdxY * Tile, col0 = Grid.IdxX * Tile, thread = Group.IdxX, tx = thread % 16, ty = thread / 16;

        var staged = Fetch(s, a, b, z, row0, col0, 0, thread);
        Stash(s, staged, aTiles.SubView(0, Slice), bTiles.SubView(0, Slice), thread);
        Group.Barrier();
        Row8 c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        int buffer = 0;
        for (int p0 = 0; p0 < s.K; p0 += SliceK)
        {
            bool more = p0 + SliceK < s.K;
            if (more) staged = Fetch(s, a, b, z, row0, col0, p0 + SliceK, thread);   // in flight during the products
            for (int p = 0; p < SliceK; p++)
            {
                int at = buffer * Slice + p * Tile;
                var av = Row8.Load(aTiles, at + 4 * ty, at + Half + 4 * ty);
                var bv = Row8.Load(bTiles, at + 4 * tx, at + Half + 4 * tx);
                c0 = Row8.MultiplyAdd(c0, av.X0, bv); c1 = Row8.MultiplyAdd(c1, av.X1, bv);
                c2 = Row8.MultiplyAdd(c2, av.X2, bv); c3 = Row8.MultiplyAdd(c3, av.X3, bv);
                c4 = Row8.MultiplyAdd(c4, av.X4, bv); c5 = Row8.MultiplyAdd(c5, av.X5, bv);
                c6 = Row8.MultiplyAdd(c6, av.X6, bv); c7 = Row8.MultiplyAdd(c7, av.X7, bv);
            }
            if (!more) break;
            // The other buffer was last read before the previous barrier, so it is free: one barrier per slice.
            buffer ^= 1;
            Stash(s, staged, aTiles.SubView(buffer * Slice, Slice), bTiles.SubView(buffer * Slice, Slice), thread);
            Group.Barrier();
        }
        int low = row0 + 4 * ty, high = row0 + Half + 4 * ty, left = col0 + 4 * tx, right = col0 + Half + 4 * tx;
        StoreRow(s, c, z, low, left, right, alpha, beta, c0);
        StoreRow(s, c, z, low + 1, left, right, alpha, beta, c1);
        StoreRow(s, c, z, low + 2, left, right, alpha, beta, c2);
        StoreRow(s, c, z, low + 3, left, right, alpha, beta, c3);
        StoreRow(s, c, z, high, left, right, alpha, beta, c4);
        StoreRow(s, c, z, high + 1, left, right, alpha, beta, c5);
        StoreRow(s, c, z, high + 2, left, right, alpha, beta, c6);
        StoreRow(s, c, z, high + 3, left, right, alpha, beta, c7);
    }

    /// <summary>Eight values of a thread: its four neighbours at `low` and four at `high` (a k-row of a tile, or a row of its C tile).</summary>
    private struct Row8
    {
        public float X0, X1, X2, X3, X4, X5, X6, X7;

        public static Row8 Load(ArrayView<float> tile, int low, int high) => new()
        {
            X0 = tile[low], X1 = tile[low + 1], X2 = tile[low + 2], X3 = tile[low + 3],
            X4 = tile[high], X5 = tile[high + 1], X6 = tile[high + 2], X7 = tile[high + 3],
        };

        // acc + a·b, element by element
        public static Row8 MultiplyAdd(Row8 acc, float a, Row8 b) => new()
        {
            X0 = acc.X0 + a * b.X0, X1 = acc.X1 + a * b.X1, X2 = acc.X2 + a * b.X2, X3 = acc.X3 + a * b.X3,
            X4 = acc.X4 + a * b.X4, X5 = acc.X5 + a * b.X5, X6 = acc.X6 + a * b.X6, X7 = acc.X7 + a * b.X7,
        };
    }

    /// <summary>A thread's 4 elements of the A slice (128 × 8) and 4 of the B slice (8 × 128), as read from global memory.</summary>
    private struct Staged
    {
        public float A0, A1, A2, A3, B0, B1, B2, B3;
    }

    // Element `index` (0…1023) of a slice; consecutive indices follow the operand's memory order, so neighbouring
    // threads read neighbouring addresses: A not transposed runs along k, transposed along i; B along j, transposed along k.
    private static int ARow(GemmShape s, int index) => s.TransA != 0 ? index % Tile : index / SliceK;
    private static int AK(GemmShape s, int index) => s.TransA != 0 ? index / Tile : index % SliceK;
    private static int BK(GemmShape s, int index) => s.TransB != 0 ? index % SliceK : index / Tile;
    private static int BColumn(GemmShape s, int index) => s.TransB != 0 ? index / SliceK : index % Tile;

    private static Staged Fetch(GemmShape s, ArrayView<float> a, ArrayView<float> b, long z, int row0, int col0, int p0, int thread) => new()
    {
        A0 = FetchA(s, a, z, row0, p0, thread), A1 = FetchA(s, a, z, row0, p0, thread + GroupSize),
        A2 = FetchA(s, a, z, row0, p0, thread + 2 * GroupSize), A3 = FetchA(s, a, z, row0, p0, thread + 3 * GroupSize),
        B0 = FetchB(s, b, z, col0, p0, thread), B1 = FetchB(s, b, z, col0, p0, thread + GroupSize),
        B2 = FetchB(s, b, z, col0, p0, thread + 2 * GroupSize), B3 = FetchB(s, b, z, col0, p0, thread + 3 * GroupSize),
    };

    private static float FetchA(GemmShape s, ArrayView<float> a, long z, int row0, int p0, int index) =>
        s.LoadA(a, z, row0 + ARow(s, index), p0 + AK(s, index));

    private static float FetchB(GemmShape s, ArrayView<float> b, long z, int col0, int p0, int index) =>
        s.LoadB(b, z, p0 + BK(s, index), col0 + BColumn(s, index));

    private static void Stash(GemmShape s, Staged x, ArrayView<float> aTile, ArrayView<float> bTile, int thread)
    {
        StashA(s, aTile, thread, x.A0);
        StashA(s, aTile, thread + GroupSize, x.A1);
        StashA(s, aTile, thread + 2 * GroupSize, x.A2);
        StashA(s, aTile, thread + 3 * GroupSize, x.A3);
        StashB(s, bTile, thread, x.B0);
        StashB(s, bTile, thread + GroupSize, x.B1);
        StashB(s, bTile, thread + 2 * GroupSize, x.B2);
        StashB(s, bTile, thread + 3 * GroupSize, x.B3);
    }

    private static void StashA(GemmShape s, ArrayView<float> aTile, int index, float value) => aTile[AK(s, index) * Tile + ARow(s, index)] = value;

    private static void StashB(GemmShape s, ArrayView<float> bTile, int index, float value) => bTile[BK(s, index) * Tile + BColumn(s, index)] = value;

    private static void StoreRow(GemmShape s, ArrayView<float> c, long z, int i, int left, int right, float alpha, float beta, Row8 v)
    {
        s.Store(c, z, i, left, alpha, v.X0, beta);
        s.Store(c, z, i, left + 1, alpha, v.X1, beta);
        s.Store(c, z, i, left + 2, alpha, v.X2, beta);
        s.Store(c, z, i, left + 3, alpha, v.X3, beta);
        s.Store(c, z, i, right, alpha, v.X4, beta);
        s.Store(c, z, i, right + 1, alpha, v.X5, beta);
        s.Store(c, z, i, right + 2, alpha, v.X6, beta);
        s.Store(c, z, i, right + 3, alpha, v.X7, beta);
    }
}
