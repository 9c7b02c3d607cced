using RawEdit.Tensors.Backend;

namespace RawEdit.Tensors;

/// <summary>A flat buffer of elements owned by one backend (host memory for CPU, device memory for CUDA).</summary>
internal abstract class TensorStorage
{
    public abstract IBackend Backend { get; }
    public abstract DType DType { get; }
    public abstract long Length { get; }
}
