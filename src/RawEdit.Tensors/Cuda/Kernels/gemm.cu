// Strided batched row-major GEMM: C_z = alpha·op(A_z)·op(B_z) + beta·C_z for z = blockIdx.z,
//   op(A)[i, p] = transA ? A[p·lda + i] : A[i·lda + p]   (m × k)
//   op(B)[p, j] = transB ? B[j·ldb + p] : B[p·ldb + j]   (k × n)
// beta = 0 overwrites C without reading it (as the CPU). Tiles: 64 × 64 of C per block of 256 threads, each thread
// a 4 × 4 register tile, k in steps of 16 through shared memory (padded against bank conflicts). Every element
// of C is one thread's sum over p in increasing order.

// op(A)[i, p] and op(B)[p, j], zero outside the matrices; and C's element written back. Shared by gemm_large.cu and
// gemm_tf32.cu, which follow this file in the translation unit.
template <typename T>
__device__ __forceinline__ T load_a(const T* a, int transA, int lda, int m, int k, int i, int p)
{
    return (i < m && p < k) ? (transA ? a[(i64)p * lda + i] : a[(i64)i * lda + p]) : (T)0;
}

template <typename T>
__device__ __forceinline__ T load_b(const T* b, int transB, int ldb, int k, int n, int p, int j)
{
    return (p < k && j < n) ? (transB ? b[(i64)j * ldb + p] : b[(i64)p * ldb + j]) : (T)0;
}

// C[i, j] = alpha·acc (+ beta·C[i, j] unless beta = 0, which never reads C), for i < m, j < n.
template <typename T>
__device__ __forceinline__ void store_c(T* c, int ldc, int m, int n, int i, int j, T alpha, T acc, T beta)
{
    if (i >= m || j >= n) return;
    T* target = c + (i64)i * ldc + j;
    *target = beta == (T)0 ? alpha * acc : alpha * acc + beta * *target;
}

// The tensor-core kernels' epilogue (gemm_bf16.cu, gemm_tf32.cu): one warp's 64 × 32 of C at (row, col) as 4 × 4
// m16n8 accumulator fragments, element r of fragment (i, j) at row i·16 + g + 8·(r / 2), column j·8 + 2t + r % 2
// (g = lane / 4, t = lane % 4; PTX ISA's C fragment layout for mma.m16n8k8 and m16n8k16).
__device__ __forceinline__ void store_mma_tiles(const float (&acc)[4][4][4], float* c, int ldc, int m, int n, int row, int col,
                                                int g, int t, float alpha, float beta)
{
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            for (int r = 0; r < 4; r++)
                store_c(c, ldc, m, n, row + i * 16 + g + 8 * (r / 2), col + j * 8 + 2 * t + r % 2, alpha, acc[i][j][r], beta);
}

#define TILE_M 64
#define TILE_N 64
#define TILE_K 16

template <typename T>
__device__ void gemm_kernel(int transA, int transB, int m, int n, int k, T alpha, const T* a, int lda, i64 strideA,
                            const T* b, int ldb, i64 strideB, T beta, T* c, int ldc, i64 strideC)
{
    __shared__ T As[TILE_K][TILE_M + 4];
    __shared__ T Bs[TILE_K][TILE_N + 4];
    a += blockIdx.z * strideA;
    b += blockIdx.z * strideB;
    c += blockIdx.z * strideC;
    int row0 = blockIdx.y * TILE_M, col0 = blockIdx.x * TILE_N;
    int tx = threadIdx.x % 16, ty = threadIdx.x / 16;     // the thread's 4 × 4 tile: rows ty + 16·r, columns tx + 16·s
    T acc[4][4];
    for (int r = 0; r < 4; r++) for (int s = 0; s < 4; s++) acc[r][s] = (T)0;

    for (int p0 = 0; p0 < k; p0 += TILE_K)
    {
        // 64 × 16 of op(A) and 16 × 64 of op(B): 4 elements of each per thread, zero outside the matrices.
        for (int e = threadIdx.x; e < TILE_M * TILE_K; e += 256)
        {
            int i = e / TILE_K, p = e % TILE_K;                 // op(A) tile row i, column p
            As[p][i] = load_a(a, transA, lda, m, k, row0 + i, p0 + p);
        }
        for (int e = threadIdx.x; e < TILE_K * TILE_N; e += 256)
        {
            int p = e / TILE_N, j = e % TILE_N;
            Bs[p][j] = load_b(b, transB, ldb, k, n, p0 + p, col0 + j);
        }
        __syncthreads();
        for (int p = 0; p < TILE_K; p++)
        {
            T av[4], bv[4];
            for (int r = 0; r < 4; r++) av[r] = As[p][ty + 16 * r];
            for (int s = 0; s < 4; s++) bv[s] = Bs[p][tx + 16 * s];
            for (int r = 0; r < 4; r++) for (int s = 0; s < 4; s++) acc[r][s] += av[r] * bv[s];
        }
        __syncthreads();
    }
    for (int r = 0; r < 4; r++)
        for (int s = 0; s < 4; s++) store_c(c, ldc, m, n, row0 + ty + 16 * r, col0 + tx + 16 * s, alpha, acc[r][s], beta);
}

extern "C" __global__ void gemm_f32(int transA, int transB, int m, int n, int k, float alpha, const float* a, int lda, i64 strideA,
                                    const float* b, int ldb, i64 strideB, float beta, float* c, int ldc, i64 strideC)
{ gemm_kernel<float>(transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC); }

extern "C" __global__ void gemm_f64(int transA, int transB, int m, int n, int k, double alpha, const double* a, int lda, i64 strideA,
                                    const double* b, int ldb, i64 strideB, double beta, double* c, int ldc, i64 strideC)
{ gemm_kernel<double>(transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC); }
