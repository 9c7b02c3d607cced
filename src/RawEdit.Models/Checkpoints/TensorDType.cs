namespace RawEdit.Models.Checkpoints;

/// <summary>Element types a safetensors header may declare (byte-sized types only).</summary>
public enum TensorDType
{
    /// <summary>Boolean, one byte.</summary>
    Bool,
    /// <summary>Unsigned 8-bit integer.</summary>
    U8,
    /// <summary>Signed 8-bit integer.</summary>
    I8,
    /// <summary>8-bit float, 5 exponent and 2 mantissa bits.</summary>
    F8E5M2,
    /// <summary>8-bit float, 4 exponent and 3 mantissa bits.</summary>
    F8E4M3,
    /// <summary>Signed 16-bit integer.</summary>
    I16,
    /// <summary>Unsigned 16-bit integer.</summary>
    U16,
    /// <summary>IEEE half precision (10 mantissa bits).</summary>
    F16,
    /// <summary>bfloat16 (7 mantissa bits, float32's exponent range).</summary>
    BF16,
    /// <summary>Signed 32-bit integer.</summary>
    I32,
    /// <summary>Unsigned 32-bit integer.</summary>
    U32,
    /// <summary>IEEE single precision.</summary>
    F32,
    /// <summary>IEEE double precision.</summary>
    F64,
    /// <summary>Signed 64-bit integer.</summary>
    I64,
    /// <summary>Unsigned 64-bit integer.</summary>
    U64,
}

/// <summary>Header spellings and element sizes of <see cref="TensorDType"/>.</summary>
internal static class TensorDTypes
{
    /// <summary>Size of one element in bytes.</summary>
    public static int ByteSize(this TensorDType dtype) => dtype switch
    {
        TensorDType.Bool or TensorDType.U8 or TensorDType.I8
            or TensorDType.F8E5M2 or TensorDType.F8E4M3 => 1,
        TensorDType.I16 or TensorDType.U16 or TensorDType.F16 or TensorDType.BF16 => 2,
        TensorDType.I32 or TensorDType.U32 or TensorDType.F32 => 4,
        TensorDType.F64 or TensorDType.I64 or TensorDType.U64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };

    /// <summary>The string used in the JSON header, e.g. "BF16" or "F8_E4M3".</summary>
    public static string HeaderName(this TensorDType dtype) => dtype switch
    {
        TensorDType.Bool => "BOOL",
        TensorDType.F8E5M2 => "F8_E5M2",
        TensorDType.F8E4M3 => "F8_E4M3",
        _ when Enum.IsDefined(dtype) => dtype.ToString(),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };

    /// <summary>Parses a header dtype string; the match is case-sensitive like the reference implementation.</summary>
    public static bool TryParseHeaderName(string text, out TensorDType dtype)
    {
        foreach (var candidate in Enum.GetValues<TensorDType>())
        {
            if (string.Equals(candidate.HeaderName(), text, StringComparison.Ordinal))
            {
                dtype = candidate;
                return true;
            }
        }
        dtype = default;
        return false;
    }

    /// <summary>True for the types <c>ReadAsFloat32</c> converts: F32, F16, BF16 and F64.</summary>
    public static bool IsFloat32Convertible(this TensorDType dtype) =>
        dtype is TensorDType.F32 or TensorDType.F16 or TensorDType.BF16 or TensorDType.F64;

    /// <summary>True for the integer (and BOOL) types that widen losslessly to Int64.</summary>
    public static bool IsInt64Convertible(this TensorDType dtype) =>
        dtype is TensorDType.Bool or TensorDType.U8 or TensorDType.I8 or TensorDType.I16
            or TensorDType.U16 or TensorDType.I32 or TensorDType.U32 or TensorDType.I64;

    /// <summary>True for the integer (and BOOL) types that widen losslessly to Int32.</summary>
    public static bool IsInt32Convertible(this TensorDType dtype) =>
        dtype is TensorDType.Bool or TensorDType.U8 or TensorDType.I8 or TensorDType.I16
            or TensorDType.U16 or TensorDType.I32;
}
