using RawEdit.Tensors.Backend;
using RawEdit.Tensors.Cpu;

namespace RawEdit.Tensors.Cuda;

/// <summary>
/// <see cref="IBackend"/> on one CUDA device: every kernel of Cuda/Kernels launched on the default stream (so calls
/// are ordered; a download waits for the work before it). Index lists (ids, columns, targets) are uploaded per call.
/// Kernels are named "{op}_{f32|f64}" by the storages' element type; the CPU backend's semantics, kernel by kernel.
/// </summary>
public sealed unsafe partial class CudaBackend : IBackend
{
    public const string Tf32Variable = "RAWEDIT_CUDA_TF32";

    public CudaBackend(CudaDevice device) => Device = device;

    public CudaDevice Device { get; }

    /// <summary>
    /// fp32 products on the tensor cores with TF32 inputs (about 1e-3 relative error; needs compute capability 8.0).
    /// Off unless RAWEDIT_CUDA_TF32=1, as PyTorch's allow_tf32: every other result matches the CPU's to fp32 rounding.
    /// </summary>
    public bool AllowTf32 { get; init; } = Environment.GetEnvironmentVariable(Tf32Variable) == "1";
    public const string Bf16Variable = "RAWEDIT_CUDA_BF16";

    /// <summary>
    /// Matrix products into fp32 on the tensor cores with bf16 inputs (needs compute capability 8.0): bf16-stored
    /// weights are read as stored, fp32 operands rounded to bf16 (about 4e-3 relative error, as PyTorch's
    /// autocast(bfloat16)). Off unless RAWEDIT_CUDA_BF16=1; takes precedence over TF32.
    /// </summary>
    public bool AllowBf16 { get; init; } = Environment.GetEnvironmentVariable(Bf16Variable) == "1";
    public string Name => "cuda";

    // ---- storages ----

    private static CudaStorage S(TensorStorage s) => s as CudaStorage
        ?? throw new ArgumentException($"storage of backend {s.Backend.Name} passed to the cuda backend (move the tensor to the device first)");

    /// <summary>"_f32" or "_f64" for computable storages that all share one type; half storages are refused with the CPU's message.</summary>
    private static string Suffix(TensorStorage s, params TensorStorage?[] others)
    {
        foreach (var x in others.Prepend(s))
        {
            if (x is null) continue;
            if (x.DType.IsStorageOnly())
                throw new NotSupportedException($"a {x.DType} weight is storage only: matrix products, row gathers and conversions read it, " +
                    "other kernels need it promoted to F32 first (Tensor.PromoteToF32)");
            if (x.DType != s.DType) throw new ArgumentException($"mixed element types {s.DType} and {x.DType} in one kernel");
            S(x);
        }
        return s.DType == DType.F32 ? "_f32" : "_f64";
    }

    private static ulong P(TensorStorage? s) => s is null ? 0 : S(s).Pointer;

    public TensorStorage Allocate(DType dtype, long length)
    {
        var storage = new CudaStorage(this, dtype, length);
        if (storage.Bytes > 0) Device.Driver.Check(Device.Driver.cuMemsetD8(storage.Pointer, 0, (nuint)storage.Bytes), "cuMemsetD8");
        return storage;
    }

    public TensorStorage Upload(ReadOnlySpan<float> host) => UploadBits(DType.F32, host);
    public TensorStorage Upload(ReadOnlySpan<double> host) => UploadBits(DType.F64, host);

    /// <summary>Half weights' bits as they are stored (F16 or BF16), e.g. from a memory-mapped checkpoint.</summary>
    public TensorStorage UploadHalf(DType dtype, ReadOnlySpan<ushort> bits)
    {
        if (!dtype.IsStorageOnly()) throw new ArgumentException($"{dtype} is not a half-precision type");
        return UploadBits(dtype, bits);
    }

    private CudaStorage UploadBits<T>(DType dtype, ReadOnlySpan<T> host) where T : unmanaged
    {
        var storage = new CudaStorage(this, dtype, host.Length);
        Device.EnsureCurrent();
        fixed (T* p = host)
            if (storage.Bytes > 0) Device.Driver.Check(Device.Driver.cuMemcpyHtoD(storage.Pointer, p, (nuint)storage.Bytes), "cuMemcpyHtoD");
        return storage;
    }

