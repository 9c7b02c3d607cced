// GEMM on the tensor cores with bfloat16 inputs and fp32 accumulation, C in fp32; the contract of gemm.cu's gemm_f32
// except that each operand is read in its stored type (kind 0 = fp32, 1 = bf16 bits, 2 = f16 bits) and rounded to
// bf16 (to nearest, ties to even) on its way into shared memory. A bf16-stored weight is thus read as it is, with
// no widened fp32 copy; fp32 activations lose their low 16 bits (about 4e-3 relative), as under PyTorch's
// autocast(bfloat16). Chosen only when the user allows it (RAWEDIT_CUDA_BF16=1).
// Block: 128 × 128 of C, 8 warps as 2 (rows) × 4 (columns), each warp 64 × 32 = 4 × 4 tiles of
// mma.sync.m16n8k16 (PTX ISA "Matrix Fragments for mma.m16n8k16 with floating point type", .bf16). A 32-bit
// register holds two bf16 elements adjacent in k, the lower k in the low half. With g = lane / 4, t = lane % 4:
//   A (16 × 16, row-major): a0 (g, 2t…2t+1), a1 (g + 8, 2t…2t+1), a2 (g, 2t+8…2t+9), a3 (g + 8, 2t+8…2t+9)
//   B (16 × 8, column-major): b0 (2t…2t+1, g), b1 (2t+8…2t+9, g)
//   C (16 × 8): c0 (g, 2t), c1 (g, 2t + 1), c2 (g + 8, 2t), c3 (g + 8, 2t + 1)
// k goes in slices of 32 through shared memory, stored as k-pair words per row of op(A) and per column of op(B):
// a row is 16 words padded to 20, so the fragment reads (rows g, words t) fall in 32 distinct banks.

#define BF_M 128
#define BF_N 128
#define BF_K 32
#define BF_WORDS (BF_K / 2)
#define BF_ROW (BF_WORDS + 4)

#if __CUDA_ARCH__ >= 800
#define RAWEDIT_BF16_MMA 1
#endif

// Element `index` of an operand of the given kind, as bf16 bits.
__device__ __forceinline__ unsigned int operand_bf16(const void* x, int kind, i64 index)
{
    if (kind == 1) return ((const unsigned short*)x)[index];
    float value = kind == 0 ? ((const float*)x)[index] : half_bits_to_float(((const unsigned short*)x)[index]);
    return float_to_bfloat16_bits(value);
}

// op(X)[outer, p] for an operand read along k (A: outer = i; B: outer = j), zero outside the matrix.
// kMajorInMemory: consecutive p are adjacent in memory (A not transposed, B transposed).
__device__ __forceinline__ unsigned int operand_pair(const void* x, int kind, int ld, int kMajorInMemory, int outer, int outerCount,
                                                     int p, int k)
{
    unsigned int word = 0;
    for (int half = 0; half < 2; half++)
    {
        int q = p + half;
        if (outer >= outerCount || q >= k) continue;
        i64 index = kMajorInMemory ? (i64)outer * ld + q : (i64)q * ld + outer;
        word |= operand_bf16(x, kind, index) << (16 * half);
    }
    return word;
}

// Fills tile[outer][word] (BF_M or BF_N rows of BF_WORDS k-pairs) from one operand; the thread-to-element map
// follows the operand's memory order, so neighbouring threads read neighbouring addresses.
__device__ __forceinline__ void load_bf16_tile(unsigned int (*tile)[BF_ROW], const void* x, int kind, int ld, int kMajorInMemory,
                                               int outer0, int outerCount, int p0, int k)
{
    for (int w = threadIdx.x; w < 128 * BF_WORDS; w += 256)
    {
        int outer = kMajorInMemory ? w / BF_WORDS : w % 128;
        int word = kMajorInMemory ? w % BF_WORDS : w / 128;
        tile[outer][word] = operand_pair(x, kind, ld, kMajorInMemory, outer0 + outer, outerCount, p0 + 2 * word, k);
    }
}

extern "C" __global__ void __launch_bounds__(256) gemm_bf16_f32(int transA, int transB, int m, int n, int k, float alpha,
    const void* a, int kindA, int lda, i64 strideA, const void* b, int kindB, int ldb, i64 strideB,
    float beta, float* c, int ldc, i64 strideC)
{
    __shared__ unsigned int As[BF_M][BF_ROW];   // As[i][w] = op(A)[row0 + i, p0 + 2w … 2w + 1]
    __shared__ unsigned int Bs[BF_N][BF_ROW];   // Bs[j][w] = op(B)[p0 + 2w … 2w + 1, col0 + j]
    int elementA = kindA == 0 ? 4 : 2, elementB = kindB == 0 ? 4 : 2;
    a = (const char*)a + blockIdx.z * strideA * elementA;
    b = (const char*)b + blockIdx.z * strideB * elementB;
    c += blockIdx.z * strideC;
    int row0 = blockIdx.y * BF_M, col0 = blockIdx.x * BF_N;
    int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    int g = lane / 4, t = lane % 4;
    int warpRow = (warp / 4) * 64, warpCol = (warp % 4) * 32;

    float acc[4][4][4];
    for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) for (int r = 0; r < 4; r++) acc[i][j][r] = 0.0f;

    for (int p0 = 0; p0 < k; p0 += BF_K)
    {
        load_bf16_tile(As, a, kindA, lda, !transA, row0, m, p0, k);
        load_bf16_tile(Bs, b, kindB, ldb, transB, col0, n, p0, k);
        __syncthreads();
        for (int ks = 0; ks < BF_WORDS; ks += 8)   // two k16 steps per slice
        {
            unsigned int af[4][4], bf[4][2];
            for (int i = 0; i < 4; i++)
            {
                int r = warpRow + i * 16 + g;
                af[i][0] = As[r][ks + t];
                af[i][1] = As[r + 8][ks + t];
                af[i][2] = As[r][ks + t + 4];
                af[i][3] = As[r + 8][ks + t + 4];
            }
            for (int j = 0; j < 4; j++)
            {
                int col = warpCol + j * 8 + g;
                bf[j][0] = Bs[col][ks + t];
                bf[j][1] = Bs[col][ks + t + 4];
            }
#ifndef RAWEDIT_BF16_MMA
            __trap();   // the host launches this kernel only on compute capability 8.0 and newer
#else
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++)
                    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};"
                                 : "+f"(acc[i][j][0]), "+f"(acc[i][j][1]), "+f"(acc[i][j][2]), "+f"(acc[i][j][3])
                                 : "r"(af[i][0]), "r"(af[i][1]), "r"(af[i][2]), "r"(af[i][3]), "r"(bf[j][0]), "r"(bf[j][1]));
#endif
        }
        __syncthreads();
    }

    store_mma_tiles(acc, c, ldc, m, n, row0 + warpRow, col0 + warpCol, g, t, alpha, beta);
}
