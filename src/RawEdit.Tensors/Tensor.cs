using RawEdit.Tensors.Autodiff;
using RawEdit.Tensors.Backend;

namespace RawEdit.Tensors;

/// <summary>
/// A contiguous row-major array of F32 or F64 elements (or storage-only F16/BF16 weights) on one device, with optional gradient tracking.
/// Reshape shares storage; every other op writes a new tensor. Gradients are recorded only while a
/// <see cref="Tape"/> is active and some input requires them.
/// </summary>
internal sealed class Tensor
{
    public int[] Shape { get; }
    public TensorStorage Storage { get; private set; }
    public string? Name { get; set; }

    private Tensor? grad;

    /// <summary>Gradient accumulated by <see cref="Tape.Backward"/>; same shape and dtype.</summary>
    public Tensor? Grad
    {
        get => grad;
        internal set
        {
            grad = value;
            SpareGrad = null;
        }
    }

    /// <summary>The buffer of a gradient released by <see cref="ReleaseGrad"/>, for the next backward pass to write into.</summary>
    internal Tensor? SpareGrad { get; private set; }

    /// <summary>True for tensors produced by a recorded op (their gradient is transient unless retained).</summary>
    public bool IsLeaf { get; internal set; } = true;

    internal bool KeepsGrad { get; private set; }

    private bool requiresGrad;

    public Tensor(TensorStorage storage, int[] shape)
    {
        if (Tensors.Shape.Numel(shape) != storage.Length)
            throw new ArgumentException($"shape {Tensors.Shape.Format(shape)} does not match storage of {storage.Length} elements");
        Storage = storage;
        Shape = shape;
    }

    public DType DType => Storage.DType;
    public IBackend Backend => Storage.Backend;
    public int Rank => Shape.Length;
    public long Length => Storage.Length;
    public int Dim(int axis) => Shape[Tensors.Shape.NormalizeAxis(axis, Shape.Length)];

    /// <summary>Leaves opt in; results of recorded ops require gradients when any input does.</summary>
    public bool RequiresGrad
    {
        get => requiresGrad;
        set
        {
            if (!IsLeaf && !value) throw new InvalidOperationException("cannot stop gradients of a non-leaf tensor; use Detach()");
            if (value && DType.IsStorageOnly()) throw new InvalidOperationException($"a {DType} tensor is storage only and cannot take gradients; PromoteToF32() first");
            requiresGrad = value;
        }
    }

    internal void MarkRecorded() { requiresGrad = true; IsLeaf = false; }

    /// <summary>Keeps this non-leaf tensor's gradient after backward (used by gradient-capturing hooks).</summary>
    public Tensor RetainGrad() { KeepsGrad = true; return this; }

    public void ZeroGrad() => Grad = null;

    /// <summary>
    /// As <see cref="ZeroGrad"/> (Grad is null afterwards), but the next backward pass writes this tensor's gradient
    /// into the released buffer instead of allocating a new one: an optimizer loop then touches no fresh memory for
    /// its parameters' gradients. A reference to the old <see cref="Grad"/> kept past the next backward sees it overwritten.
    /// </summary>
    public void ReleaseGrad()
    {
        var released = grad;
        grad = null;
        SpareGrad = released;
    }

    // ---- factories ----
    public static Tensor Zeros(DType dtype, params int[] shape) =>
        new(Backends.Default.Allocate(dtype, Tensors.Shape.Numel(shape)), (int[])shape.Clone());

    public static Tensor Zeros(params int[] shape) => Zeros(DType.F32, shape);

    public static Tensor Full(double value, DType dtype, params int[] shape)
    {
        var t = Zeros(dtype, shape);
        t.Backend.Fill(t.Storage, value);
        return t;
    }

    public static Tensor FromArray(float[] data, params int[] shape) =>
        new(Backends.Default.Upload(data), shape.Length == 0 && data.Length != 1 ? [data.Length] : (int[])shape.Clone());

    public static Tensor FromArray(double[] data, params int[] shape) =>
        new(Backends.Default.Upload(data), shape.Length == 0 && data.Length != 1 ? [data.Length] : (int[])shape.Clone());

