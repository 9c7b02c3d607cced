using System.Numerics;
using ILGPU;
using ILGPU.Runtime;
using RawEdit.Tensors.Gpu.Kernels;

namespace RawEdit.Tensors.Gpu;

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

    /// <summary>Runs the product on the tensor cores when the backend allows it and the device has them; false otherwise.</summary>
    public static bool TryTensorCores(GpuBackend backend, GemmShape shape, double alpha, TensorStorage a, TensorStorage b, double beta, TensorStorage c, int batch) =>
        false;
}
