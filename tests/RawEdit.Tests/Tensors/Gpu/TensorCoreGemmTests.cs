using ILGPU;
using ILGPU.Runtime;
using RawEdit.Tensors;
using RawEdit.Tensors.Backend;
using RawEdit.Tensors.Gpu;
using RawEdit.Tensors.Gpu.Kernels;
using static RawEdit.Tests.Tensors.Gpu.GemmCases;

namespace RawEdit.Tests.Tensors.Gpu;

/// <summary>
/// The tensor-core GEMM kernels without a GPU: their tile loads (every transpose, padded leading dimensions, ragged
/// edges, batches), operand rounding, fragment loads and epilogue (alpha, beta, beta = 0 never reading C) run on ILGPU's
/// CPU accelerator with 32-lane warps, <see cref="EmulatedWarpMma"/> standing in for mma.sync. Expected: the CPU
/// backend's product of the inputs rounded here, independently of the kernels. The PTX path itself (the instructions
/// and their registers) runs only on a GPU: GpuBackendTests' cuda fixture.
/// </summary>
[TestFixture, NonParallelizable]
internal class TensorCoreGemmTests
{
    private readonly Accelerator warps = WideGroups.Accelerator;

    /// <summary>TF32 by its definition on normal numbers: 11 significant bits, to nearest, ties away from zero.</summary>
    private static float Tf32(float x)
    {
        if (x == 0 || !float.IsFinite(x)) return x;
        double unit = Math.ScaleB(1.0, Math.ILogB(x) - 10);
        return (float)(Math.Round(x / unit, MidpointRounding.AwayFromZero) * unit);
    }

    /// <summary>What the bf16 kernel reads for each element of an operand stored as <paramref name="kind"/>, and the stored data.</summary>
    private static (float[] Rounded, byte[] Stored) Operand(float[] values, DType kind)
    {
        float[] Widen(DType half, ushort[] bits)
        {
            var wide = new float[bits.Length];
            HalfPrecision.ToSingle(half, bits, wide);
            return wide;
        }
        ushort[] Narrow(DType half, float[] x)
        {
            var bits = new ushort[x.Length];
            HalfPrecision.FromSingle(half, x, bits);
            return bits;
        }
        // Stored as fp32 or bf16: bf16(x); as f16: bf16 of the f16 value.
        var asStored = kind == DType.F16 ? Widen(DType.F16, Narrow(DType.F16, values)) : values;
        var rounded = Widen(DType.BF16, Narrow(DType.BF16, asStored));
        byte[] stored = kind switch
        {
            DType.F32 => values.SelectMany(BitConverter.GetBytes).ToArray(),
            _ => Narrow(kind, values).SelectMany(BitConverter.GetBytes).ToArray(),
        };
        return (rounded, stored);
    }

    [Test]
    public void Tf32_kernel_is_the_fp32_product_of_tf32_rounded_inputs([Values] bool transA, [Values] bool transB, [Values(0f, 0.5f)] float beta)
    {
        const int m = 200, n = 150, k = 37, batch = 2;   // ragged in every dimension (tiles 128 × 128, k slices of 16)
        var s = Shape(transA, transB, m, n, k);
        var (a, b, c) = (Random(batch * s.StrideA, 1), Random(batch * s.StrideB, 2), Random(batch * s.StrideC, 3));
        if (beta == 0) Array.Fill(c, float.NaN);   // beta = 0 must not read C
        using var onA = warps.Allocate1D(a);
        using var onB = warps.Allocate1D(b);
        using var onC = warps.Allocate1D(c);
        GemmDispatch.LaunchTf32<EmulatedWarpMma>(warps, s, 1.5f, onA.View, onB.View, beta, onC.View, batch);
        warps.Synchronize();
        var actual = onC.GetAsArray1D();

        var expected = CpuProduct(s, 1.5, a.Select(Tf32).ToArray(), b.Select(Tf32).ToArray(), beta, c, batch);
        double fromFp32 = RelativeDifference(CpuProduct(s, 1.5, a, b, beta, c, batch), actual);
        TestContext.Out.WriteLine($"TF32 kernel: {RelativeDifference(expected, actual):E2} from the product of TF32-rounded inputs, {fromFp32:E2} from fp32's");
        AssertSameProduct(expected, actual, 1e-5);
        Assert.That(fromFp32, Is.GreaterThan(3e-5), "the inputs were rounded to TF32");
    }

    private float[] RunBf16(GemmShape s, float alpha, byte[] a, DType kindA, byte[] b, DType kindB, float beta, float[] c, int batch)
    {
        using var onA = warps.Allocate1D(a);
        using var onB = warps.Allocate1D(b);
        using var onC = warps.Allocate1D(c);
        GemmDispatch.LaunchBf16<EmulatedWarpMma>(warps, s, alpha, onA.View, GemmDispatch.Bf16Operand(kindA), onB.View, GemmDispatch.Bf16Operand(kindB),
            beta, onC.View, batch);
        warps.Synchronize();
        return onC.GetAsArray1D();
    }

