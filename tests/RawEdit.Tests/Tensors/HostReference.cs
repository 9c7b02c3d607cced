namespace RawEdit.Tests.Tensors;

/// <summary>Plain index-arithmetic loops over host arrays: independent references for data-movement ops.</summary>
internal static class HostReference
{
    /// <summary>Row-major strides of <paramref name="shape"/>.</summary>
    public static int[] Strides(int[] shape)
    {
        var strides = new int[shape.Length];
        int s = 1;
        for (int d = shape.Length - 1; d >= 0; d--) { strides[d] = s; s *= shape[d]; }
        return strides;
    }

    /// <summary>y with y's axis d = x's axis perm[d]: y[i₀..] = x[j] where j[perm[d]] = i_d.</summary>
    public static double[] Permute(double[] x, int[] shape, int[] perm)
    {
        var yShape = perm.Select(p => shape[p]).ToArray();
        int[] xStrides = Strides(shape), yStrides = Strides(yShape);
        var y = new double[x.Length];
        for (int flat = 0; flat < y.Length; flat++)
        {
            int xFlat = 0;
            for (int d = 0; d < perm.Length; d++)
                xFlat += flat / yStrides[d] % yShape[d] * xStrides[perm[d]];
            y[flat] = x[xFlat];
        }
        return y;
    }

    /// <summary>Sum over <paramref name="axis"/>: each element added into its slot with that axis index dropped.</summary>
    public static double[] SumAxis(double[] x, int[] shape, int axis)
    {
        var reduced = (int[])shape.Clone();
        reduced[axis] = 1;
        int[] xStrides = Strides(shape), yStrides = Strides(reduced);
        var y = new double[x.Length / shape[axis]];
        for (int flat = 0; flat < x.Length; flat++)
        {
            int yFlat = 0;
            for (int d = 0; d < shape.Length; d++)
                if (d != axis) yFlat += flat / xStrides[d] % shape[d] * yStrides[d];
            y[yFlat] += x[flat];
        }
        return y;
    }
}
