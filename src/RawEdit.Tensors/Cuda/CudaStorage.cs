using RawEdit.Tensors.Backend;

namespace RawEdit.Tensors.Cuda;

/// <summary>
/// Device memory of one tensor: F32, F64, or F16/BF16 stored weights (2 bytes each), rented from the device's
/// <see cref="DeviceMemoryPool"/>; a dead tensor's finalizer returns the block to the pool (no driver call there).
/// </summary>
public sealed class CudaStorage : TensorStorage
{
    private readonly CudaDevice device;

    internal CudaStorage(CudaBackend backend, DType dtype, long length)
    {
        this.device = backend.Device;
        Backend = backend;
        DType = dtype;
        Length = length;
        Bytes = length * ElementSize(dtype);
        Pointer = Bytes == 0 ? 0 : device.Memory.Rent(Bytes, () => $"out of CUDA device memory for {Bytes:N0} bytes ({device.Name}, " +
            $"{device.TotalMemoryBytes / (1L << 30)} GiB; {device.Memory.CachedBytes:N0} bytes were cached)");
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

    ~CudaStorage()
    {
        if (Pointer != 0) device.Memory.Return(Pointer, Bytes);
    }
}
