using RawEdit.Tensors.Cpu;
using RawEdit.Tensors.Gpu;

namespace RawEdit.Tensors.Backend;

/// <summary>Copies a storage to another backend through host memory, keeping its element type (halves as their bits).</summary>
internal static class StorageTransfer
{
    public static TensorStorage To(TensorStorage source, IBackend target)
    {
        if (source.DType.IsStorageOnly()) return HalfTo(source, target);
        if (source.DType == DType.F64)
        {
            var values = new double[source.Length];
            source.Backend.Download(source, values);
            return target.Upload(values);
        }
        var floats = new float[source.Length];
        source.Backend.Download(source, floats);
        return target.Upload(floats);
    }

    private static TensorStorage HalfTo(TensorStorage source, IBackend target)
    {
        switch (source, target)
        {
            case (CpuHalfStorage half, GpuBackend gpu):
                var upload = gpu.UploadHalf(half.DType, half.Bits(0, checked((int)half.Length)));
                GC.KeepAlive(half);   // a mapped source stays mapped until the copy has read it
                return upload;
            case (GpuStorage, CpuBackend cpu):
                // Back to the host through fp32 (the conversion is exact both ways).
                var floats = new float[source.Length];
                source.Backend.Download(source, floats);
                return cpu.Convert(cpu.Upload(floats), source.DType);
            default:
                throw new NotSupportedException($"moving {source.DType} storage from {source.Backend.Name} to {target.Name}");
        }
    }
}
