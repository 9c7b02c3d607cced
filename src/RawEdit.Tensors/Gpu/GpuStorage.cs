using ILGPU;
using ILGPU.Runtime;
using RawEdit.Tensors.Backend;

namespace RawEdit.Tensors.Gpu;

/// <summary>
/// Device memory of one tensor: F32, F64, or F16/BF16 stored weights (2 bytes each, their bits as ushort), a block
/// rented from the device's pool; a dead tensor's finalizer returns the block (no device call there).
/// </summary>
internal sealed class GpuStorage : TensorStorage
{
    private readonly GpuDevice device;
    private readonly MemoryBuffer1D<byte, Stride1D.Dense>? block;

    internal GpuStorage(GpuBackend backend, DType dtype, long length)
    {
        device = backend.Device;
        Backend = backend;
        DType = dtype;
        Length = length;
        Bytes = length * dtype.ByteSize();
        if (Bytes > 0)
            block = device.Memory.Rent(Bytes, () => $"out of {device.Kind} device memory for {Bytes:N0} bytes ({device.Name}, " +
                $"{device.Accelerator.MemorySize / (1L << 30)} GiB; {device.Memory.CachedBytes:N0} bytes were cached)");
    }

    public override IBackend Backend { get; }
    public override DType DType { get; }
    public override long Length { get; }
    public long Bytes { get; }

    /// <summary>The elements as <typeparamref name="T"/> (float, double, or ushort for the half types).</summary>
    public ArrayView<T> View<T>() where T : unmanaged =>
        block is null ? default : block.View.BaseView.SubView(0, Bytes).Cast<T>();

    ~GpuStorage()
    {
        if (block is not null) device.Memory.Return(block);
    }
}
