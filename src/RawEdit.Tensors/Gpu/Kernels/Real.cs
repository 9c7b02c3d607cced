using System.Numerics;

namespace RawEdit.Tensors.Gpu.Kernels;

/// <summary>
/// Conversions between a kernel's element type and float64, as static members of a struct type argument: ILGPU
/// compiles generic math (T.Exp, T.Zero) but not the generic conversions (T.CreateTruncating), so kernels take a
/// second type argument, <see cref="Real32"/> or <see cref="Real64"/>, for constants and float64 accumulations.
/// </summary>
internal interface IReal<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract T Of(double value);
    static abstract double Wide(T value);
}

internal struct Real32 : IReal<float>
{
    public static float Of(double value) => (float)value;
    public static double Wide(float value) => value;
}

internal struct Real64 : IReal<double>
{
    public static double Of(double value) => value;
    public static double Wide(double value) => value;
}
