using System.Numerics;
using ILGPU;
using static RawEdit.Tensors.Gpu.Kernels.KernelIndex;

namespace RawEdit.Tensors.Gpu.Kernels;

/// <summary>
/// Reductions. Each output element is summed by one thread in a fixed order, so results do not depend on the launch
/// shape (no atomics), matching the CPU's per-element order where it has one.
/// </summary>
internal static class ReductionKernels
{
    // dst += Σ of src over the axes where dst broadcasts against src (dst right-aligned, size 1 there). The host splits
    // src's axes into kept ones (dst's coordinates, in order) and reduced ones; srcStrides are src's element strides.
    // One thread per dst element walks its src elements in row-major order of the reduced axes.
    public static void ReduceToShape<T>(ArrayView<T> src, Dims srcStrides, Dims keptShape, Dims keptAxes, Dims reducedShape, Dims reducedAxes,
        ArrayView<T> dst, long dstCount, long reducedCount) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (long o = First, step = GridStride; o < dstCount; o += step)
        {
            long rest = o, baseOffset = 0;
            for (int k = keptShape.Rank - 1; k >= 0; k--)
            {
                baseOffset += rest % keptShape[k] * srcStrides[(int)keptAxes[k]];
                rest /= keptShape[k];
            }
            T sum = T.Zero;
            for (long r = 0; r < reducedCount; r++)
            {
                long left = r, offset = baseOffset;
                for (int k = reducedShape.Rank - 1; k >= 0; k--)
                {
                    offset += left % reducedShape[k] * srcStrides[(int)reducedAxes[k]];
                    left /= reducedShape[k];
                }
                sum += src[offset];
            }
            dst[o] += sum;
        }
    }

    // y[o, i] (+)= Σ_a x[o, a, i]
    public static void SumAxis<T>(ArrayView<T> x, ArrayView<T> y, int outer, int axis, int inner, int accumulate) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (long e = First, step = GridStride; e < (long)outer * inner; e += step)
        {
            long o = e / inner, i = e % inner, start = o * axis * inner + i;
            T sum = T.Zero;
            for (int a = 0; a < axis; a++) sum += x[start + (long)a * inner];
            y[e] = accumulate != 0 ? y[e] + sum : sum;
        }
    }

    // y[o, a, i] += x[o, i]
    public static void BroadcastAxisAdd<T>(ArrayView<T> x, ArrayView<T> y, int outer, int axis, int inner) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (long e = First, step = GridStride; e < (long)outer * axis * inner; e += step)
        {
            long i = e % inner, o = e / ((long)axis * inner);
            y[e] += x[o * inner + i];
        }
    }

    // partial[group] = Σ x² over the group's grid-stride share, in float64; the host adds the partials in order.
    public static void SumOfSquares<T, R>(ArrayView<T> x, long n, ArrayView<double> partial)
        where T : unmanaged, IFloatingPointIeee754<T> where R : struct, IReal<T>
    {
        int lane = Group.IdxX, lanes = Group.DimX;   // read once: each read is a call on the CPU accelerator
        var scratch = SharedMemory.Allocate<double>(GroupReduce.MaxGroupSize);
        double sum = 0;
        for (long i = First, step = GridStride; i < n; i += step)
        {
            double v = R.Wide(x[i]);
            sum += v * v;
        }
        sum = GroupReduce.Sum(sum, scratch);
        if (lane == 0) partial[Grid.IdxX] = sum;
    }
}
