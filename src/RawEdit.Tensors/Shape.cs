namespace RawEdit.Tensors;

/// <summary>Helpers over shapes (int[] dims, row-major, contiguous).</summary>
internal static class Shape
{
    public static long Numel(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"negative dimension in shape {Format(shape)}");
            n = checked(n * d);
        }
        return n;
    }

    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(",", shape.ToArray()) + "]";

    public static bool SameAs(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);

    /// <summary>NumPy broadcasting: align trailing dims; a dim of 1 stretches.</summary>
    public static int[] Broadcast(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            int db = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"shapes {Format(a)} and {Format(b)} do not broadcast");
            result[i] = Math.Max(da, db);
        }
        return result;
    }

    /// <summary>Resolves one -1 in a reshape target.</summary>
    public static int[] ResolveReshape(long numel, int[] target)
    {
        var shape = (int[])target.Clone();
        int inferred = Array.IndexOf(shape, -1);
        long known = 1;
        for (int i = 0; i < shape.Length; i++)
            if (i != inferred) known *= shape[i];
        if (inferred >= 0)
        {
            if (known == 0 || numel % known != 0)
                throw new ArgumentException($"cannot reshape {numel} elements to {Format(target)}");
            shape[inferred] = (int)(numel / known);
        }
        if (Numel(shape) != numel)
            throw new ArgumentException($"cannot reshape {numel} elements to {Format(target)}");
        return shape;
    }

    /// <summary>Splits a shape around an axis: outer × axisLength × inner.</summary>
    public static (int Outer, int Axis, int Inner) AroundAxis(ReadOnlySpan<int> shape, int axis)
    {
        long outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.Length; i++) inner *= shape[i];
        return (checked((int)outer), shape[axis], checked((int)inner));
    }

    public static int NormalizeAxis(int axis, int rank)
    {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new ArgumentOutOfRangeException(nameof(axis), $"axis {axis} out of range for rank {rank}");
        return a;
    }
}
