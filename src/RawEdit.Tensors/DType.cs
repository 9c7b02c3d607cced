namespace RawEdit.Tensors;

/// <summary>
/// Element types. Models compute in F32; F64 serves gradient checks, statistics and solves. F16 and BF16 are
/// storage only: a half-stored weight (a memory-mapped checkpoint matrix) is read by matrix products, row gathers
/// and conversions, which widen it to fp32 on use; every other kernel refuses it.
/// </summary>
internal enum DType
{
    F32,
    F64,
    F16,
    BF16,
}

internal static class DTypeExtensions
{
    public static int ByteSize(this DType dtype) => dtype switch
    {
        DType.F32 => 4,
        DType.F64 => 8,
        _ => 2,
    };

    /// <summary>True for the reduced-precision types that only hold weights (no kernel computes in them).</summary>
    public static bool IsStorageOnly(this DType dtype) => dtype is DType.F16 or DType.BF16;

    /// <summary>The type results computed from this type's elements have: F32 for the storage-only types.</summary>
    public static DType ComputeType(this DType dtype) => dtype.IsStorageOnly() ? DType.F32 : dtype;
}
