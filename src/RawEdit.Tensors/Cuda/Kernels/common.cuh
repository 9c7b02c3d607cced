// Shared by every RawEdit kernel file (prepended by the compiler, not #included: NVRTC gets one source).
// Shape legend as in IBackend: B batch, T time, C channels, H heads, D head dim, R rows, N columns.
// Index arithmetic is 64-bit wherever an element count can pass 2^31 (GPT-J's embedding is 206 M elements).

#define RAWEDIT_MAX_RANK 8
#define RAWEDIT_INFINITY __longlong_as_double(0x7ff0000000000000LL)   // +inf (NVRTC compiles without the headers defining INFINITY)

typedef long long i64;

// A shape or stride list passed by value (kernel parameters are copied to constant memory by the launch).
struct Dims { int rank; i64 size[RAWEDIT_MAX_RANK]; };

// One thread per element over a 1-D grid-stride loop.
#define FOR_EACH_ELEMENT(i, n) for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (i64)blockDim.x * gridDim.x)

// Block-wide reduction of one value per thread with `combine` (identity `none`): warp shuffles, then one value per
// warp through shared[32]; blockDim.x a multiple of 32, at most 1024; every thread gets the result.
template <typename T, typename Combine>
__device__ T block_reduce(T value, T* shared, T none, Combine combine)
{
    for (int offset = 16; offset > 0; offset >>= 1) value = combine(value, __shfl_down_sync(0xffffffffu, value, offset));
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    if (lane == 0) shared[warp] = value;
    __syncthreads();
    int warps = blockDim.x >> 5;
    value = threadIdx.x < warps ? shared[threadIdx.x] : none;
    if (warp == 0)
        for (int offset = 16; offset > 0; offset >>= 1) value = combine(value, __shfl_down_sync(0xffffffffu, value, offset));
    if (threadIdx.x == 0) shared[0] = value;
    __syncthreads();
    T total = shared[0];
    __syncthreads();
    return total;
}

template <typename T> __device__ T block_sum(T value, T* shared) { return block_reduce(value, shared, (T)0, [](T x, T y) { return x + y; }); }
template <typename T> __device__ T block_max(T value, T* shared) { return block_reduce(value, shared, (T)-RAWEDIT_INFINITY, [](T x, T y) { return max(x, y); }); }

// max_j x[j] and Σ_j exp(x[j] − max) over one row, by the whole block (softmax and cross-entropy share it).
template <typename T>
__device__ void row_max_and_exp_sum(const T* x, int n, T* shared, T& rowMax, T& expSum)
{
    T m = -RAWEDIT_INFINITY;
    for (int j = threadIdx.x; j < n; j += blockDim.x) m = max(m, x[j]);
    m = block_max(m, shared);
    T sum = (T)0;
    for (int j = threadIdx.x; j < n; j += blockDim.x) sum += exp(x[j] - m);
    rowMax = m;
    expSum = block_sum(sum, shared);
}
