using ILGPU;
using ILGPU.Runtime;
using RawEdit.Tensors.Backend;
using RawEdit.Tensors.Gpu.Kernels;

namespace RawEdit.Tensors.Gpu;

/// <summary>
/// <see cref="IBackend"/> on one ILGPU accelerator (<see cref="GpuDevice"/>): a CUDA GPU, or ILGPU's CPU accelerator
/// running the same kernels. Every op is a C# kernel of Gpu/Kernels with the CPU backend's semantics, kernel by kernel;
/// fp32 and fp64 storages take the same generic kernel. Index lists (ids, columns, targets) are uploaded per call.
/// This file holds memory and conversions; GpuBackend.Kernels.cs the compute ops.
/// </summary>
internal sealed partial class GpuBackend(GpuDevice device) : IBackend
{
    public const string Tf32Variable = "RAWEDIT_CUDA_TF32";
    public const string Bf16Variable = "RAWEDIT_CUDA_BF16";

    public GpuDevice Device { get; } = device;

    public string Name => Device.Kind;

    /// <summary>
    /// fp32 products on the tensor cores with TF32 inputs (about 1e-3 relative error; CUDA compute capability 8.0+).
    /// Off unless RAWEDIT_CUDA_TF32=1, as PyTorch's allow_tf32: every other result matches the CPU's to fp32 rounding.
    /// </summary>
    public bool AllowTf32 { get; init; } = Environment.GetEnvironmentVariable(Tf32Variable) == "1";

    /// <summary>
    /// Matrix products into fp32 on the tensor cores with bf16 inputs (CUDA compute capability 8.0+): bf16-stored
    /// weights are read as stored, fp32 operands rounded to bf16 (about 4e-3 relative error, as PyTorch's
    /// autocast(bfloat16)). Off unless RAWEDIT_CUDA_BF16=1; takes precedence over TF32.
    /// </summary>
    public bool AllowBf16 { get; init; } = Environment.GetEnvironmentVariable(Bf16Variable) == "1";

    private Accelerator Accelerator => Device.Accelerator;

    internal static GpuStorage S(TensorStorage s) => s as GpuStorage
        ?? throw new ArgumentException($"storage of backend {s.Backend.Name} passed to a GPU backend (move the tensor to the device first)");

    /// <summary>True for fp32, false for fp64, after checking that every storage is this backend's and of one computable type.</summary>
    private bool IsF32(TensorStorage s, params TensorStorage?[] others)
    {
        foreach (var x in others.Prepend(s))
        {
            if (x is null) continue;
            if (x.DType.IsStorageOnly())
                throw new NotSupportedException($"a {x.DType} weight is storage only: matrix products, row gathers and conversions read it, " +
                    "other kernels need it promoted to F32 first (Tensor.PromoteToF32)");
            if (x.DType != s.DType) throw new ArgumentException($"mixed element types {s.DType} and {x.DType} in one kernel");
            if (!ReferenceEquals(S(x).Backend, this)) throw new ArgumentException($"a storage of another {Name} backend instance");
        }
        Device.Bind();
        return s.DType == DType.F32;
    }

    private static ArrayView<T> V<T>(TensorStorage s) where T : unmanaged => S(s).View<T>();

    public TensorStorage Allocate(DType dtype, long length)
    {
        Device.Bind();
        var storage = new GpuStorage(this, dtype, length);
        if (length > 0) storage.View<byte>().MemSetToZero();
        return storage;
    }

    public TensorStorage Upload(ReadOnlySpan<float> host) => UploadElements(DType.F32, host);
    public TensorStorage Upload(ReadOnlySpan<double> host) => UploadElements(DType.F64, host);

    /// <summary>Half weights' bits as they are stored (F16 or BF16), e.g. from a memory-mapped checkpoint.</summary>
    public TensorStorage UploadHalf(DType dtype, ReadOnlySpan<ushort> bits)
    {
        if (!dtype.IsStorageOnly()) throw new ArgumentException($"{dtype} is not a half-precision type");
        return UploadElements(dtype, bits);
    }

