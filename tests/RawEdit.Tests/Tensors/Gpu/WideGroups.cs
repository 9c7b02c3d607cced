using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using RawEdit.Tensors.Gpu;

namespace RawEdit.Tests.Tensors.Gpu;

/// <summary>
/// ILGPU's CPU accelerator with a GPU's group shape, 8 warps of 32 lanes: the kernels written for full 256-thread groups
/// (tensor-core and large-tile GEMMs) run here with their own code. One per test process, as the device backends.
/// </summary>
internal static class WideGroups
{
    private static readonly Lazy<Accelerator> accelerator = new(() =>
        new CPUDevice(numThreadsPerWarp: 32, numWarpsPerMultiprocessor: 8, numMultiprocessors: 1)
            .CreateCPUAccelerator(GpuDevice.Context, CPUAcceleratorMode.Parallel));

    public static Accelerator Accelerator => accelerator.Value;
}
