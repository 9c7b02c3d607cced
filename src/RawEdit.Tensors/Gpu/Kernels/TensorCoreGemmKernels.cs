using ILGPU;
using static RawEdit.Tensors.Gpu.Kernels.ConversionKernels;

namespace RawEdit.Tensors.Gpu.Kernels;

/// <summary>
/// GEMM on the tensor cores, the contract of <see cref="GemmShape"/> (every transpose, strided batches, alpha and beta,
/// beta = 0 never reading C) with C in fp32 and the operands rounded to the tensor cores' input type:
///   <see cref="Tf32{TMma}"/>: fp32 A and B rounded to TF32 (10-bit mantissa; nearest, ties away, as cvt.rna.tf32.f32);
///   <see cref="Bf16{TMma}"/>: A and B each fp32, bf16 or f16, rounded to bf16 (nearest even), so a bf16-stored weight
///   is read as stored, with no widened copy.
/// Products and sums are fp32. Block: 128 × 128 of C, 256 threads = 8 warps as 2 (rows) × 4 (columns), each warp
/// 64 × 32 of C as TMma's 4 × 4 m16n8 tiles (WarpMma.cs has the fragment layouts). k goes through shared memory in
/// slices, each operand rounded once on its way in. Grid: (⌈n / 128⌉, ⌈m / 128⌉, batch); only <see cref="GroupSize"/>.
/// TMma is <see cref="PtxWarpMma"/> on a GPU (compute capability 8.0+).
/// </summary>
internal static class TensorCoreGemmKernels
{
    public const int Tile = 128, GroupSize = 256;

    /// <summary>Operand element types of <see cref="Bf16{TMma}"/>.</summary>
    public const int OperandF32 = 0, OperandBf16 = 1, OperandF16 = 2;

    // TF32: k slices of 16 (two k8 steps), tiles k-major (tile[p·Tf32Row + i]); rows padded by 4 so a fragment read
    // (rows g, k t: address 132·t + g) hits 32 different banks.
    private const int Tf32K = 16, Tf32Row = Tile + 4;

    // bf16: k slices of 32 (two k16 steps) as 16 words of bf16 pairs per row of op(A) and per column of op(B)
    // (tile[outer·Bf16Row + word]); rows padded to 20 words, so a fragment read (rows g, words t) hits 32 banks.
    private const int Bf16Words = 16, Bf16Row = Bf16Words + 4;

    /// <summary>x rounded to TF32 as cvt.rna.tf32.f32: to nearest on the 13 dropped bits, ties away from zero; NaN stays NaN.</summary>
    public static uint RoundToTf32(float x)
    {
        uint bits = Interop.FloatAsInt(x), magnitude = bits & 0x7fffffffu;
        if (magnitude > 0x7f800000u) return (bits | 0x400000u) & 0xffffe000u;
        if (magnitude == 0x7f800000u) return bits;
        return (bits + 0x1000u) & 0xffffe000u;   // a carry into the exponent is the rounding up (to infinity past the largest)
    }

