// Layer norm and (log-)softmax over the last axis of [R, N]: one block per row (block sums in the row's type), and
// column sums for dγ, dβ with one thread per column walking the rows in order.

// y = (x − μ)·rstd·γ + β, rstd = 1/√(σ² + eps), σ² the biased variance, two-pass.
template <typename T> __device__ void layer_norm_kernel(const T* x, const T* gamma, const T* beta, T* y, T* mean, T* rstd, int n, T eps)
{
    __shared__ T shared[32];
    i64 row = blockIdx.x;
    const T* xs = x + row * n;
    T* ys = y + row * n;
    T sum = (T)0;
    for (int j = threadIdx.x; j < n; j += blockDim.x) sum += xs[j];
    T mu = block_sum(sum, shared) / (T)n;
    T squares = (T)0;
    for (int j = threadIdx.x; j < n; j += blockDim.x) { T d = xs[j] - mu; squares += d * d; }
    T inv = (T)1 / sqrt(block_sum(squares, shared) / (T)n + eps);
    for (int j = threadIdx.x; j < n; j += blockDim.x) ys[j] = (xs[j] - mu) * inv * gamma[j] + beta[j];
    if (threadIdx.x == 0) { mean[row] = mu; rstd[row] = inv; }
}

// x̂ = (x − μ)·rstd, g = dy·γ:  dx += rstd·(g − mean(g) − x̂·mean(g·x̂))
template <typename T> __device__ void layer_norm_backward_dx_kernel(const T* x, const T* gamma, const T* mean, const T* rstd, const T* dy, T* dx, int n)
{
    __shared__ T shared[32];
    i64 row = blockIdx.x;
    const T *xs = x + row * n, *dys = dy + row * n;
    T mu = mean[row], inv = rstd[row], sumG = (T)0, sumGX = (T)0;
    for (int j = threadIdx.x; j < n; j += blockDim.x)
    {
        T g = dys[j] * gamma[j];
        sumG += g;
        sumGX += g * (xs[j] - mu) * inv;
    }
    T meanG = block_sum(sumG, shared) / (T)n, meanGX = block_sum(sumGX, shared) / (T)n;
    for (int j = threadIdx.x; j < n; j += blockDim.x)
    {
        T xhat = (xs[j] - mu) * inv;
        dx[row * n + j] += inv * (dys[j] * gamma[j] - meanG - xhat * meanGX);
    }
}

// dγ += Σ_r dy·x̂, dβ += Σ_r dy (either may be null)
template <typename T> __device__ void layer_norm_backward_params_kernel(const T* x, const T* mean, const T* rstd, const T* dy, T* dgamma, T* dbeta, int rows, int n)
{
    FOR_EACH_ELEMENT(j, (i64)n)
    {
        T g = (T)0, b = (T)0;
        for (int r = 0; r < rows; r++)
        {
            T d = dy[(i64)r * n + j];
            b += d;
            g += d * (x[(i64)r * n + j] - mean[r]) * rstd[r];
        }
        if (dgamma) dgamma[j] += g;
        if (dbeta) dbeta[j] += b;
    }
}

// softmax: y = exp(x − max)/Σ;  log-softmax: y = x − max − log Σ exp(x − max)
template <typename T> __device__ void softmax_kernel(const T* x, T* y, int n, int log_)
{
    __shared__ T shared[32];
    i64 row = blockIdx.x;
    const T* xs = x + row * n;
    T* ys = y + row * n;
    T m, sum;
    row_max_and_exp_sum(xs, n, shared, m, sum);
    if (log_) { T shift = m + log(sum); for (int j = threadIdx.x; j < n; j += blockDim.x) ys[j] = xs[j] - shift; }
    else for (int j = threadIdx.x; j < n; j += blockDim.x) ys[j] = exp(xs[j] - m) / sum;
}

// softmax: dx += y·(dy − Σ dy·y);  log-softmax: dx += dy − exp(y)·Σ dy
template <typename T> __device__ void softmax_backward_kernel(const T* y, const T* dy, T* dx, int n, int log_)
{
    __shared__ T shared[32];
    i64 row = blockIdx.x;
    const T *ys = y + row * n, *dys = dy + row * n;
    T* dxs = dx + row * n;
    T s = (T)0;
    for (int j = threadIdx.x; j < n; j += blockDim.x) s += log_ ? dys[j] : dys[j] * ys[j];
    s = block_sum(s, shared);
    for (int j = threadIdx.x; j < n; j += blockDim.x) dxs[j] += log_ ? dys[j] - exp(ys[j]) * s : ys[j] * (dys[j] - s);
}

#define NORMALIZATION(T, suffix) \
extern "C" __global__ void layer_norm_##suffix(const T* x, const T* gamma, const T* beta, T* y, T* mean, T* rstd, int n, T eps) { layer_norm_kernel<T>(x, gamma, beta, y, mean, rstd, n, eps); } \
extern "C" __global__ void layer_norm_backward_dx_##suffix(const T* x, const T* gamma, const T* mean, const T* rstd, const T* dy, T* dx, int n) \
{ layer_norm_backward_dx_kernel<T>(x, gamma, mean, rstd, dy, dx, n); } \
extern "C" __global__ void layer_norm_backward_params_##suffix(const T* x, const T* mean, const T* rstd, const T* dy, T* dgamma, T* dbeta, int rows, int n) \
{ layer_norm_backward_params_kernel<T>(x, mean, rstd, dy, dgamma, dbeta, rows, n); } \
extern "C" __global__ void softmax_##suffix(const T* x, T* y, int n, int log_) { softmax_kernel<T>(x, y, n, log_); } \
extern "C" __global__ void softmax_backward_##suffix(const T* y, const T* dy, T* dx, int n, int log_) { softmax_backward_kernel<T>(y, dy, dx, n, log_); }

NORMALIZATION(float, f32)
NORMALIZATION(double, f64)
