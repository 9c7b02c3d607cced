// The large-matrix fp32 GEMM (same contract as gemm.cu's gemm_f32; the host picks it when m and n are at least 128):
// 128 × 128 of C per block of 256 threads, each thread an 8 × 8 register tile (rows ty·4 + {0..3} and 64 + ty·4 +
// {0..3}, columns likewise with tx), k in steps of 8 through double-buffered shared memory: the next k-slice is read
// from global memory into registers while the current one is multiplied, then stored to the other buffer.
// Shared tiles are k-major (As[p][i], Bs[p][j]) so the inner loop reads them as float4. Every element of C is one
// thread's sum over p in increasing order, as in gemm.cu.

#define BIG_M 128
#define BIG_N 128
#define BIG_K 8

extern "C" __global__ void __launch_bounds__(256) gemm_large_f32(int transA, int transB, int m, int n, int k, float alpha,
    const float* a, int lda, i64 strideA, const float* b, int ldb, i64 strideB, float beta, float* c, int ldc, i64 strideC)
{
    __shared__ __align__(16) float As[2][BIG_K][BIG_M];
    __shared__ __align__(16) float Bs[2][BIG_K][BIG_N];
    a += blockIdx.z * strideA;
    b += blockIdx.z * strideB;
    c += blockIdx.z * strideC;
    int row0 = blockIdx.y * BIG_M, col0 = blockIdx.x * BIG_N;
    int tx = threadIdx.x % 16, ty = threadIdx.x / 16;

    // Each thread loads 4 elements of the A slice (128 × 8) and 4 of the B slice (8 × 128) per step. The mapping
    // follows memory order of the non-transposed layouts so that neighbouring threads read neighbouring addresses.
    float ra[4], rb[4];
    auto fetch = [&](int p0)
    {
        for (int e = 0; e < 4; e++)
        {
            int index = threadIdx.x + 256 * e;                       // 0 … 1023
            int ia = transA ? index % BIG_M : index / BIG_K, pa = transA ? index / BIG_M : index % BIG_K;
            ra[e] = load_a(a, transA, lda, m, k, row0 + ia, p0 + pa);
            int pb = transB ? index % BIG_K : index / BIG_N, jb = transB ? index / BIG_K : index % BIG_N;
            rb[e] = load_b(b, transB, ldb, k, n, p0 + pb, col0 + jb);
        }
    };
    auto stash = [&](int buffer)
    {
        for (int e = 0; e < 4; e++)
        {
            int index = threadIdx.x + 256 * e;
            int ia = transA ? index % BIG_M : index / BIG_K, pa = transA ? index / BIG_M : index % BIG_K;
            As[buffer][pa][ia] = ra[e];
            int pb = transB ? index % BIG_K : index / BIG_N, jb = transB ? index / BIG_K : index % BIG_N;
            Bs[buffer][pb][jb] = rb[e];
        }
    };

    float acc[8][8];
    for (int r = 0; r < 8; r++) for (int s = 0; s < 8; s++) acc[r][s] = 0.0f;

    fetch(0);
    stash(0);
    __syncthreads();
    int buffer = 0;
    for (int p0 = 0; p0 < k; p0 += BIG_K)
    {
        bool more = p0 + BIG_K < k;
        if (more) fetch(p0 + BIG_K);                                 // global loads in flight during the products
        for (int p = 0; p < BIG_K; p++)
        {
            float4 a0 = *reinterpret_cast<const float4*>(&As[buffer][p][ty * 4]);
            float4 a1 = *reinterpret_cast<const float4*>(&As[buffer][p][64 + ty * 4]);
            float4 b0 = *reinterpret_cast<const float4*>(&Bs[buffer][p][tx * 4]);
            float4 b1 = *reinterpret_cast<const float4*>(&Bs[buffer][p][64 + tx * 4]);
            float av[8] = { a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w };
            float bv[8] = { b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w };
            for (int r = 0; r < 8; r++) for (int s = 0; s < 8; s++) acc[r][s] = fmaf(av[r], bv[s], acc[r][s]);
        }
        if (more)
        {
            stash(buffer ^ 1);
            __syncthreads();
            buffer ^= 1;
        }
    }

    for (int r = 0; r < 8; r++)
        for (int s = 0; s < 8; s++)
            store_c(c, ldc, m, n, row0 + (r < 4 ? ty * 4 + r : 64 + ty * 4 + r - 4), col0 + (s < 4 ? tx * 4 + s : 64 + tx * 4 + s - 4),
                    alpha, acc[r][s], beta);
}
