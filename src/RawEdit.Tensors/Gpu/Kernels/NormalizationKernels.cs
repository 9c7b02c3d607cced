using System.Numerics;
using ILGPU;
using static RawEdit.Tensors.Gpu.Kernels.KernelIndex;

namespace RawEdit.Tensors.Gpu.Kernels;

/// <summary>
/// Layer norm and (log-)softmax over the last axis of [R, N]: each group takes whole rows (group sums in the row's
/// type), and column sums for dγ, dβ with one thread per column walking the rows in order.
/// </summary>
internal static class NormalizationKernels
{
    // y = (x − μ)·rstd·γ + β, rstd = 1/√(σ² + eps), σ² the biased variance, two-pass.
    public static void LayerNorm<T, R>(ArrayView<T> x, ArrayView<T> gamma, ArrayView<T> beta, ArrayView<T> y, ArrayView<T> mean, ArrayView<T> rstd,
        int rows, int n, T eps) where T : unmanaged, IFloatingPointIeee754<T> where R : struct, IReal<T>
    {
        int lane = Group.IdxX, lanes = Group.DimX;   // read once: each read is a call on the CPU accelerator
        var scratch = SharedMemory.Allocate<T>(GroupReduce.MaxGroupSize);
        T count = R.Of(n);
        for (int row = Grid.IdxX, rowStep = Grid.DimX; row < rows; row += rowStep)
        {
            long start = (long)row * n;
            T sum = T.Zero;
            for (int j = lane; j < n; j += lanes) sum += x[start + j];
            T mu = GroupReduce.Sum(sum, scratch) / count;
            T squares = T.Zero;
            for (int j = lane; j < n; j += lanes)
            {
                T d = x[start + j] - mu;
                squares += d * d;
            }
            T inv = T.One / T.Sqrt(GroupReduce.Sum(squares, scratch) / count + eps);
            for (int j = lane; j < n; j += lanes) y[start + j] = (x[start + j] - mu) * inv * gamma[j] + beta[j];
            if (lane == 0)
            {
                mean[row] = mu;
                rstd[row] = inv;
            }
        }
    }

    // x̂ = (x − μ)·rstd, g = dy·γ:  dx += rstd·(g − mean(g) − x̂·mean(g·x̂))
    public static void LayerNormBackwardDx<T, R>(ArrayView<T> x, ArrayView<T> gamma, ArrayView<T> mean, ArrayView<T> rstd, ArrayView<T> dy, ArrayView<T> dx,
        int rows, int n) where T : unmanaged, IFloatingPointIeee754<T> where R : struct, IReal<T>
    {
        int lane = Group.IdxX, lanes = Group.DimX;   // read once: each read is a call on the CPU accelerator
        var scratch = SharedMemory.Allocate<T>(GroupReduce.MaxGroupSize);
        T count = R.Of(n);
        for (int row = Grid.IdxX, rowStep = Grid.DimX; row < rows; row += rowStep)
        {
            long start = (long)row * n;
            T mu = mean[row], inv = rstd[row], sumG = T.Zero, sumGX = T.Zero;
            for (int j = lane; j < n; j += lanes)
            {
                T g = dy[start + j] * gamma[j];
                sumG += g;
                sumGX += g * (x[start + j] - mu) * inv;
            }
            T meanG = GroupReduce.Sum(sumG, scratch) / count, meanGX = GroupReduce.Sum(sumGX, scratch) / count;
            for (int j = lane; j < n; j += lanes)
            {
                T xhat = (x[start + j] - mu) * inv;
                dx[start + j] += inv * (dy[start + j] * gamma[j] - meanG - xhat * meanGX);
            }
        }
    }

    // dγ += Σ_r dy·x̂, dβ += Σ_r dy (each only when its flag is set)
    public static void LayerNormBackwardParams<T>(ArrayView<T> x, ArrayView<T> mean, ArrayView<T> rstd, ArrayView<T> dy,
        ArrayView<T> dgamma, int hasGamma, ArrayView<T> dbeta, int hasBeta, int rows, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (long j = First, step = GridStride; j < n; j += step)
        {
            T g = T.Zero, b = T.Zero;
            for (int r = 0; r < rows; r++)
            {
                T d = dy[(long)r * n + j];
                b += d;
                g += d * (x[(long)r * n + j] - mean[r]) * rstd[r];
            }
            if (hasGamma != 0) dgamma[j] += g;
            if (hasBeta != 0) dbeta[j] += b;
        }
    }

    // softmax: y = exp(x − max)/Σ;  log-softmax: y = x − max − log Σ exp(x − max)
    public static void Softmax<T>(ArrayView<T> x, ArrayView<T> y, int rows, int n, int log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int lane = Group.IdxX, lanes = Group.DimX;   // read once: each read is a call on the CPU accelerator
        var scratch = SharedMemory.Allocate<T>(GroupReduce.MaxGroupSize);
        for (int row = Grid.IdxX, rowStep = Grid.DimX; row < rows; row += rowStep)
        {
            long start = (long)row * n;
            GroupReduce.RowMaxAndExpSum(x.SubView(start, n), n, scratch, out T m, out T sum);
            if (log != 0)
            {
                T shift = m + T.Log(sum);
                for (int j = lane; j < n; j += lanes) y[start + j] = x[start + j] - shift;
            }
            else
            {
                for (int j = lane; j < n; j += lanes) y[start + j] = T.Exp(x[start + j] - m) / sum;
            }
        }
    }

    // softmax: dx += y·(dy − Σ dy·y);  log-softmax: dx += dy − exp(y)·Σ dy
    public static void SoftmaxBackward<T>(ArrayView<T> y, ArrayView<T> dy, ArrayView<T> dx, int rows, int n, int log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int lane = Group.IdxX, lanes = Group.DimX;   // read once: each read is a call on the CPU accelerator
        var scratch = SharedMemory.Allocate<T>(GroupReduce.MaxGroupSize);
        for (int row = Grid.IdxX, rowStep = Grid.DimX; row < rows; row += rowStep)
        {
            long start = (long)row * n;
            T s = T.Zero;
            for (int j = lane; j < n; j += lanes) s += log != 0 ? dy[start + j] : dy[start + j] * y[start + j];
            s = GroupReduce.Sum(s, scratch);
            for (int j = lane; j < n; j += lanes)
                dx[start + j] += log != 0 ? dy[start + j] - T.Exp(y[start + j]) * s : y[start + j] * (dy[start + j] - s);
        }
    }
}
