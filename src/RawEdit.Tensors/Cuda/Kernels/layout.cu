// Layout kernels: permute, axis slices, row gathers/scatters and column picks. Index lists (ids, cols) live on the
// device, uploaded by the host for each call.

// y (+)= x permuted: y's axis k is x's axis perm[k]. yShape [rank]; xStridesPermuted[k] = x's stride of axis perm[k].
template <typename T> __device__ void permute_kernel(const T* x, Dims yShape, Dims xStridesPermuted, T* y, i64 n, int accumulate)
{
    FOR_EACH_ELEMENT(i, n)
    {
        i64 rest = i, offset = 0;
        for (int k = yShape.rank - 1; k >= 0; k--)
        {
            offset += (rest % yShape.size[k]) * xStridesPermuted.size[k];
            rest /= yShape.size[k];
        }
        y[i] = accumulate ? y[i] + x[offset] : x[offset];
    }
}

// y[o, offset + a, i] (+)= x[o, a, i] for a < xAxis
template <typename T> __device__ void copy_into_axis_kernel(const T* x, int outer, int xAxis, int inner, T* y, int yAxis, int offset, int accumulate)
{
    FOR_EACH_ELEMENT(e, (i64)outer * xAxis * inner)
    {
        i64 i = e % inner, a = (e / inner) % xAxis, o = e / ((i64)xAxis * inner);
        i64 target = (o * yAxis + offset + a) * inner + i;
        y[target] = accumulate ? y[target] + x[e] : x[e];
    }
}

// y[o, a, i] (+)= x[o, start + a, i] for a < length
template <typename T> __device__ void copy_from_axis_kernel(const T* x, int outer, int xAxis, int inner, int start, int length, T* y, int accumulate)
{
    FOR_EACH_ELEMENT(e, (i64)outer * length * inner)
    {
        i64 i = e % inner, a = (e / inner) % length, o = e / ((i64)length * inner);
        T v = x[(o * xAxis + start + a) * inner + i];
        y[e] = accumulate ? y[e] + v : v;
    }
}

// y[r, :] = table[ids[r], :]   (ids checked on the host)
template <typename T> __device__ void gather_rows_kernel(const T* table, int width, const int* ids, int rows, T* y)
{
    FOR_EACH_ELEMENT(e, (i64)rows * width) y[e] = table[(i64)ids[e / width] * width + e % width];
}

// table[ids[r], :] += dy[r, :]: one thread per column walks the rows in order (repeated ids add in row order, no atomics).
template <typename T> __device__ void scatter_add_rows_kernel(const T* dy, int width, const int* ids, int rows, T* table)
{
    FOR_EACH_ELEMENT(j, (i64)width)
        for (int r = 0; r < rows; r++) table[(i64)ids[r] * width + j] += dy[(i64)r * width + j];
}

// y[r] = x[r, cols[r]] (0 where cols[r] < 0)
template <typename T> __device__ void pick_columns_kernel(const T* x, int n, const int* cols, int rows, T* y)
{
    FOR_EACH_ELEMENT(r, (i64)rows) y[r] = cols[r] < 0 ? (T)0 : x[r * n + cols[r]];
}

// dx[r, cols[r]] += dy[r]
template <typename T> __device__ void pick_columns_backward_kernel(const T* dy, int n, const int* cols, int rows, T* dx)
{
    FOR_EACH_ELEMENT(r, (i64)rows) if (cols[r] >= 0) dx[r * n + cols[r]] += dy[r];
}

#define LAYOUT(T, suffix) \
extern "C" __global__ void permute_##suffix(const T* x, Dims yShape, Dims xStridesPermuted, T* y, i64 n, int accumulate) { permute_kernel<T>(x, yShape, xStridesPermuted, y, n, accumulate); } \
extern "C" __global__ void copy_into_axis_##suffix(const T* x, int outer, int xAxis, int inner, T* y, int yAxis, int offset, int accumulate) \
{ copy_into_axis_kernel<T>(x, outer, xAxis, inner, y, yAxis, offset, accumulate); } \
extern "C" __global__ void copy_from_axis_##suffix(const T* x, int outer, int xAxis, int inner, int start, int length, T* y, int accumulate) \
{ copy_from_axis_kernel<T>(x, outer, xAxis, inner, start, length, y, accumulate); } \
extern "C" __global__ void gather_rows_##suffix(const T* table, int width, const int* ids, int rows, T* y) { gather_rows_kernel<T>(table, width, ids, rows, y); } \
extern "C" __global__ void scatter_add_rows_##suffix(const T* dy, int width, const int* ids, int rows, T* table) { scatter_add_rows_kernel<T>(dy, width, ids, rows, table); } \
extern "C" __global__ void pick_columns_##suffix(const T* x, int n, const int* cols, int rows, T* y) { pick_columns_kernel<T>(x, n, cols, rows, y); } \
extern "C" __global__ void pick_columns_backward_##suffix(const T* dy, int n, const int* cols, int rows, T* dx) { pick_columns_backward_kernel<T>(dy, n, cols, rows, dx); }

LAYOUT(float, f32)
LAYOUT(double, f64)

// Half-stored embedding tables: rows widened to fp32 as they are gathered (see elementwise.cu for the formats).
extern "C" __global__ void gather_rows_f16(const unsigned short* table, int width, const int* ids, int rows, float* y)
{
    FOR_EACH_ELEMENT(e, (i64)rows * width) y[e] = half_bits_to_float(table[(i64)ids[e / width] * width + e % width]);
}

extern "C" __global__ void gather_rows_bf16(const unsigned short* table, int width, const int* ids, int rows, float* y)
{
    FOR_EACH_ELEMENT(e, (i64)rows * width) y[e] = __uint_as_float((unsigned int)table[(i64)ids[e / width] * width + e % width] << 16);
}