    public static void Tf32<TMma>(GemmShape s, float alpha, float beta, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
        where TMma : struct, IWarpMma<TMma>
    {
        var aTile = SharedMemory.Allocate<uint>(Tf32K * Tf32Row);   // aTile[p·Tf32Row + i] = tf32(op(A)[row0 + i, p0 + p])
        var bTile = SharedMemory.Allocate<uint>(Tf32K * Tf32Row);   // bTile[p·Tf32Row + j] = tf32(op(B)[p0 + p, col0 + j])
        long z = Grid.IdxZ;
        int row0 = Grid.IdxY * Tile, col0 = Grid.IdxX * Tile;
        var lane = WarpLane.Current;
        var accumulators = TMma.Start();
        for (int p0 = 0; p0 < s.K; p0 += Tf32K)
        {
            // Consecutive threads take consecutive addresses of the operand as it lies in memory.
            for (int e = Group.IdxX; e < Tile * Tf32K; e += GroupSize)
            {
                int i = s.TransA != 0 ? e % Tile : e / Tf32K, pa = s.TransA != 0 ? e / Tile : e % Tf32K;
                aTile[pa * Tf32Row + i] = RoundToTf32(s.LoadA(a, z, row0 + i, p0 + pa));
                int j = s.TransB != 0 ? e / Tf32K : e % Tile, pb = s.TransB != 0 ? e % Tf32K : e / Tile;
                bTile[pb * Tf32Row + j] = RoundToTf32(s.LoadB(b, z, p0 + pb, col0 + j));
            }
            Group.Barrier();
            for (int ks = 0; ks < Tf32K; ks += 8)
                TMma.Tf32(accumulators, Fragments(aTile, 1, Tf32Row, bTile, 1, Tf32Row, ks, lane));
            Group.Barrier();
        }
        StoreWarpTile(accumulators, s, c, z, row0, col0, lane, alpha, beta);
    }

    /// <summary>a and b hold elements of type kindA / kindB (<see cref="OperandF32"/>, <see cref="OperandBf16"/>, <see cref="OperandF16"/>) as bytes.</summary>
    public static void Bf16<TMma>(GemmShape s, int kindA, int kindB, float alpha, float beta, ArrayView<byte> a, ArrayView<byte> b, ArrayView<float> c)
        where TMma : struct, IWarpMma<TMma>
    {
        var aTile = SharedMemory.Allocate<uint>(Tile * Bf16Row);   // aTile[i·Bf16Row + w] = op(A)[row0 + i, p0 + 2w … 2w + 1]
        var bTile = SharedMemory.Allocate<uint>(Tile * Bf16Row);   // bTile[j·Bf16Row + w] = op(B)[p0 + 2w … 2w + 1, col0 + j]
        var (aWide, aHalf, bWide, bHalf) = (a.Cast<float>(), a.Cast<ushort>(), b.Cast<float>(), b.Cast<ushort>());
        long z = Grid.IdxZ;
        int row0 = Grid.IdxY * Tile, col0 = Grid.IdxX * Tile;
        var lane = WarpLane.Current;
        var accumulators = TMma.Start();
        for (int p0 = 0; p0 < s.K; p0 += 2 * Bf16Words)
        {
            // Consecutive threads take consecutive addresses: along k for A not transposed and B transposed, else along i or j.
            for (int e = Group.IdxX; e < Tile * Bf16Words; e += GroupSize)
            {
                int i = s.TransA == 0 ? e / Bf16Words : e % Tile, wa = s.TransA == 0 ? e % Bf16Words : e / Tile;
                int pa = p0 + 2 * wa;
                aTile[i * Bf16Row + wa] = Bf16A(s, kindA, aWide, aHalf, z, row0 + i, pa) | Bf16A(s, kindA, aWide, aHalf, z, row0 + i, pa + 1) << 16;
                int j = s.TransB != 0 ? e / Bf16Words : e % Tile, wb = s.TransB != 0 ? e % Bf16Words : e / Tile;
                int pb = p0 + 2 * wb;
                bTile[j * Bf16Row + wb] = Bf16B(s, kindB, bWide, bHalf, z, pb, col0 + j) | Bf16B(s, kindB, bWide, bHalf, z, pb + 1, col0 + j) << 16;
            }
            Group.Barrier();
            for (int ws = 0; ws < Bf16Words; ws += 8)
                TMma.Bf16(accumulators, Fragments(aTile, Bf16Row, 1, bTile, Bf16Row, 1, ws, lane));
            Group.Barrier();
        }
        StoreWarpTile(accumulators, s, c, z, row0, col0, lane, alpha, beta);
    }

    // op(A)[i, p] and op(B)[p, j] as bf16 bits, zero outside the matrix.
    private static uint Bf16A(GemmShape s, int kind, ArrayView<float> wide, ArrayView<ushort> half, long z, int i, int p) => kind switch
    {
        OperandF32 => FloatToBFloat16Bits(s.LoadA(wide, z, i, p)),
        OperandBf16 => s.LoadA(half, z, i, p),
        _ => FloatToBFloat16Bits(HalfBitsToFloat(s.LoadA(half, z, i, p))),
    };

    private static uint Bf16B(GemmShape s, int kind, ArrayView<float> wide, ArrayView<ushort> half, long z, int p, int j) => kind switch
    {
        OperandF32 => FloatToBFloat16Bits(s.LoadB(wide, z, p, j)),
        OperandBf16 => s.LoadB(half, z, p, j),
        _ => FloatToBFloat16Bits(HalfBitsToFloat(s.LoadB(half, z, p, j))),
    };

    // A lane's fragments for the k-step at ks (TF32: k; bf16: the word of k pairs), the tiles' element (row, k) at
    // aTile[row·aRowStride + k·aKStride] and (k, column) at bTile[column·bColumnStride + k·bKStride]. Band i of A starts
    // at row lane.ARow + 16i, band j of B at column lane.BColumn + 8j; both types place their registers alike:
    //   A R0 (g, t), R1 (g + 8, t), R2 (g, t + 4), R3 (g + 8, t + 4);  B R0 (t, g), R1 (t + 4, g)   (k counted in pairs for bf16)
    private static WarpFragments Fragments(ArrayView<uint> aTile, int aRowStride, int aKStride, ArrayView<uint> bTile, int bColumnStride, int bKStride,
        int ks, WarpLane lane)
    {
        int a0 = (ks + lane.T) * aKStride, a4 = (ks + lane.T + 4) * aKStride, b0 = (ks + lane.T) * bKStride, b4 = (ks + lane.T + 4) * bKStride;
        return new WarpFragments
        {
            A0 = ABand(aTile, lane.ARow * aRowStride, 8 * aRowStride, a0, a4), A1 = ABand(aTile, (lane.ARow + 16) * aRowStride, 8 * aRowStride, a0, a4),
            A2 = ABand(aTile, (lane.ARow + 32) * aRowStride, 8 * aRowStride, a0, a4), A3 = ABand(aTile, (lane.ARow + 48) * aRowStride, 8 * aRowStride, a0, a4),
            B0 = BBand(bTile, lane.BColumn * bColumnStride, b0, b4), B1 = BBand(bTile, (lane.BColumn + 8) * bColumnStride, b0, b4),
            B2 = BBand(bTile, (lane.BColumn + 16) * bColumnStride, b0, b4), B3 = BBand(bTile, (lane.BColumn + 24) * bColumnStride, b0, b4),
        };
    }

    // rows g and g + 8 (at `row` and `row + eight`) by k t and t + 4 (at k0 and k4)
    private static AFragment ABand(ArrayView<uint> aTile, int row, int eight, int k0, int k4) => new()
    {
        R0 = aTile[row + k0], R1 = aTile[row + eight + k0], R2 = aTile[row + k4], R3 = aTile[row + eight + k4],
    };

    private static BFragment BBand(ArrayView<uint> bTile, int column, int k0, int k4) => new() { R0 = bTile[column + k0], R1 = bTile[column + k4] };

    // The warp's 64 × 32 of C: accumulator 4·(4i + j) + r at row 16i + g + 8·(r / 2), column 8j + 2t + r % 2 of the warp's tile.
    private static void StoreWarpTile<TMma>(TMma accumulators, GemmShape s, ArrayView<float> c, long z, int row0, int col0, WarpLane lane,
        float alpha, float beta) where TMma : struct, IWarpMma<TMma>
    {
        for (int index = 0; index < 64; index++)
        {
            int tile = index / 4, r = index % 4;
            int i = row0 + lane.ARow + tile / 4 * 16 + 8 * (r / 2), j = col0 + lane.CColumn + tile % 4 * 8 + r % 2;
            s.Store(c, z, i, j, alpha, TMma.Accumulator(accumulators, index), beta);
        }
    }

    /// <summary>
    /// A thread's place in the block tile: lane 4G + T of warp w (8 warps as 2 rows × 4 columns of 64 × 32, at row
    /// 64·(w / 4), column 32·(w % 4)). ARow: the row of its A fragments' R0 in band 0 (warp row + G); BColumn: the column
    /// of its B fragments in band 0 (warp column + G); CColumn: the column of its accumulator 0 (warp column + 2T).
    /// </summary>
    private struct WarpLane
    {
        public int T, ARow, BColumn, CColumn;

        public static WarpLane Current
        {
            get
            {
                int lane = Group.IdxX % 32, warp = Group.IdxX / 32, g = lane / 4, t = lane % 4;
                int warpRow = warp / 4 * 64, warpColumn = warp % 4 * 32;
                return new WarpLane { T = t, ARow = warpRow + g, BColumn = warpColumn + g, CColumn = warpColumn + 2 * t };
            }
        }
    }
}