    public static Tensor Scalar(double value, DType dtype = DType.F32) => Full(value, dtype);

    /// <summary>
    /// A new F32 tensor whose elements <paramref name="fill"/> writes (all of them): straight into the storage on the CPU backend,
    /// so loading a checkpoint holds each tensor once rather than twice (host array, then its upload).
    /// </summary>
    public static Tensor FromHost(int[] shape, Action<Span<float>> fill)
    {
        long length = Tensors.Shape.Numel(shape);
        TensorStorage storage;
        if (Backends.Default is Cpu.CpuBackend cpu)
        {
            // fill writes every element, so the array need not be zeroed first (6 GB of zeroing for GPT-2 XL).
            var data = GC.AllocateUninitializedArray<float>(checked((int)length));
            fill(data);
            storage = new Cpu.CpuStorage<float>(data, cpu);
        }
        else
        {
            var staging = new float[length];
            fill(staging);
            storage = Backends.Default.Upload(staging);
        }
        return new Tensor(storage, (int[])shape.Clone());
    }

    /// <summary>Normal(0, std²) entries from a seeded generator (Box–Muller over SplitMix64).</summary>
    public static Tensor RandomNormal(int seed, double std, DType dtype, params int[] shape)
    {
        var rng = new SplitMix64((ulong)seed);
        var values = new double[Tensors.Shape.Numel(shape)];
        for (int i = 0; i < values.Length; i++)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            values[i] = std * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
        var t = FromArray(values, shape);
        return dtype == DType.F64 ? t : t.To(dtype);
    }

    // ---- host access ----
    public float[] ToFloatArray()
    {
        var host = new float[Length];
        Backend.Download(Storage, host);
        return host;
    }

    public double[] ToDoubleArray()
    {
        var host = new double[Length];
        Backend.Download(Storage, host);
        return host;
    }

    /// <summary>The value of a one-element tensor.</summary>
    public double Item()
    {
        if (Length != 1) throw new InvalidOperationException($"Item() needs one element, tensor has shape {Tensors.Shape.Format(Shape)}");
        return ToDoubleArray()[0];
    }

    /// <summary>A copy in another dtype, outside autodiff.</summary>
    public Tensor To(DType dtype) => dtype == DType ? this : new Tensor(Backend.Convert(Storage, dtype), (int[])Shape.Clone());

    /// <summary>
    /// Replaces a storage-only (F16/BF16, e.g. memory-mapped) storage by an fp32 copy, in place, so the tensor can be
    /// written and enter every kernel; an edit does this to the weights it changes. Views taken earlier keep the old storage.
    /// </summary>
    public void PromoteToF32()
    {
        if (DType.IsStorageOnly()) Storage = Backend.Convert(Storage, DType.F32);
    }

    /// <summary>
    /// Moves this tensor's elements to <paramref name="backend"/> in place (its storage is replaced; views taken earlier
    /// keep the old one). Half weights stay half. Nothing happens when the tensor is already there.
    /// </summary>
    public void MoveTo(IBackend backend)
    {
        if (ReferenceEquals(Backend, backend)) return;
        Storage = StorageTransfer.To(Storage, backend);
    }

    /// <summary>Shares storage, drops the gradient history.</summary>
    public Tensor Detach() => new(Storage, Shape);

    public Tensor Clone()
    {
        var storage = Backend.Allocate(DType, Length);
        Backend.Copy(Storage, 0, storage, 0, Length);
        return new Tensor(storage, (int[])Shape.Clone());
    }

    /// <summary>Overwrites this tensor's elements with another's (same shape), outside autodiff.</summary>
    public void CopyFrom(Tensor source)
    {
        if (!Tensors.Shape.SameAs(Shape, source.Shape))
            throw new ArgumentException($"CopyFrom shape {Tensors.Shape.Format(source.Shape)} into {Tensors.Shape.Format(Shape)}");
        Backend.Copy(source.Storage, 0, Storage, 0, Length);
    }

    public override string ToString() => $"Tensor{Tensors.Shape.Format(Shape)} {DType}{(Name is null ? "" : " " + Name)}";
}
