using System.Numerics;
using ILGPU;

namespace RawEdit.Tensors.Gpu.Kernels;

/// <summary>
/// Group-wide sum and max of one value per thread through shared memory, as a fixed tree (so results do not depend
/// on timing): thread i holds s[i]; for stride = G/2, G/4, …, 1, thread i &lt; stride adds s[i + stride]. Every
/// thread gets the result. The group size G is a power of two of at most <see cref="MaxGroupSize"/>; every thread of
/// the group must call it (it holds barriers). Group and grid indices are read once per call and kept in locals:
/// on ILGPU's CPU accelerator each read is a call costing hundreds of nanoseconds.
/// </summary>
internal static class GroupReduce
{
    public const int MaxGroupSize = 256;

    public static T Sum<T>(T value, ArrayView<T> scratch) where T : unmanaged, INumber<T>
    {
        int i = Group.IdxX;
        scratch[i] = value;
        Group.Barrier();
        for (int stride = Group.DimX / 2; stride > 0; stride /= 2)
        {
            if (i < stride) scratch[i] += scratch[i + stride];
            Group.Barrier();
        }
        T total = scratch[0];
        Group.Barrier();   // scratch is free again for the caller's next reduction
        return total;
    }

    public static T Max<T>(T value, ArrayView<T> scratch) where T : unmanaged, INumber<T>
    {
        int i = Group.IdxX;
        scratch[i] = value;
        Group.Barrier();
        for (int stride = Group.DimX / 2; stride > 0; stride /= 2)
        {
            if (i < stride) scratch[i] = T.Max(scratch[i], scratch[i + stride]);
            Group.Barrier();
        }
        T total = scratch[0];
        Group.Barrier();
        return total;
    }

    /// <summary>max_j x[j] and Σ_j exp(x[j] − max) over one row, by the whole group (softmax and cross-entropy share it).</summary>
    public static void RowMaxAndExpSum<T>(ArrayView<T> row, int n, ArrayView<T> scratch, out T rowMax, out T expSum)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int lane = Group.IdxX, lanes = Group.DimX;
        T m = T.NegativeInfinity;
        for (int j = lane; j < n; j += lanes) m = T.Max(m, row[j]);
        m = Max(m, scratch);
        T sum = T.Zero;
        for (int j = lane; j < n; j += lanes) sum += T.Exp(row[j] - m);
        rowMax = m;
        expSum = Sum(sum, scratch);
    }
}
