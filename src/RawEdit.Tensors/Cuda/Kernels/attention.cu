// Fused causal self-attention over packed qkv [B, T, 3C] (q | k | v, head h in columns h·D..h·D+D of each),
// output [B, T, C], probs [B, H, T, T], keyMask [B, T] (1 attend, 0 padding) or null:
//   S = Q·Kᵀ/√D,  P = softmax(S) over keys j ≤ i with keyMask[j] = 1 (a row with no such key: P = 0, O = 0),  O = P·V
// Backward: dP = dO·Vᵀ,  dS = P ⊙ (dP − rowsum(P ⊙ dP)),  dQ = dS·K/√D,  dK = dSᵀ·Q/√D,  dV = Pᵀ·dO  (all +=).

// One block per query row (b, h, i): scores into probs, then the row's softmax in place.
template <typename T> __device__ void attention_probs_kernel(const T* qkv, const T* keyMask, T* probs, int t, int c, int heads)
{
    __shared__ T shared[32];
    i64 rowIndex = blockIdx.x;                    // (b·H + h)·T + i
    int i = rowIndex % t, h = (rowIndex / t) % heads, b = rowIndex / ((i64)t * heads);
    int d = c / heads;
    T scale = (T)1 / sqrt((T)d);
    const T* q = qkv + ((i64)b * t + i) * 3 * c + h * d;
    T* p = probs + rowIndex * t;
    T m = -RAWEDIT_INFINITY;
    for (int j = threadIdx.x; j < t; j += blockDim.x)
    {
        T s = -RAWEDIT_INFINITY;
        if (j <= i && (!keyMask || keyMask[(i64)b * t + j] != (T)0))
        {
            const T* k = qkv + ((i64)b * t + j) * 3 * c + c + h * d;
            T dot = (T)0;
            for (int e = 0; e < d; e++) dot += q[e] * k[e];
            s = dot * scale;
        }
        p[j] = s;
        m = max(m, s);
    }
    m = block_max(m, shared);
    T sum = (T)0;
    for (int j = threadIdx.x; j < t; j += blockDim.x) sum += p[j] == -RAWEDIT_INFINITY ? (T)0 : exp(p[j] - m);
    T inv = (T)1 / block_sum(sum, shared);       // as the CPU: e·(1/Σ)
    for (int j = threadIdx.x; j < t; j += blockDim.x)
        p[j] = (m == -RAWEDIT_INFINITY || p[j] == -RAWEDIT_INFINITY) ? (T)0 : exp(p[j] - m) * inv;
}

// O[b, i, h·D + e] = Σ_j P[b, h, i, j]·V[b, j, h·D + e], one thread per output element.
template <typename T> __device__ void attention_output_kernel(const T* qkv, const T* probs, T* output, int b_, int t, int c, int heads)
{
    int d = c / heads;
    FOR_EACH_ELEMENT(o, (i64)b_ * t * c)
    {
        int col = o % c, i = (o / c) % t, b = o / ((i64)t * c), h = col / d;
        const T* p = probs + (((i64)b * heads + h) * t + i) * t;
        T sum = (T)0;
        for (int j = 0; j <= i; j++) if (p[j] != (T)0) sum += p[j] * qkv[((i64)b * t + j) * 3 * c + 2 * c + col];
        output[o] = sum;
    }
}

// dS for one query row (b, h, i), one block per row, into scratch [B, H, T, T] (scaled by 1/√D).
template <typename T> __device__ void attention_dscores_kernel(const T* qkv, const T* probs, const T* dOutput, T* dScores, int t, int c, int heads)
{
    __shared__ T shared[32];
    i64 rowIndex = blockIdx.x;
    int i = rowIndex % t, h = (rowIndex / t) % heads, b = rowIndex / ((i64)t * heads);
    int d = c / heads;
    T scale = (T)1 / sqrt((T)d);
    const T* p = probs + rowIndex * t;
    const T* dO = dOutput + ((i64)b * t + i) * c + h * d;
    T* ds = dScores + rowIndex * t;
    T dot = (T)0;
    for (int j = threadIdx.x; j < t; j += blockDim.x)
    {
        T dp = (T)0;
        if (j <= i && p[j] != (T)0)
        {
            const T* v = qkv + ((i64)b * t + j) * 3 * c + 2 * c + h * d;
            for (int e = 0; e < d; e++) dp += dO[e] * v[e];
        }
        ds[j] = dp;
        dot += p[j] * dp;
    }
    dot = block_sum(dot, shared);
    for (int j = threadIdx.x; j < t; j += blockDim.x) ds[j] = p[j] == (T)0 ? (T)0 : p[j] * (ds[j] - dot) * scale;
}

// dQ, dK, dV from dS and P, one thread per element of dQkv [B, T, 3C].
template <typename T> __device__ void attention_dqkv_kernel(const T* qkv, const T* probs, const T* dScores, const T* dOutput, T* dQkv, int b_, int t, int c, int heads)
{
    int d = c / heads;
    FOR_EACH_ELEMENT(o, (i64)b_ * t * 3 * c)
    {
        int col = o % (3 * c), row = (o / (3 * c)) % t, b = o / ((i64)t * 3 * c);
        int part = col / c, inner = col % c, h = inner / d;
        i64 pair = (i64)b * heads + h;
        T sum = (T)0;
        if (part == 0)        // dQ[i] = Σ_{j ≤ i} dS[i, j]·K[j]
            for (int j = 0; j <= row; j++) sum += dScores[(pair * t + row) * t + j] * qkv[((i64)b * t + j) * 3 * c + c + inner];
        else if (part == 1)   // dK[j] = Σ_{i ≥ j} dS[i, j]·Q[i]
            for (int i = row; i < t; i++) sum += dScores[(pair * t + i) * t + row] * qkv[((i64)b * t + i) * 3 * c + inner];
        else                  // dV[j] = Σ_{i ≥ j} P[i, j]·dO[i]
            for (int i = row; i < t; i++) sum += probs[(pair * t + i) * t + row] * dOutput[((i64)b * t + i) * c + inner];
        dQkv[o] += sum;
    }
}

#define ATTENTION(T, suffix) \
extern "C" __global__ void attention_probs_##suffix(const T* qkv, const T* keyMask, T* probs, int t, int c, int heads) { attention_probs_kernel<T>(qkv, keyMask, probs, t, c, heads); } \
extern "C" __global__ void attention_output_##suffix(const T* qkv, const T* probs, T* output, int b, int t, int c, int heads) { attention_output_kernel<T>(qkv, probs, output, b, t, c, heads); } \
extern "C" __global__ void attention_dscores_##suffix(const T* qkv, const T* probs, const T* dOutput, T* dScores, int t, int c, int heads) \
{ attention_dscores_kernel<T>(qkv, probs, dOutput, dScores, t, c, heads); } \
extern "C" __global__ void attention_dqkv_##suffix(const T* qkv, const T* probs, const T* dScores, const T* dOutput, T* dQkv, int b, int t, int c, int heads) \
{ attention_dqkv_kernel<T>(qkv, probs, dScores, dOutput, dQkv, b, t, c, heads); }

ATTENTION(float, f32)
ATTENTION(double, f64)
