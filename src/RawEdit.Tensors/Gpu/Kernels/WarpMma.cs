using ILGPU.Runtime.Cuda;

namespace RawEdit.Tensors.Gpu.Kernels;

// The tensor cores as the GEMM kernels of TensorCoreGemmKernels use them: one warp multiplies a 64 × 32 tile of C as
// 4 × 4 tiles of m16n8 (bands i of 16 rows, j of 8 columns), fed one k-step at a time (k8 for TF32, k16 for bf16).
// Register fragments follow the PTX ISA ("Matrix Fragments for mma.m16n8k8" and "…m16n8k16 with floating point
// type"); with lane = 4g + t (g = lane / 4, t = lane % 4):
//   TF32, one element a register:   A (16 × 8, row-major)  R0 (g, t)   R1 (g + 8, t)   R2 (g, t + 4)   R3 (g + 8, t + 4)
//                                   B (8 × 8, column-major) R0 (t, g)   R1 (t + 4, g)
//   bf16, two elements a register, the lower k in the low 16 bits:
//                                   A (16 × 16)  R0 (g, 2t…2t+1)  R1 (g + 8, 2t…2t+1)  R2 (g, 2t+8…2t+9)  R3 (g + 8, 2t+8…2t+9)
//                                   B (16 × 8)   R0 (2t…2t+1, g)  R1 (2t+8…2t+9, g)
//   C, either (16 × 8, fp32):       element r at (g + 8·(r / 2), 2t + r % 2)
// Accumulator index 4·(4i + j) + r is element r of tile (i, j).

/// <summary>A lane's registers of one m16n8 tile's A operand (layouts above).</summary>
internal struct AFragment
{
    public uint R0, R1, R2, R3;
}

/// <summary>A lane's registers of one m16n8 tile's B operand (layouts above).</summary>
internal struct BFragment
{
    public uint R0, R1;
}

/// <summary>What a lane feeds its warp's 4 × 4 tiles for one k-step: the A fragments of bands i = 0…3, the B fragments of bands j = 0…3.</summary>
internal struct WarpFragments
{
    public AFragment A0, A1, A2, A3;
    public BFragment B0, B1, B2, B3;
}

/// <summary>
/// One warp's 64 accumulators of its 4 × 4 m16n8 tiles and the tensor-core step on them: the PTX instructions on a GPU
/// (<see cref="PtxWarpMma"/>), or a model of them where the kernels' data movement is tested on the CPU. Every lane of
/// the warp calls each method together (mma.sync is warp-wide).
/// </summary>
internal interface IWarpMma<TSelf> where TSelf : struct, IWarpMma<TSelf>
{
    /// <summary>The accumulators, zeroed; once per kernel.</summary>
    static abstract TSelf Start();

    /// <summary>acc(i, j) += A_i·B_j over one k8 step, TF32 operands (fp32 bit patterns with the 13 low bits zero).</summary>
    static abstract void Tf32(TSelf accumulators, WarpFragments f);

    /// <summary>acc(i, j) += A_i·B_j over one k16 step, bf16 operand pairs.</summary>
    static abstract void Bf16(TSelf accumulators, WarpFragments f);

    /// <summary>This lane's accumulator 4·(4i + j) + r.</summary>
    static abstract float Accumulator(TSelf accumulators, int index);
}

/// <summary>
/// The tensor cores through inline PTX (mma.sync, CUDA compute capability 8.0+). CudaAsm.Emit takes at most one output
/// operand and mma.sync has four, so the accumulators are not C# values: <see cref="Start"/> declares 64 registers
/// acc0…acc63 in the kernel's PTX (once: a kernel calls it once, and a second declaration would not assemble), every
/// mma.sync reads and writes four of them in place, and <see cref="Accumulator"/> copies one out. Each instruction text
/// must be a constant at its call site (ILGPU refuses a string passed in), hence one call per tile below.
/// </summary>
internal struct PtxWarpMma : IWarpMma<PtxWarpMma>
{
    private const string Tf32Mma = "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 ";
    private const string Bf16Mma = "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 ";
    private const string Operands = ", {%0, %1, %2, %3}, {%4, %5}, ";
    private const string C00 = "{acc0, acc1, acc2, acc3}";
    private const string C01 = "{acc4, acc5, acc6, acc7}";
    private const string C02 = "{acc8, acc9, acc10, acc11}";
    private const string C03 = "{acc12, acc13, acc14, acc15}";
    private const string C10 = "{acc16, acc17, acc18, acc19}";
    private const string C11 = "{acc20, acc21, acc22, acc23}";
    private const string C12 = "{acc24, acc25, acc26, acc27}";
    private const string C13 = "{acc28, acc29, acc30, acc31}";
    private const string C20 = "{acc32, acc33, acc34, acc35}";
    private const string C21 = "{acc36, acc37, acc38, acc39}";
    private const string C22 = "{acc40, acc41, acc42, acc43}";
    private const string C23 = "{acc44, acc45, acc46, acc47}";
    private const string C30 = "{acc48, acc49, acc50, acc51}";
    private const string C31 = "{acc52, acc53, acc54, acc55}";
    private const string C32 = "{acc56, acc57, acc58, acc59}";
    private const string C33 = "{acc60, acc61, acc62, acc63}";