    private GpuStorage UploadElements<T>(DType dtype, ReadOnlySpan<T> host) where T : unmanaged
    {
        Device.Bind();
        var storage = new GpuStorage(this, dtype, host.Length);
        if (host.Length > 0) storage.View<T>().CopyFromCPU(host);
        return storage;
    }

    public void Download(TensorStorage src, Span<float> host)
    {
        var s = S(src);
        DownloadElements(s.DType == DType.F32 ? s : S(Convert(s, DType.F32)), host);
    }

    public void Download(TensorStorage src, Span<double> host)
    {
        var s = S(src);
        DownloadElements(s.DType == DType.F64 ? s : S(Convert(s, DType.F64)), host);
    }

    private void DownloadElements<T>(GpuStorage s, Span<T> host) where T : unmanaged
    {
        if (host.Length < s.Length) throw new ArgumentException($"host buffer of {host.Length} for {s.Length} elements");
        Device.Bind();
        if (s.Length > 0) s.View<T>().CopyToCPU(host[..checked((int)s.Length)]);
        Device.Synchronize();
    }

    public void Copy(TensorStorage src, long srcOffset, TensorStorage dst, long dstOffset, long count)
    {
        var (from, to) = (S(src), S(dst));
        if (from.DType != to.DType) throw new ArgumentException($"mixed element types {from.DType} and {to.DType} in one copy");
        if (count <= 0) return;
        Device.Bind();
        long size = from.DType.ByteSize();
        from.View<byte>().SubView(srcOffset * size, count * size).CopyTo(to.View<byte>().SubView(dstOffset * size, count * size));
    }

    public void Fill(TensorStorage dst, double value)
    {
        if (dst.Length == 0) return;
        var config = Device.ElementwiseConfig(dst.Length);
        if (IsF32(dst)) Accelerator.Launch(ElementwiseKernels.Fill, config, V<float>(dst), (float)value, dst.Length);
        else Accelerator.Launch(ElementwiseKernels.Fill, config, V<double>(dst), value, dst.Length);
    }

    public TensorStorage Convert(TensorStorage src, DType dtype)
    {
        var s = S(src);
        // Everything converts through fp32 except f32 ↔ f64 (direct).
        if (s.DType != dtype && s.DType != DType.F32 && dtype != DType.F32) return Convert(Convert(s, DType.F32), dtype);
        Device.Bind();
        var result = new GpuStorage(this, dtype, s.Length);
        if (s.DType == dtype)
        {
            Copy(s, 0, result, 0, s.Length);
            return result;
        }
        if (s.Length == 0) return result;
        var config = Device.ElementwiseConfig(s.Length);
        switch (s.DType, dtype)
        {
            case (DType.F16, DType.F32): Accelerator.Launch(ConversionKernels.F16ToF32, config, s.View<ushort>(), result.View<float>(), s.Length); break;
            case (DType.BF16, DType.F32): Accelerator.Launch(ConversionKernels.BF16ToF32, config, s.View<ushort>(), result.View<float>(), s.Length); break;
            case (DType.F64, DType.F32): Accelerator.Launch(ConversionKernels.F64ToF32, config, s.View<double>(), result.View<float>(), s.Length); break;
            case (DType.F32, DType.F16): Accelerator.Launch(ConversionKernels.F32ToF16, config, s.View<float>(), result.View<ushort>(), s.Length); break;
            case (DType.F32, DType.BF16): Accelerator.Launch(ConversionKernels.F32ToBF16, config, s.View<float>(), result.View<ushort>(), s.Length); break;
            case (DType.F32, DType.F64): Accelerator.Launch(ConversionKernels.F32ToF64, config, s.View<float>(), result.View<double>(), s.Length); break;
            default: throw new NotSupportedException($"conversion {s.DType} → {dtype}");
        }
        return result;
    }

    /// <summary>An int list on the device for one call (ids, columns, targets); keep it alive until the launch is queued.</summary>
    private GpuStorage Indices(ReadOnlySpan<int> values)
    {
        Device.Bind();
        var storage = new GpuStorage(this, DType.F32, Math.Max(1, values.Length));   // 4-byte elements holding int bits
        if (values.Length > 0) storage.View<int>().SubView(0, values.Length).CopyFromCPU(values);
        return storage;
    }
}
