using RawEdit.Tensors;

namespace RawEdit.Tests.Tensors;

/// <summary>
/// Seeded float64 leaf tensors for the op checks. Every builder returns a named tensor that requires a
/// gradient unless passed through <see cref="Frozen"/> or built by <see cref="Constant"/>.
/// </summary>
internal static class Inputs
{
    /// <summary>N(0, std²) entries.</summary>
    public static Tensor Normal(string name, int seed, int[] shape, double std = 1.0) =>
        Param(name, Tensor.RandomNormal(seed, std, DType.F64, shape));

    /// <summary>U[lo, hi) entries: keeps Log, Sqrt and friends inside their domain.</summary>
    public static Tensor Uniform(string name, int seed, double lo, double hi, params int[] shape)
    {
        var rng = new Random(seed);
        var values = new double[Shape.Numel(shape)];
        for (int i = 0; i < values.Length; i++) values[i] = lo + (hi - lo) * rng.NextDouble();
        return Param(name, Tensor.FromArray(values, shape));
    }

    /// <summary>Random sign times U[min, max): no entry within <paramref name="min"/> of 0 (for Abs, Relu, division).</summary>
    public static Tensor AwayFromZero(string name, int seed, double min, double max, params int[] shape)
    {
        var rng = new Random(seed);
        var values = new double[Shape.Numel(shape)];
        for (int i = 0; i < values.Length; i++)
            values[i] = (rng.Next(2) == 0 ? -1 : 1) * (min + (max - min) * rng.NextDouble());
        return Param(name, Tensor.FromArray(values, shape));
    }

    /// <summary>1 + N(0, std²): a LayerNorm gain near its usual initial value.</summary>
    public static Tensor NearOne(string name, int seed, int n, double std = 0.1)
    {
        var values = Tensor.RandomNormal(seed, std, DType.F64, n).ToDoubleArray();
        for (int i = 0; i < n; i++) values[i] += 1.0;
        return Param(name, Tensor.FromArray(values, n));
    }

    /// <summary>Fixed values that take no gradient (masks and similar side inputs).</summary>
    public static Tensor Constant(string name, double[] values, params int[] shape)
    {
        var t = Tensor.FromArray(values, shape);
        t.Name = name;
        return t;
    }

    /// <summary>Turns gradient tracking off for a leaf (a frozen weight).</summary>
    public static Tensor Frozen(this Tensor t)
    {
        t.RequiresGrad = false;
        return t;
    }

    private static Tensor Param(string name, Tensor t)
    {
        t.Name = name;
        t.RequiresGrad = true;
        return t;
    }
}