    private const string DeclareAndZero = ".reg .f32 acc<64>;\n" +
        "mov.f32 acc0, 0f00000000; mov.f32 acc1, 0f00000000; mov.f32 acc2, 0f00000000; mov.f32 acc3, 0f00000000;\n" +
        "mov.f32 acc4, 0f00000000; mov.f32 acc5, 0f00000000; mov.f32 acc6, 0f00000000; mov.f32 acc7, 0f00000000;\n" +
        "mov.f32 acc8, 0f00000000; mov.f32 acc9, 0f00000000; mov.f32 acc10, 0f00000000; mov.f32 acc11, 0f00000000;\n" +
        "mov.f32 acc12, 0f00000000; mov.f32 acc13, 0f00000000; mov.f32 acc14, 0f00000000; mov.f32 acc15, 0f00000000;\n" +
        "mov.f32 acc16, 0f00000000; mov.f32 acc17, 0f00000000; mov.f32 acc18, 0f00000000; mov.f32 acc19, 0f00000000;\n" +
        "mov.f32 acc20, 0f00000000; mov.f32 acc21, 0f00000000; mov.f32 acc22, 0f00000000; mov.f32 acc23, 0f00000000;\n" +
        "mov.f32 acc24, 0f00000000; mov.f32 acc25, 0f00000000; mov.f32 acc26, 0f00000000; mov.f32 acc27, 0f00000000;\n" +
        "mov.f32 acc28, 0f00000000; mov.f32 acc29, 0f00000000; mov.f32 acc30, 0f00000000; mov.f32 acc31, 0f00000000;\n" +
        "mov.f32 acc32, 0f00000000; mov.f32 acc33, 0f00000000; mov.f32 acc34, 0f00000000; mov.f32 acc35, 0f00000000;\n" +
        "mov.f32 acc36, 0f00000000; mov.f32 acc37, 0f00000000; mov.f32 acc38, 0f00000000; mov.f32 acc39, 0f00000000;\n" +
        "mov.f32 acc40, 0f00000000; mov.f32 acc41, 0f00000000; mov.f32 acc42, 0f00000000; mov.f32 acc43, 0f00000000;\n" +
        "mov.f32 acc44, 0f00000000; mov.f32 acc45, 0f00000000; mov.f32 acc46, 0f00000000; mov.f32 acc47, 0f00000000;\n" +
        "mov.f32 acc48, 0f00000000; mov.f32 acc49, 0f00000000; mov.f32 acc50, 0f00000000; mov.f32 acc51, 0f00000000;\n" +
        "mov.f32 acc52, 0f00000000; mov.f32 acc53, 0f00000000; mov.f32 acc54, 0f00000000; mov.f32 acc55, 0f00000000;\n" +
        "mov.f32 acc56, 0f00000000; mov.f32 acc57, 0f00000000; mov.f32 acc58, 0f00000000; mov.f32 acc59, 0f00000000;\n" +
        "mov.f32 acc60, 0f00000000; mov.f32 acc61, 0f00000000; mov.f32 acc62, 0f00000000; mov.f32 acc63, 0f00000000;\n";

    public static PtxWarpMma Start()
    {
        CudaAsm.Emit(DeclareAndZero);
        return default;
    }