    private void Bf16ProductIsExact(bool transA, bool transB, DType kindA, DType kindB, float beta)
    {
        const int m = 150, n = 140, k = 45, batch = 2;   // ragged in every dimension (k slices of 32) and k odd (half a pair)
        var s = Shape(transA, transB, m, n, k);
        var (a, b, c) = (Random(batch * s.StrideA, 4), Random(batch * s.StrideB, 5), Random(batch * s.StrideC, 6));
        if (beta == 0) Array.Fill(c, float.NaN);
        var (aRounded, aStored) = Operand(a, kindA);
        var (bRounded, bStored) = Operand(b, kindB);
        var actual = RunBf16(s, 1.5f, aStored, kindA, bStored, kindB, beta, c, batch);

        // bf16 × bf16 is exact in fp32: the kernel and the CPU differ by summation order only.
        var expected = CpuProduct(s, 1.5, aRounded, bRounded, beta, c, batch);
        double fromFp32 = RelativeDifference(CpuProduct(s, 1.5, a, b, beta, c, batch), actual);
        TestContext.Out.WriteLine($"bf16 kernel: {RelativeDifference(expected, actual):E2} from the product of bf16-rounded inputs, {fromFp32:E2} from fp32's");
        AssertSameProduct(expected, actual, 1e-5);
        Assert.That(fromFp32, Is.GreaterThan(5e-4), "the inputs were rounded to bf16");
    }

    [Test]
    public void Bf16_kernel_reads_fp32_bf16_and_f16_operands_as_stored([Values(DType.F32, DType.BF16, DType.F16)] DType kindA,
        [Values(DType.F32, DType.BF16, DType.F16)] DType kindB) =>
        Bf16ProductIsExact(transA: kindA == DType.F16, transB: kindB == DType.BF16, kindA, kindB, beta: 0.5f);

    [Test]
    public void Bf16_kernel_in_every_transpose_never_reads_c_when_beta_is_zero([Values] bool transA, [Values] bool transB) =>
        Bf16ProductIsExact(transA, transB, DType.F32, DType.BF16, beta: 0);

    [Test]
    public void Tf32_rounding_is_to_nearest_with_ties_away_from_zero()
    {
        float one = 1f, halfUlp = MathF.ScaleB(1, -11), ulp = MathF.ScaleB(1, -10);
        float Round(float x) => BitConverter.UInt32BitsToSingle(TensorCoreGemmKernels.RoundToTf32(x));
        Assert.That(Round(one + halfUlp), Is.EqualTo(one + ulp), "a tie rounds away from zero");
        Assert.That(Round(-(one + halfUlp)), Is.EqualTo(-(one + ulp)));
        Assert.That(Round(one + halfUlp - MathF.ScaleB(1, -23)), Is.EqualTo(one), "below the tie");
        Assert.That(Round(one + 3 * halfUlp), Is.EqualTo(one + 2 * ulp), "not to even: ties away");
        Assert.That(Round(float.MaxValue), Is.EqualTo(float.PositiveInfinity), "past the largest TF32");
        Assert.That(Round(float.NegativeInfinity), Is.EqualTo(float.NegativeInfinity));
        Assert.That(Round(BitConverter.UInt32BitsToSingle(0x7f800001)), Is.NaN, "a NaN whose payload is in the dropped bits stays NaN");
        foreach (float x in Random(10_000, 7).Select(v => v * 1e3f))
            Assert.That(Round(x), Is.EqualTo(Tf32(x)), $"{x:R}");
    }

    [TestCase(true, true, true, 8, DType.F32, DType.F32, DType.F32, ExpectedResult = nameof(GemmPath.Bf16))]
    [TestCase(false, true, true, 8, DType.F32, DType.F32, DType.F32, ExpectedResult = nameof(GemmPath.Tf32))]
    [TestCase(true, false, true, 9, DType.F32, DType.BF16, DType.F32, ExpectedResult = nameof(GemmPath.Bf16))]
    [TestCase(true, false, true, 8, DType.F16, DType.F32, DType.F32, ExpectedResult = nameof(GemmPath.Bf16))]
    [TestCase(false, true, true, 8, DType.F32, DType.BF16, DType.F32, ExpectedResult = nameof(GemmPath.Plain))]   // TF32 reads fp32 only
    [TestCase(true, true, true, 8, DType.F64, DType.F64, DType.F64, ExpectedResult = nameof(GemmPath.Plain))]
    [TestCase(true, true, true, 7, DType.F32, DType.F32, DType.F32, ExpectedResult = nameof(GemmPath.Plain))]     // no mma.sync before 8.0
    [TestCase(true, true, false, 0, DType.F32, DType.F32, DType.F32, ExpectedResult = nameof(GemmPath.Plain))]    // ILGPU's CPU accelerator
    [TestCase(false, false, true, 9, DType.F32, DType.F32, DType.F32, ExpectedResult = nameof(GemmPath.Plain))]   // not allowed
    public string Tensor_cores_are_chosen_only_when_allowed_and_present(bool allowBf16, bool allowTf32, bool isCuda, int major, DType a, DType b, DType c) =>
        GemmDispatch.Choose(allowBf16, allowTf32, isCuda, major, a, b, c).ToString();
}
