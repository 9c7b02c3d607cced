// Fused softmax cross-entropy over rows of logits [R, N] (one block per row) and the AdamW update.

// lse_r = max + log Σ_j exp(x[r, j] − max);  loss_r = lse_r − x[r, t_r] (0 where t_r < 0)
template <typename T> __device__ void cross_entropy_kernel(const T* logits, const int* targets, T* loss, T* lse, int n)
{
    __shared__ T shared[32];
    i64 row = blockIdx.x;
    const T* x = logits + row * n;
    T m, sum;
    row_max_and_exp_sum(x, n, shared, m, sum);
    if (threadIdx.x == 0)
    {
        T l = m + log(sum);
        lse[row] = l;
        loss[row] = targets[row] < 0 ? (T)0 : l - x[targets[row]];
    }
}

// dx[r, j] += g_r·(exp(x[r, j] − lse_r) − [j = t_r]); rows with t_r < 0 or g_r = 0 are skipped
template <typename T> __device__ void cross_entropy_backward_kernel(const T* logits, const int* targets, const T* lse, const T* dLoss, T* dLogits, int n)
{
    i64 row = blockIdx.x;
    int target = targets[row];
    T g = dLoss[row];
    if (target < 0 || g == (T)0) return;
    const T* x = logits + row * n;
    T* dx = dLogits + row * n;
    T l = lse[row];
    for (int j = threadIdx.x; j < n; j += blockDim.x) dx[j] += g * (exp(x[j] - l) - (j == target ? (T)1 : (T)0));
}

// m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p·decay − stepSize·m/(√v·secondCorrection + eps)
// (stepSize = lr/(1−β₁ᵗ), secondCorrection = 1/√(1−β₂ᵗ), decay = 1 − lr·wd, computed in float64 on the host)
template <typename T> __device__ void adamw_kernel(T* p, const T* g, T* m, T* v, i64 n, T beta1, T beta2, T decay, T stepSize, T secondCorrection, T eps)
{
    FOR_EACH_ELEMENT(i, n)
    {
        T gi = g[i];
        T mi = beta1 * m[i] + ((T)1 - beta1) * gi;
        T vi = beta2 * v[i] + ((T)1 - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i] * decay - stepSize * mi / (sqrt(vi) * secondCorrection + eps);
    }
}

#define TRAINING(T, suffix) \
extern "C" __global__ void cross_entropy_##suffix(const T* logits, const int* targets, T* loss, T* lse, int n) { cross_entropy_kernel<T>(logits, targets, loss, lse, n); } \
extern "C" __global__ void cross_entropy_backward_##suffix(const T* logits, const int* targets, const T* lse, const T* dLoss, T* dLogits, int n) \
{ cross_entropy_backward_kernel<T>(logits, targets, lse, dLoss, dLogits, n); } \
extern "C" __global__ void adamw_##suffix(T* p, const T* g, T* m, T* v, i64 n, T beta1, T beta2, T decay, T stepSize, T secondCorrection, T eps) \
{ adamw_kernel<T>(p, g, m, v, n, beta1, beta2, decay, stepSize, secondCorrection, eps); }

TRAINING(float, f32)
TRAINING(double, f64)