    public static void Tf32(PtxWarpMma accumulators, WarpFragments f)
    {
        CudaAsm.Emit(Tf32Mma + C00 + Operands + C00 + ";", f.A0.R0, f.A0.R1, f.A0.R2, f.A0.R3, f.B0.R0, f.B0.R1);
        CudaAsm.Emit(Tf32Mma + C01 + Operands + C01 + ";", f.A0.R0, f.A0.R1, f.A0.R2, f.A0.R3, f.B1.R0, f.B1.R1);
        CudaAsm.Emit(Tf32Mma + C02 + Operands + C02 + ";", f.A0.R0, f.A0.R1, f.A0.R2, f.A0.R3, f.B2.R0, f.B2.R1);
        CudaAsm.Emit(Tf32Mma + C03 + Operands + C03 + ";", f.A0.R0, f.A0.R1, f.A0.R2, f.A0.R3, f.B3.R0, f.B3.R1);
        CudaAsm.Emit(Tf32Mma + C10 + Operands + C10 + ";", f.A1.R0, f.A1.R1, f.A1.R2, f.A1.R3, f.B0.R0, f.B0.R1);
        CudaAsm.Emit(Tf32Mma + C11 + Operands + C11 + ";", f.A1.R0, f.A1.R1, f.A1.R2, f.A1.R3, f.B1.R0, f.B1.R1);
        CudaAsm.Emit(Tf32Mma + C12 + Operands + C12 + ";", f.A1.R0, f.A1.R1, f.A1.R2, f.A1.R3, f.B2.R0, f.B2.R1);
        CudaAsm.Emit(Tf32Mma + C13 + Operands + C13 + ";", f.A1.R0, f.A1.R1, f.A1.R2, f.A1.R3, f.B3.R0, f.B3.R1);
        CudaAsm.Emit(Tf32Mma + C20 + Operands + C20 + ";", f.A2.R0, f.A2.R1, f.A2.R2, f.A2.R3, f.B0.R0, f.B0.R1);
        CudaAsm.Emit(Tf32Mma + C21 + Operands + C21 + ";", f.A2.R0, f.A2.R1, f.A2.R2, f.A2.R3, f.B1.R0, f.B1.R1);
        CudaAsm.Emit(Tf32Mma + C22 + Operands + C22 + ";", f.A2.R0, f.A2.R1, f.A2.R2, f.A2.R3, f.B2.R0, f.B2.R1);
        CudaAsm.Emit(Tf32Mma + C23 + Operands + C23 + ";", f.A2.R0, f.A2.R1, f.A2.R2, f.A2.R3, f.B3.R0, f.B3.R1);
        CudaAsm.Emit(Tf32Mma + C30 + Operands + C30 + ";", f.A3.R0, f.A3.R1, f.A3.R2, f.A3.R3, f.B0.R0, f.B0.R1);
        CudaAsm.Emit(Tf32Mma + C31 + Operands + C31 + ";", f.A3.R0, f.A3.R1, f.A3.R2, f.A3.R3, f.B1.R0, f.B1.R1);
        CudaAsm.Emit(Tf32Mma + C32 + Operands + C32 + ";", f.A3.R0, f.A3.R1, f.A3.R2, f.A3.R3, f.B2.R0, f.B2.R1);
        CudaAsm.Emit(Tf32Mma + C33 + Operands + C33 + ";", f.A3.R0, f.A3.R1, f.A3.R2, f.A3.R3, f.B3.R0, f.B3.R1);
    }

