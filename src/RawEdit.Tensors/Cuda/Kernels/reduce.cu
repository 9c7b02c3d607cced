// Reductions. Each output element is summed by one thread in a fixed order, so results do not depend on the
// launch shape (no atomics), matching the CPU's per-element order where it has one.

// dst += Σ of src over the axes where dst broadcasts against src (dst right-aligned, size 1 there). The host splits
// src's axes into kept ones (dst's coordinates, in order) and reduced ones; srcStrides are src's element strides.
// One thread per dst element walks its src elements in row-major order of the reduced axes.
template <typename T>
__device__ void reduce_to_shape_kernel(const T* src, Dims srcStrides, Dims keptShape, Dims keptAxes, Dims reducedShape, Dims reducedAxes, T* dst, i64 dstCount, i64 reducedCount)
{
    FOR_EACH_ELEMENT(o, dstCount)
    {
        // Offset of the first src element of this dst element, from its coordinates on the kept axes.
        i64 rest = o, base = 0;
        for (int k = keptShape.rank - 1; k >= 0; k--)
        {
            base += (rest % keptShape.size[k]) * srcStrides.size[keptAxes.size[k]];
            rest /= keptShape.size[k];
        }
        T sum = (T)0;
        for (i64 r = 0; r < reducedCount; r++)
        {
            i64 left = r, offset = base;
            for (int k = reducedShape.rank - 1; k >= 0; k--)
            {
                offset += (left % reducedShape.size[k]) * srcStrides.size[reducedAxes.size[k]];
                left /= reducedShape.size[k];
            }
            sum += src[offset];
        }
        dst[o] += sum;
    }
}

// y[o, i] (+)= Σ_a x[o, a, i]
template <typename T> __device__ void sum_axis_kernel(const T* x, T* y, int outer, int axis, int inner, int accumulate)
{
    FOR_EACH_ELEMENT(e, (i64)outer * inner)
    {
        i64 o = e / inner, i = e % inner;
        const T* p = x + o * axis * inner + i;
        T sum = (T)0;
        for (int a = 0; a < axis; a++) sum += p[(i64)a * inner];
        y[e] = accumulate ? y[e] + sum : sum;
    }
}

// y[o, a, i] += x[o, i]
template <typename T> __device__ void broadcast_axis_add_kernel(const T* x, T* y, int outer, int axis, int inner)
{
    FOR_EACH_ELEMENT(e, (i64)outer * axis * inner)
    {
        i64 i = e % inner, o = e / ((i64)axis * inner);
        y[e] += x[o * inner + i];
    }
}

// partial[block] = Σ x² over the block's grid-stride share, in float64; the host adds the partials in order.
template <typename T> __device__ void sum_of_squares_kernel(const T* x, i64 n, double* partial)
{
    __shared__ double shared[32];
    double sum = 0;
    FOR_EACH_ELEMENT(i, n) { double v = (double)x[i]; sum += v * v; }
    sum = block_sum(sum, shared);
    if (threadIdx.x == 0) partial[blockIdx.x] = sum;
}

#define REDUCE(T, suffix) \
extern "C" __global__ void reduce_to_shape_##suffix(const T* src, Dims srcStrides, Dims keptShape, Dims keptAxes, Dims reducedShape, Dims reducedAxes, T* dst, i64 dstCount, i64 reducedCount) \
{ reduce_to_shape_kernel<T>(src, srcStrides, keptShape, keptAxes, reducedShape, reducedAxes, dst, dstCount, reducedCount); } \
extern "C" __global__ void sum_axis_##suffix(const T* x, T* y, int outer, int axis, int inner, int accumulate) { sum_axis_kernel<T>(x, y, outer, axis, inner, accumulate); } \
extern "C" __global__ void broadcast_axis_add_##suffix(const T* x, T* y, int outer, int axis, int inner) { broadcast_axis_add_kernel<T>(x, y, outer, axis, inner); } \
extern "C" __global__ void sum_of_squares_##suffix(const T* x, i64 n, double* partial) { sum_of_squares_kernel<T>(x, n, partial); }

REDUCE(float, f32)
REDUCE(double, f64)