    public void Download(TensorStorage src, Span<float> host)
    {
        var s = S(src);
        if (s.DType == DType.F32) { DownloadBits(s, host); return; }
        var widened = (CudaStorage)Convert(s, DType.F32);
        DownloadBits(widened, host);
    }

    public void Download(TensorStorage src, Span<double> host)
    {
        var s = S(src);
        var wide = s.DType == DType.F64 ? s : (CudaStorage)Convert(s, DType.F64);
        DownloadBits(wide, host);
    }

    private void DownloadBits<T>(CudaStorage s, Span<T> host) where T : unmanaged
    {
        if (host.Length < s.Length) throw new ArgumentException($"host buffer of {host.Length} for {s.Length} elements");
        Device.EnsureCurrent();
        fixed (T* p = host)
            if (s.Bytes > 0) Device.Driver.Check(Device.Driver.cuMemcpyDtoH(p, s.Pointer, (nuint)s.Bytes), "cuMemcpyDtoH");
    }

    public void Copy(TensorStorage src, long srcOffset, TensorStorage dst, long dstOffset, long count)
    {
        var (from, to) = (S(src), S(dst));
        if (from.DType != to.DType) throw new ArgumentException($"mixed element types {from.DType} and {to.DType} in one copy");
        int size = CudaStorage.ElementSize(from.DType);
        Device.EnsureCurrent();
        if (count > 0)
            Device.Driver.Check(Device.Driver.cuMemcpyDtoD(to.Pointer + (ulong)(dstOffset * size), from.Pointer + (ulong)(srcOffset * size), (nuint)(count * size)), "cuMemcpyDtoD");
    }

    public void Fill(TensorStorage dst, double value)
    {
        var suffix = Suffix(dst);
        var arguments = new KernelArguments().Pointer(P(dst));
        arguments = suffix == "_f32" ? arguments.Float((float)value) : arguments.Double(value);
        Device.LaunchElementwise("fill" + suffix, dst.Length, arguments.Long(dst.Length));
    }

    public TensorStorage Convert(TensorStorage src, DType dtype)
    {
        var s = S(src);
        if (s.DType == dtype)
        {
            var copy = new CudaStorage(this, dtype, s.Length);
            Copy(s, 0, copy, 0, s.Length);
            return copy;
        }
        // Everything converts through fp32 except f32 ↔ f64 (direct).
        if (s.DType != DType.F32 && dtype != DType.F32) return Convert(Convert(s, DType.F32), dtype);
        string kernel = (s.DType, dtype) switch
        {
            (DType.F16, DType.F32) => "f16_to_f32",
            (DType.BF16, DType.F32) => "bf16_to_f32",
            (DType.F64, DType.F32) => "f64_to_f32",
            (DType.F32, DType.F16) => "f32_to_f16",
            (DType.F32, DType.BF16) => "f32_to_bf16",
            (DType.F32, DType.F64) => "f32_to_f64",
            _ => throw new NotSupportedException($"conversion {s.DType} → {dtype}"),
        };
        var result = new CudaStorage(this, dtype, s.Length);
        Device.LaunchElementwise(kernel, s.Length, new KernelArguments().Pointer(s.Pointer).Pointer(result.Pointer).Long(s.Length));
        return result;
    }

    /// <summary>An int list on the device for one call (ids, columns, targets).</summary>
    private IndexList Indices(ReadOnlySpan<int> values) => new(this, values);

    private sealed class IndexList
    {
        private readonly CudaStorage storage;

        public IndexList(CudaBackend backend, ReadOnlySpan<int> values)
        {
            storage = new CudaStorage(backend, DType.F32, values.Length);   // 4-byte elements: the bits are ints (the constructor made the context current)
            fixed (int* p = values)
                if (values.Length > 0) backend.Device.Driver.Check(backend.Device.Driver.cuMemcpyHtoD(storage.Pointer, p, (nuint)(4L * values.Length)), "cuMemcpyHtoD");
        }

        /// <summary>The device pointer; the list stays alive until the kernel using it has been queued (the caller keeps the object).</summary>
        public ulong Pointer => storage.Pointer;
    }
}