    public static void Bf16(PtxWarpMma accumulators, WarpFragments f)
    {
        CudaAsm.Emit(Bf16Mma + C00 + Operands + C00 + ";", f.A0.R0, f.A0.R1, f.A0.R2, f.A0.R3, f.B0.R0, f.B0.R1);
        CudaAsm.Emit(Bf16Mma + C01 + Operands + C01 + ";", f.A0.R0, f.A0.R1, f.A0.R2, f.A0.R3, f.B1.R0, f.B1.R1);
        CudaAsm.Emit(Bf16Mma + C02 + Operands + C02 + ";", f.A0.R0, f.A0.R1, f.A0.R2, f.A0.R3, f.B2.R0, f.B2.R1);
        CudaAsm.Emit(Bf16Mma + C03 + Operands + C03 + ";", f.A0.R0, f.A0.R1, f.A0.R2, f.A0.R3, f.B3.R0, f.B3.R1);
        CudaAsm.Emit(Bf16Mma + C10 + Operands + C10 + ";", f.A1.R0, f.A1.R1, f.A1.R2, f.A1.R3, f.B0.R0, f.B0.R1);
        CudaAsm.Emit(Bf16Mma + C11 + Operands + C11 + ";", f.A1.R0, f.A1.R1, f.A1.R2, f.A1.R3, f.B1.R0, f.B1.R1);
        CudaAsm.Emit(Bf16Mma + C12 + Operands + C12 + ";", f.A1.R0, f.A1.R1, f.A1.R2, f.A1.R3, f.B2.R0, f.B2.R1);
        CudaAsm.Emit(Bf16Mma + C13 + Operands + C13 + ";", f.A1.R0, f.A1.R1, f.A1.R2, f.A1.R3, f.B3.R0, f.B3.R1);
        CudaAsm.Emit(Bf16Mma + C20 + Operands + C20 + ";", f.A2.R0, f.A2.R1, f.A2.R2, f.A2.R3, f.B0.R0, f.B0.R1);
        CudaAsm.Emit(Bf16Mma + C21 + Operands + C21 + ";", f.A2.R0, f.A2.R1, f.A2.R2, f.A2.R3, f.B1.R0, f.B1.R1);
        CudaAsm.Emit(Bf16Mma + C22 + Operands + C22 + ";", f.A2.R0, f.A2.R1, f.A2.R2, f.A2.R3, f.B2.R0, f.B2.R1);
        CudaAsm.Emit(Bf16Mma + C23 + Operands + C23 + ";", f.A2.R0, f.A2.R1, f.A2.R2, f.A2.R3, f.B3.R0, f.B3.R1);
        CudaAsm.Emit(Bf16Mma + C30 + Operands + C30 + ";", f.A3.R0, f.A3.R1, f.A3.R2, f.A3.R3, f.B0.R0, f.B0.R1);
        CudaAsm.Emit(Bf16Mma + C31 + Operands + C31 + ";", f.A3.R0, f.A3.R1, f.A3.R2, f.A3.R3, f.B1.R0, f.B1.R1);
        CudaAsm.Emit(Bf16Mma + C32 + Operands + C32 + ";", f.A3.R0, f.A3.R1, f.A3.R2, f.A3.R3, f.B2.R0, f.B2.R1);
        CudaAsm.Emit(Bf16Mma + C33 + Operands + C33 + ";", f.A3.R0, f.A3.R1, f.A3.R2, f.A3.R3, f.B3.R0, f.B3.R1);
    }

