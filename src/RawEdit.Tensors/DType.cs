namespace RawEdit.Tensors;

/// <summary>Compute element types. Models run in F32; F64 serves gradient checks, statistics and solves.</summary>
public enum DType
{
    F32,
    F64,
}

public static class DTypeExtensions
{
    public static int ByteSize(this DType dtype) => dtype == DType.F32 ? 4 : 8;
}
