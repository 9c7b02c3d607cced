// fp32 GEMM on the tensor cores with TF32 inputs (10-bit mantissas, rounded to nearest; fp32 accumulation), the
// same contract as gemm_f32. Chosen only when the user allows TF32 (RAWEDIT_CUDA_TF32=1, like PyTorch's
// allow_tf32): products then differ from fp32 by about 1e-3 relative.
// Block: 128 × 128 of C, 8 warps as 2 (rows) × 4 (columns), each warp 64 × 32 = 4 × 4 tiles of
// mma.sync.m16n8k8 (PTX ISA "Matrix Fragments for mma.m16n8k8", .tf32): with g = lane / 4 and t = lane % 4,
//   A (16 × 8, row-major): a0 (g, t), a1 (g + 8, t), a2 (g, t + 4), a3 (g + 8, t + 4)
//   B (8 × 8, column-major): b0 (t, g), b1 (t + 4, g)
//   C (16 × 8): c0 (g, 2t), c1 (g, 2t + 1), c2 (g + 8, 2t), c3 (g + 8, 2t + 1)
// k goes in slices of 16 through shared memory (k-major tiles padded by 4, so the fragment reads hit 32 banks).

#define TC_M 128
#define TC_N 128
#define TC_K 16
#define TC_PAD 4

// The tensor-core instructions exist from sm_80 on; older targets compile a kernel that traps (the host never
// launches it there).
#if __CUDA_ARCH__ >= 800
#define RAWEDIT_TF32 1
#endif

__device__ __forceinline__ unsigned int to_tf32(float x)
{
    unsigned int r = 0;
#ifdef RAWEDIT_TF32
    asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(x));
#endif
    return r;
}

extern "C" __global__ void __launch_bounds__(256) gemm_tf32_f32(int transA, int transB, int m, int n, int k, float alpha,
    const float* a, int lda, i64 strideA, const float* b, int ldb, i64 strideB, float beta, float* c, int ldc, i64 strideC)
{
    __shared__ float As[TC_K][TC_M + TC_PAD];
    __shared__ float Bs[TC_K][TC_N + TC_PAD];
    a += blockIdx.z * strideA;
    b += blockIdx.z * strideB;
    c += blockIdx.z * strideC;
    int row0 = blockIdx.y * TC_M, col0 = blockIdx.x * TC_N;
    int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    int g = lane / 4, t = lane % 4;
    int warpRow = (warp / 4) * 64, warpCol = (warp % 4) * 32;

    float acc[4][4][4];
    for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) for (int r = 0; r < 4; r++) acc[i][j][r] = 0.0f;

    for (int p0 = 0; p0 < k; p0 += TC_K)
    {
        for (int e = threadIdx.x; e < TC_M * TC_K; e += 256)
        {
            int ia = transA ? e % TC_M : e / TC_K, pa = transA ? e / TC_M : e % TC_K;
            As[pa][ia] = load_a(a, transA, lda, m, k, row0 + ia, p0 + pa);
            int pb = transB ? e % TC_K : e / TC_N, jb = transB ? e / TC_K : e % TC_N;
            Bs[pb][jb] = load_b(b, transB, ldb, k, n, p0 + pb, col0 + jb);
        }
        __syncthreads();
        for (int ks = 0; ks < TC_K; ks += 8)
        {
            unsigned int af[4][4], bf[4][2];
            for (int i = 0; i < 4; i++)
            {
                int r = warpRow + i * 16 + g;
                af[i][0] = to_tf32(As[ks + t][r]);
                af[i][1] = to_tf32(As[ks + t][r + 8]);
                af[i][2] = to_tf32(As[ks + t + 4][r]);
                af[i][3] = to_tf32(As[ks + t + 4][r + 8]);
            }
            for (int j = 0; j < 4; j++)
            {
                int col = warpCol + j * 8 + g;
                bf[j][0] = to_tf32(Bs[ks + t][col]);
                bf[j][1] = to_tf32(Bs[ks + t + 4][col]);
            }
#ifndef RAWEDIT_TF32
            __trap();
#else
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++)
                    asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};"
                                 : "+f"(acc[i][j][0]), "+f"(acc[i][j][1]), "+f"(acc[i][j][2]), "+f"(acc[i][j][3])
                                 : "r"(af[i][0]), "r"(af[i][1]), "r"(af[i][2]), "r"(af[i][3]), "r"(bf[j][0]), "r"(bf[j][1]));
#endif
        }
        __syncthreads();
    }

    store_mma_tiles(acc, c, ldc, m, n, row0 + warpRow, col0 + warpCol, g, t, alpha, beta);
}