    public static float Accumulator(PtxWarpMma accumulators, int index)
    {
        float value;
        switch (index)
        {
            case 0: CudaAsm.Emit("mov.f32 %0, acc0;", out value); break;
            case 1: CudaAsm.Emit("mov.f32 %0, acc1;", out value); break;
            case 2: CudaAsm.Emit("mov.f32 %0, acc2;", out value); break;
            case 3: CudaAsm.Emit("mov.f32 %0, acc3;", out value); break;
            case 4: CudaAsm.Emit("mov.f32 %0, acc4;", out value); break;
            case 5: CudaAsm.Emit("mov.f32 %0, acc5;", out value); break;
            case 6: CudaAsm.Emit("mov.f32 %0, acc6;", out value); break;
            case 7: CudaAsm.Emit("mov.f32 %0, acc7;", out value); break;
            case 8: CudaAsm.Emit("mov.f32 %0, acc8;", out value); break;
            case 9: CudaAsm.Emit("mov.f32 %0, acc9;", out value); break;
            case 10: CudaAsm.Emit("mov.f32 %0, acc10;", out value); break;
            case 11: CudaAsm.Emit("mov.f32 %0, acc11;", out value); break;
            case 12: CudaAsm.Emit("mov.f32 %0, acc12;", out value); break;
            case 13: CudaAsm.Emit("mov.f32 %0, acc13;", out value); break;
            case 14: CudaAsm.Emit("mov.f32 %0, acc14;", out value); break;
            case 15: CudaAsm.Emit("mov.f32 %0, acc15;", out value); break;
            case 16: CudaAsm.Emit("mov.f32 %0, acc16;", out value); break;
            case 17: CudaAsm.Emit("mov.f32 %0, acc17;", out value); break;
            case 18: CudaAsm.Emit("mov.f32 %0, acc18;", out value); break;
            case 19: CudaAsm.Emit("mov.f32 %0, acc19;", out value); break;
            case 20: CudaAsm.Emit("mov.f32 %0, acc20;", out value); break;
            case 21: CudaAsm.Emit("mov.f32 %0, acc21;", out value); break;
            case 22: CudaAsm.Emit("mov.f32 %0, acc22;", out value); break;
            case 23: CudaAsm.Emit("mov.f32 %0, acc23;", out value); break;
            case 24: CudaAsm.Emit("mov.f32 %0, acc24;", out value); break;
            case 25: CudaAsm.Emit("mov.f32 %0, acc25;", out value); break;
            case 26: CudaAsm.Emit("mov.f32 %0, acc26;", out value); break;
            case 27: CudaAsm.Emit("mov.f32 %0, acc27;", out value); break;
            case 28: CudaAsm.Emit("mov.f32 %0, acc28;", out value); break;
            case 29: CudaAsm.Emit("mov.f32 %0, acc29;", out value); break;
            case 30: CudaAsm.Emit("mov.f32 %0, acc30;", out value); break;
            case 31: CudaAsm.Emit("mov.f32 %0, acc31;", out value); break;
            case 32: CudaAsm.Emit("mov.f32 %0, acc32;", out value); break;
            case 33: CudaAsm.Emit("mov.f32 %0, acc33;", out value); break;
            case 34: CudaAsm.Emit("mov.f32 %0, acc34;", out value); break;
            case 35: CudaAsm.Emit("mov.f32 %0, acc35;", out value); break;
            case 36: CudaAsm.Emit("mov.f32 %0, acc36;", out value); break;
            case 37: CudaAsm.Emit("mov.f32 %0, acc37;", out value); break;
            case 38: CudaAsm.Emit("mov.f32 %0, acc38;", out value); break;
            case 39: CudaAsm.Emit("mov.f32 %0, acc39;", out value); break;
            case 40: CudaAsm.Emit("mov.f32 %0, acc40;", out value); break;
            case 41: CudaAsm.Emit("mov.f32 %0, acc41;", out value); break;
            case 42: CudaAsm.Emit("mov.f32 %0, acc42;", out value); break;
            case 43: CudaAsm.Emit("mov.f32 %0, acc43;", out value); break;
            case 44: CudaAsm.Emit("mov.f32 %0, acc44;", out value); break;
            case 45: CudaAsm.Emit("mov.f32 %0, acc45;", out value); break;
            case 46: CudaAsm.Emit("mov.f32 %0, acc46;", out value); break;
            case 47: CudaAsm.Emit("mov.f32 %0, acc47;", out value); break;
            case 48: CudaAsm.Emit("mov.f32 %0, acc48;", out value); break;
            case 49: CudaAsm.Emit("mov.f32 %0, acc49;", out value); break;
            case 50: CudaAsm.Emit("mov.f32 %0, acc50;", out value); break;
            case 51: CudaAsm.Emit("mov.f32 %0, acc51;", out value); break;
            case 52: CudaAsm.Emit("mov.f32 %0, acc52;", out value); break;
            case 53: CudaAsm.Emit("mov.f32 %0, acc53;", out value); break;
            case 54: CudaAsm.Emit("mov.f32 %0, acc54;", out value); break;
            case 55: CudaAsm.Emit("mov.f32 %0, acc55;", out value); break;
            case 56: CudaAsm.Emit("mov.f32 %0, acc56;", out value); break;
            case 57: CudaAsm.Emit("mov.f32 %0, acc57;", out value); break;
            case 58: CudaAsm.Emit("mov.f32 %0, acc58;", out value); break;
            case 59: CudaAsm.Emit("mov.f32 %0, acc59;", out value); break;
            case 60: CudaAsm.Emit("mov.f32 %0, acc60;", out value); break;
            case 61: CudaAsm.Emit("mov.f32 %0, acc61;", out value); break;
            case 62: CudaAsm.Emit("mov.f32 %0, acc62;", out value); break;
            case 63: CudaAsm.Emit("mov.f32 %0, acc63;", out value); break;
            default: value = 0; break;
        }
        return value;
    }
}
