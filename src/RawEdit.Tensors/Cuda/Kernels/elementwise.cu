// Element-wise kernels: unary functions and their derivatives, broadcast binary ops, axpby, fill, conversions.
// Op numbers follow RawEdit.Tensors.Backend.UnaryOp / BinaryOp.

enum { NEG, EXP, LOG, SQRT, TANH, GELU_NEW, RELU, SQUARE, ABS, RECIPROCAL };
enum { ADD, SUB, MUL, DIV };

// gelu_new (GPT-2): 0.5·x·(1 + tanh(c·(x + a·x³))), c = √(2/π), a = 0.044715
template <typename T> __device__ T gelu_new(T x)
{
    const T c = (T)0.7978845608028654, a = (T)0.044715;
    return (T)0.5 * x * ((T)1 + tanh(c * (x + a * x * x * x)));
}

template <typename T> __device__ T gelu_new_derivative(T x)
{
    const T c = (T)0.7978845608028654, a = (T)0.044715;
    T t = tanh(c * (x + a * x * x * x));
    return (T)0.5 * ((T)1 + t) + (T)0.5 * x * ((T)1 - t * t) * c * ((T)1 + (T)3 * a * x * x);
}

template <typename T> __device__ T unary(int op, T x)
{
    switch (op)
    {
        case NEG: return -x;
        case EXP: return exp(x);
        case LOG: return log(x);
        case SQRT: return sqrt(x);
        case TANH: return tanh(x);
        case GELU_NEW: return gelu_new(x);
        case RELU: return x > (T)0 ? x : (T)0;
        case SQUARE: return x * x;
        case ABS: return fabs(x);
        default: return (T)1 / x;   // RECIPROCAL
    }
}

// f'(x), given y = f(x) where the derivative reuses it.
template <typename T> __device__ T unary_derivative(int op, T x, T y)
{
    switch (op)
    {
        case NEG: return (T)-1;
        case EXP: return y;
        case LOG: return (T)1 / x;
        case SQRT: return (T)0.5 / y;
        case TANH: return (T)1 - y * y;
        case GELU_NEW: return gelu_new_derivative(x);
        case RELU: return x > (T)0 ? (T)1 : (T)0;
        case SQUARE: return (T)2 * x;
        case ABS: return x > (T)0 ? (T)1 : x < (T)0 ? (T)-1 : (T)0;
        default: return -(y * y);   // RECIPROCAL
    }
}

template <typename T> __device__ void unary_kernel(int op, const T* x, T* y, i64 n)
{
    FOR_EACH_ELEMENT(i, n) y[i] = unary(op, x[i]);
}

// dx += f'(x)·dy
template <typename T> __device__ void unary_backward_kernel(int op, const T* x, const T* y, const T* dy, T* dx, i64 n)
{
    FOR_EACH_ELEMENT(i, n) dx[i] += unary_derivative(op, x[i], y[i]) * dy[i];
}

// y = a ∘ b under NumPy broadcasting: shapes right-aligned to y's rank, strides 0 on broadcast axes
// (aStrides/bStrides are element strides per y axis, computed by the host).
template <typename T> __device__ void binary_kernel(int op, const T* a, Dims aStrides, const T* b, Dims bStrides, T* y, Dims yShape, i64 n)
{
    FOR_EACH_ELEMENT(i, n)
    {
        i64 rest = i, ai = 0, bi = 0;
        for (int axis = yShape.rank - 1; axis >= 0; axis--)
        {
            i64 coordinate = rest % yShape.size[axis];
            rest /= yShape.size[axis];
            ai += coordinate * aStrides.size[axis];
            bi += coordinate * bStrides.size[axis];
        }
        T u = a[ai], v = b[bi];
        y[i] = op == ADD ? u + v : op == SUB ? u - v : op == MUL ? u * v : u / v;
    }
}

// y = alpha·x + beta·y; beta = 0 overwrites without reading y.
template <typename T> __device__ void axpby_kernel(T alpha, const T* x, T beta, T* y, i64 n)
{
    FOR_EACH_ELEMENT(i, n) y[i] = beta == (T)0 ? alpha * x[i] : alpha * x[i] + beta * y[i];
}

template <typename T> __device__ void fill_kernel(T* y, T value, i64 n)
{
    FOR_EACH_ELEMENT(i, n) y[i] = value;
}

