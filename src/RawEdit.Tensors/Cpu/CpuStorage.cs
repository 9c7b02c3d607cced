using System.Numerics;
using RawEdit.Tensors.Backend;

namespace RawEdit.Tensors.Cpu;

/// <summary>Host memory: a managed array of float or double.</summary>
public sealed class CpuStorage<T> : TensorStorage where T : unmanaged, IFloatingPointIeee754<T>
{
    public CpuStorage(T[] data, IBackend backend)
    {
        Data = data;
        Backend = backend;
    }

    public T[] Data { get; }
    public override IBackend Backend { get; }
    public override DType DType => typeof(T) == typeof(float) ? DType.F32 : DType.F64;
    public override long Length => Data.LongLength;
}
