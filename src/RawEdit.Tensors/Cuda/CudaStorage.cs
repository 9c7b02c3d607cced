using RawEdit.Tensors.Backend;

namespace RawEdit.Tensors.Cuda;

/// <summary>
/// Device memory of one tensor: F32, F64, or F16/BF16 stored weights (2 bytes each). Freed by its finalizer with the
/// device's context made current, since the collector runs finalizers on a thread of its own; the allocator
/// collects and retries once when the device runs out, so dead tensors give their memory back.
/// </summary>
public sealed unsafe class CudaStorage : TensorStorage
{
    private readonly CudaDevice device;

    internal CudaStorage(CudaBackend backend, DType dtype, long length)
    {
        this.device = backend.Device;
        Backend = backend;
        DType = dtype;
        Length = length;
        Bytes = length * ElementSize(dtype);
        Pointer = Allocate(device, Bytes);
    }

    public override IBackend Backend { get; }
    public override DType DType { get; }
    public override long Length { get; }
    public long Bytes { get; }
    /// <summary>The CUdeviceptr (0 for an empty tensor).</summary>
    public ulong Pointer { get; }

    public static int ElementSize(DType dtype) => dtype switch
    {
        DType.F32 => 4,
        DType.F64 => 8,
        DType.F16 or DType.BF16 => 2,
        _ => throw new NotSupportedException($"{dtype} tensors are not supported on CUDA"),
    };

    private static ulong Allocate(CudaDevice device, long bytes)
    {
        if (bytes == 0) return 0;
        device.EnsureCurrent();
        ulong pointer;
        int result = device.Driver.cuMemAlloc(&pointer, (nuint)bytes);
        if (result == OutOfMemory)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            result = device.Driver.cuMemAlloc(&pointer, (nuint)bytes);
        }
        device.Driver.Check(result, $"cuMemAlloc({bytes:N0} bytes)");
        return pointer;
    }

    private const int OutOfMemory = 2;   // CUDA_ERROR_OUT_OF_MEMORY

    ~CudaStorage()
    {
        if (Pointer == 0) return;
        device.Driver.cuCtxSetCurrent(device.Context);
        device.Driver.cuMemFree(Pointer);
    }
}