#define ELEMENTWISE(T, suffix) \
extern "C" __global__ void unary_##suffix(int op, const T* x, T* y, i64 n) { unary_kernel<T>(op, x, y, n); } \
extern "C" __global__ void unary_backward_##suffix(int op, const T* x, const T* y, const T* dy, T* dx, i64 n) { unary_backward_kernel<T>(op, x, y, dy, dx, n); } \
extern "C" __global__ void binary_##suffix(int op, const T* a, Dims aStrides, const T* b, Dims bStrides, T* y, Dims yShape, i64 n) { binary_kernel<T>(op, a, aStrides, b, bStrides, y, yShape, n); } \
extern "C" __global__ void axpby_##suffix(T alpha, const T* x, T beta, T* y, i64 n) { axpby_kernel<T>(alpha, x, beta, y, n); } \
extern "C" __global__ void fill_##suffix(T* y, T value, i64 n) { fill_kernel<T>(y, value, n); }

ELEMENTWISE(float, f32)
ELEMENTWISE(double, f64)

// ---- conversions (as RawEdit.Tensors.HalfPrecision: widening is exact, narrowing rounds to nearest even; NaN stays a quiet NaN) ----

__device__ float half_bits_to_float(unsigned short h)
{
    unsigned int sign = (unsigned int)(h & 0x8000u) << 16, exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu;
    if (exponent == 0x1fu) return __uint_as_float(sign | 0x7f800000u | (mantissa << 13));   // inf / NaN
    if (exponent == 0)
    {
        if (mantissa == 0) return __uint_as_float(sign);
        float value = (float)mantissa * 5.9604644775390625e-8f;                          // subnormal: m·2^-24
        return sign ? -value : value;
    }
    return __uint_as_float(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

__device__ unsigned short float_to_half_bits(float f)
{
    unsigned int x = __float_as_uint(f), sign = (x >> 16) & 0x8000u, magnitude = x & 0x7fffffffu;
    if (magnitude >= 0x7f800000u) return (unsigned short)(sign | 0x7c00u | (magnitude > 0x7f800000u ? 0x200u : 0u));
    if (magnitude >= 0x477ff000u) return (unsigned short)(sign | 0x7c00u);                 // rounds past 65504: inf
    if (magnitude < 0x38800000u)                                                          // below 2^-14: subnormal or zero
    {
        float scaled = __uint_as_float(magnitude) * 16777216.0f;                          // exact: ·2^24
        unsigned int m = (unsigned int)__float2uint_rn(scaled);                            // round to nearest even
        return (unsigned short)(sign | m);
    }
    unsigned int rounded = magnitude + 0xfffu + ((magnitude >> 13) & 1u);               // nearest even on the dropped 13 bits
    return (unsigned short)(sign | ((rounded - 0x38000000u) >> 13));
}

__device__ unsigned short float_to_bfloat16_bits(float f)
{
    unsigned int x = __float_as_uint(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return (unsigned short)((x >> 16) | 0x40u);       // quiet NaN
    return (unsigned short)((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

extern "C" __global__ void f16_to_f32(const unsigned short* x, float* y, i64 n) { FOR_EACH_ELEMENT(i, n) y[i] = half_bits_to_float(x[i]); }
extern "C" __global__ void bf16_to_f32(const unsigned short* x, float* y, i64 n) { FOR_EACH_ELEMENT(i, n) y[i] = __uint_as_float((unsigned int)x[i] << 16); }
extern "C" __global__ void f32_to_f16(const float* x, unsigned short* y, i64 n) { FOR_EACH_ELEMENT(i, n) y[i] = float_to_half_bits(x[i]); }
extern "C" __global__ void f32_to_bf16(const float* x, unsigned short* y, i64 n) { FOR_EACH_ELEMENT(i, n) y[i] = float_to_bfloat16_bits(x[i]); }
extern "C" __global__ void f32_to_f64(const float* x, double* y, i64 n) { FOR_EACH_ELEMENT(i, n) y[i] = (double)x[i]; }
extern "C" __global__ void f64_to_f32(const double* x, float* y, i64 n) { FOR_EACH_ELEMENT(i, n) y[i] = (float)x[i]; }
