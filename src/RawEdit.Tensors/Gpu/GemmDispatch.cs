using System.Numerics;
using ILGPU;
using ILGPU.Runtime;
using RawEdit.Tensors.Gpu.Kernels;

namespace RawEdit.Tensors.Gpu;

/// <summary>Which GEMM kernel a product takes: the plain tiled kernel, or the tensor cores when allowed.</summary>
internal enum GemmPath { Plain, Tf32, Bf16 }

/// <summary>Chooses the GEMM kernel for a product and launches it: the plain tiled kernel, or the tensor cores when allowed.</summary>
internal static class GemmDispatch
{
    /// <summary>The plain tiled kernel (<see cref="GemmKernels.Tiled{T}"/>), tiles sized by the device's group.</summary>
    public static void Plain<T>(GpuDevice device, GemmShape shape, T alpha, ArrayView<T> a, ArrayView<T> b, T beta, ArrayView<T> c, int batch)
        where T : unmanaged, INumber<T>
    {
        int group = device.GemmGroupSize;
        long tiles = GemmKernels.TileCount(shape, group, batch);
        var config = new KernelConfig(
            new Index1D(device.GroupsForTiles(tiles)),
            new Index1D(group),
            SharedMemoryConfig.RequestDynamic<T>(GemmKernels.SharedElements(group)));
        device.Accelerator.Launch(GemmKernels.Tiled, config, shape, alpha, beta, a, b, c, tiles);
    }

    /// <summary>
    /// fp32 products without tensor cores: on CUDA the 128-tile kernel when m and n are at least 128 (its 8 × 8 register
    /// tiles need full tiles to pay; it needs 256-thread groups, which ILGPU's CPU accelerator here does not have), else
    /// the plain kernel.
    /// </summary>
    public static void Fp32(GpuDevice device, GemmShape shape, float alpha, ArrayView<float> a, ArrayView<float> b, float beta, ArrayView<float> c, int batch)
    {
        if (device.IsCuda && shape.M >= LargeTileGemmKernels.Tile && shape.N >= LargeTileGemmKernels.Tile)
            LaunchLargeTile(device.Accelerator, shape, alpha, a, b, beta, c, batch);
        else Plain(device, shape, alpha, a, b, beta, c, batch);
    }

    /// <summary><see cref="LargeTileGemmKernels.Fp32"/> over the product's 128 × 128 tiles.</summary>
    public static void LaunchLargeTile(Accelerator accelerator, GemmShape shape, float alpha, ArrayView<float> a, ArrayView<float> b,
        float beta, ArrayView<float> c, int batch) =>
        accelerator.Launch(LargeTileGemmKernels.Fp32, Tiles128(shape, batch), shape, alpha, beta, a, b, c);

    /// <summary>
    /// The tensor cores need CUDA compute capability 8.0 and the user's consent (GpuBackend.AllowBf16 / AllowTf32, as
    /// PyTorch's autocast(bfloat16) / allow_tf32). bf16 takes precedence: C fp32, A and B each fp32, bf16 or f16. TF32:
    /// A, B and C fp32. Anything else (fp64 above all) stays on the plain kernel.
    /// </summary>
    public static GemmPath Choose(bool allowBf16, bool allowTf32, bool isCuda, int computeMajor, DType a, DType b, DType c)
    {
        if (!isCuda || computeMajor < 8 || c != DType.F32) return GemmPath.Plain;
        if (allowBf16 && Bf16Operand(a) >= 0 && Bf16Operand(b) >= 0) return GemmPath.Bf16;
        if (allowTf32 && a == DType.F32 && b == DType.F32) return GemmPath.Tf32;
        return GemmPath.Plain;
    }

    /// <summary>Runs the product on the tensor cores when <see cref="Choose"/> says so; false otherwise.</summary>
    public static bool TryTensorCores(GpuBackend backend, GemmShape shape, double alpha, TensorStorage a, TensorStorage b, double beta, TensorStorage c, int batch)
    {
        var device = backend.Device;
        var path = Choose(backend.AllowBf16, backend.AllowTf32, device.IsCuda, device.ComputeCapability.Major, a.DType, b.DType, c.DType);
        if (path == GemmPath.Plain) return false;
        var (onA, onB, onC) = (GpuBackend.S(a), GpuBackend.S(b), GpuBackend.S(c));
        device.Bind();
        if (path == GemmPath.Bf16)
            LaunchBf16<PtxWarpMma>(device.Accelerator, shape, (float)alpha, onA.View<byte>(), Bf16Operand(a.DType), onB.View<byte>(), Bf16Operand(b.DType),
                (float)beta, onC.View<float>(), batch);
        else
            LaunchTf32<PtxWarpMma>(device.Accelerator, shape, (float)alpha, onA.View<float>(), onB.View<float>(), (float)beta, onC.View<float>(), batch);
        return true;
    }

    /// <summary><see cref="TensorCoreGemmKernels.Tf32{TMma}"/> over the product's 128 × 128 tiles.</summary>
    public static void LaunchTf32<TMma>(Accelerator accelerator, GemmShape shape, float alpha, ArrayView<float> a, ArrayView<float> b,
        float beta, ArrayView<float> c, int batch) where TMma : struct, IWarpMma<TMma> =>
        accelerator.Launch(TensorCoreGemmKernels.Tf32<TMma>, Tiles128(shape, batch), shape, alpha, beta, a, b, c);

    /// <summary><see cref="TensorCoreGemmKernels.Bf16{TMma}"/> over the product's 128 × 128 tiles; kinds as <see cref="Bf16Operand"/>.</summary>
    public static void LaunchBf16<TMma>(Accelerator accelerator, GemmShape shape, float alpha, ArrayView<byte> a, int kindA, ArrayView<byte> b, int kindB,
        float beta, ArrayView<float> c, int batch) where TMma : struct, IWarpMma<TMma> =>
        accelerator.Launch(TensorCoreGemmKernels.Bf16<TMma>, Tiles128(shape, batch), shape, kindA, kindB, alpha, beta, a, b, c);

    /// <summary>The bf16 kernel's operand kind of a storage type, −1 for one it does not read (fp64).</summary>
    public static int Bf16Operand(DType dtype) => dtype switch
    {
        DType.F32 => TensorCoreGemmKernels.OperandF32,
        DType.BF16 => TensorCoreGemmKernels.OperandBf16,
        DType.F16 => TensorCoreGemmKernels.OperandF16,
        _ => -1,
    };

    // The 128 × 128 tiles of C, 256 threads each (the tensor-core and large-tile kernels).
    private static KernelConfig Tiles128(GemmShape shape, int batch) => new(new Index3D((shape.N + 127) / 128, (shape.M + 127) / 128, batch), new Index3D(256, 1, 1));
}
