using ILGPU;
using RawEdit.Tensors.Gpu.Kernels;

namespace RawEdit.Tests.Tensors.Gpu;

/// <summary>
/// A CPU model of mma.sync for the tensor-core GEMM kernels on ILGPU's CPU accelerator (32-lane warps), written from the
/// PTX ISA's fragment tables, not from the kernels: each lane puts its fragment registers at the (row, k) and (k, column)
/// places the ISA gives them in the warp's shared exchange, and after a warp barrier sums its accumulators' elements
/// (products in fp32, as tf32·tf32 and bf16·bf16 are exact there). A kernel that loads the wrong elements into a
/// fragment, or stores an accumulator to the wrong place of C, computes a different product here.
/// </summary>
internal struct EmulatedWarpMma : IWarpMma<EmulatedWarpMma>
{
    private const int Warps = 8, BandA = 16 * 16, BandB = 16 * 8, PerWarp = 4 * BandA + 4 * BandB;

    private ArrayView<float> accumulators;   // this lane's 64: 4·(4i + j) + r
    private ArrayView<float> a;              // the warp's A bands: a[i·BandA + row·16 + k]
    private ArrayView<float> b;              // the warp's B bands: b[j·BandB + k·8 + column]

    public static EmulatedWarpMma Start()
    {
        var exchange = SharedMemory.Allocate<float>(Warps * PerWarp);
        var warp = exchange.SubView(Warp.WarpIdx * PerWarp, PerWarp);
        var state = new EmulatedWarpMma
        {
            accumulators = LocalMemory.Allocate<float>(64), a = warp.SubView(0, 4 * BandA), b = warp.SubView(4 * BandA, 4 * BandB),
        };
        for (int index = 0; index < 64; index++) state.accumulators[index] = 0;
        return state;
    }

    // m16n8k8 .tf32, one element a register, g = lane / 4, t = lane % 4:
    //   A R0 (g, t), R1 (g + 8, t), R2 (g, t + 4), R3 (g + 8, t + 4);  B R0 (t, g), R1 (t + 4, g)
    public static void Tf32(EmulatedWarpMma s, WarpFragments f)
    {
        int g = Warp.LaneIdx / 4, t = Warp.LaneIdx % 4;
        for (int i = 0; i < 4; i++)
        {
            var x = ABand(f, i);
            s.SetA(i, g, t, x.R0);
            s.SetA(i, g + 8, t, x.R1);
            s.SetA(i, g, t + 4, x.R2);
            s.SetA(i, g + 8, t + 4, x.R3);
        }
        for (int j = 0; j < 4; j++)
        {
            var y = BBand(f, j);
            s.SetB(j, t, g, y.R0);
            s.SetB(j, t + 4, g, y.R1);
        }
        s.MultiplyAdd(8);
    }

    // m16n8k16 .bf16, two elements a register, the lower k in the low half:
    //   A R0 (g, 2t…2t+1), R1 (g + 8, 2t…2t+1), R2 (g, 2t+8…2t+9), R3 (g + 8, 2t+8…2t+9);  B R0 (2t…2t+1, g), R1 (2t+8…2t+9, g)
    public static void Bf16(EmulatedWarpMma s, WarpFragments f)
    {
        int g = Warp.LaneIdx / 4, t = Warp.LaneIdx % 4;
        for (int i = 0; i < 4; i++)
        {
            var x = ABand(f, i);
            s.SetAPair(i, g, 2 * t, x.R0);
            s.SetAPair(i, g + 8, 2 * t, x.R1);
            s.SetAPair(i, g, 2 * t + 8, x.R2);
            s.SetAPair(i, g + 8, 2 * t + 8, x.R3);
        }
        for (int j = 0; j < 4; j++)
        {
            var y = BBand(f, j);
            s.SetBPair(j, 2 * t, g, y.R0);
            s.SetBPair(j, 2 * t + 8, g, y.R1);
        }
        s.MultiplyAdd(16);
    }

    public static float Accumulator(EmulatedWarpMma s, int index) => s.accumulators[index];

    private static AFragment ABand(WarpFragments f, int i) => i switch { 0 => f.A0, 1 => f.A1, 2 => f.A2, _ => f.A3 };

    private static BFragment BBand(WarpFragments f, int j) => j switch { 0 => f.B0, 1 => f.B1, 2 => f.B2, _ => f.B3 };

    private readonly void SetA(int band, int row, int k, uint bits) => a[band * BandA + row * 16 + k] = Interop.IntAsFloat(bits);

    private readonly void SetB(int band, int k, int column, uint bits) => b[band * BandB + k * 8 + column] = Interop.IntAsFloat(bits);

    private readonly void SetAPair(int band, int row, int k, uint pair)
    {
        SetA(band, row, k, pair << 16);
        SetA(band, row, k + 1, pair & 0xffff0000u);
    }

    private readonly void SetBPair(int band, int k, int column, uint pair)
    {
        SetB(band, k, column, pair << 16);
        SetB(band, k + 1, column, pair & 0xffff0000u);
    }

    // Once every lane has placed its fragments: D = A·B + C for each tile, this lane's elements r at (g + 8·(r / 2), 2t + r % 2).
    private readonly void MultiplyAdd(int depth)
    {
        Warp.Barrier();
        int g = Warp.LaneIdx / 4, t = Warp.LaneIdx % 4;
        for (int tile = 0; tile < 16; tile++)
            for (int r = 0; r < 4; r++)
            {
                int row = g + 8 * (r / 2), column = 2 * t + r % 2;
                float sum = 0;
                for (int k = 0; k < depth; k++) sum += a[tile / 4 * BandA + row * 16 + k] * b[tile % 4 * BandB + k * 8 + column];
                accumulators[4 * tile + r] += sum;
            }
        Warp.Barrier();   // the exchange is free for the next step
    }
}
