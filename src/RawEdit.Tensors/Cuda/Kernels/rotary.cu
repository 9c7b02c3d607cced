// Rotary position embedding, GPT-J's rotate-every-two layout, on x, y [B, T, H·D]: channel pairs (2i, 2i+1) with
// 2i < rotaryDim of every head rotated by θ = t·10000^(−2i/rotaryDim) at position t (−θ for the inverse, the
// backward); channels from rotaryDim on copied. Angles in float64, as the CPU's table. y (+)= the result.
template <typename T> __device__ void rotary_kernel(const T* x, T* y, int b, int t, int heads, int headDim, int rotaryDim, int inverse, int accumulate)
{
    int c = heads * headDim;
    FOR_EACH_ELEMENT(e, (i64)b * t * c)
    {
        int channel = e % c, position = (e / c) % t, within = channel % headDim;
        T value;
        if (within < rotaryDim)
        {
            int pair = within / 2;
            double angle = position * (1.0 / pow(10000.0, 2.0 * pair / rotaryDim));
            T s = (T)sin(angle), co = (T)cos(angle);
            if (inverse) s = -s;
            i64 first = e - (within & 1);
            T x0 = x[first], x1 = x[first + 1];
            value = (within & 1) == 0 ? x0 * co - x1 * s : x1 * co + x0 * s;
        }
        else value = x[e];
        y[e] = accumulate ? y[e] + value : value;
    }
}

extern "C" __global__ void rotary_f32(const float* x, float* y, int b, int t, int heads, int headDim, int rotaryDim, int inverse, int accumulate)
{ rotary_kernel<float>(x, y, b, t, heads, headDim, rotaryDim, inverse, accumulate); }
extern "C" __global__ void rotary_f64(const double* x, double* y, int b, int t, int heads, int headDim, int rotaryDim, int inverse, int accumulate)
{ rotary_kernel<double>(x, y, b, t, heads, headDim, rotaryDim, inverse, accumulate); }
