using System.Numerics;
using System.Numerics.Tensors;

namespace RawEdit.Tensors.Cpu;

/// <summary>
/// Layer norm and (log-)softmax over the last axis, forward and backward.
/// Shapes: x, y, dx, dy [R,N]; gamma, beta [N]; mean, rstd [R].
/// </summary>
internal static class NormalizationKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    // y = (x − μ)·rstd·γ + β,  rstd = 1/√(σ² + eps),  σ² the biased variance (two-pass for accuracy).
    public static void LayerNorm(T[] x, T[] gamma, T[] beta, T[] y, T[] mean, T[] rstd, int rows, int n, T eps)
    {
        T count = T.CreateTruncating(n);
        CpuParallel.ForRanges(rows, 4L * n, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                var xs = x.AsSpan(r * n, n);
                var ys = y.AsSpan(r * n, n);
                T mu = TensorPrimitives.Sum(xs) / count;
                TensorPrimitives.Subtract(xs, mu, ys);
                T variance = TensorPrimitives.SumOfSquares(ys) / count;
                T inv = T.One / T.Sqrt(variance + eps);
                mean[r] = mu;
                rstd[r] = inv;
                TensorPrimitives.Multiply(ys, inv, ys);
                TensorPrimitives.FusedMultiplyAdd(ys, gamma, beta, ys);
            }
        });
    }

    // x̂ = (x − μ)·rstd,  g = dy·γ:  dx += rstd·(g − mean(g) − x̂·mean(g·x̂)),  dγ += Σ_r dy·x̂,  dβ += Σ_r dy.
    public static void LayerNormBackward(T[] x, T[] gamma, T[] mean, T[] rstd, T[] dy, T[]? dx, T[]? dgamma, T[]? dbeta, int rows, int n)
    {
        T count = T.CreateTruncating(n);
        if (dx is not null)
        {
            CpuParallel.ForRanges(rows, 6L * n, (r0, r1) =>
            {
                var xhat = new T[n];
                var g = new T[n];
                for (int r = r0; r < r1; r++)
                {
                    TensorPrimitives.Subtract(x.AsSpan(r * n, n), mean[r], xhat);
                    TensorPrimitives.Multiply(xhat, rstd[r], xhat);
                    TensorPrimitives.Multiply(dy.AsSpan(r * n, n), gamma, g);
                    T meanG = TensorPrimitives.Sum<T>(g) / count;
                    T meanGX = TensorPrimitives.Dot<T>(g, xhat) / count;
                    var dxs = dx.AsSpan(r * n, n);
                    for (int j = 0; j < n; j++)
                        dxs[j] += rstd[r] * (g[j] - meanG - xhat[j] * meanGX);
                }
            });
        }
        if (dgamma is null && dbeta is null) return;
        var xh = new T[n];
        for (int r = 0; r < rows; r++)
        {
            var dys = dy.AsSpan(r * n, n);
            if (dbeta is not null) TensorPrimitives.Add(dys, dbeta, dbeta);
            if (dgamma is null) continue;
            TensorPrimitives.Subtract(x.AsSpan(r * n, n), mean[r], xh);
            TensorPrimitives.Multiply(xh, rstd[r], xh);
            TensorPrimitives.FusedMultiplyAdd(dys, xh, dgamma, dgamma);
        }
    }

    // softmax: y = exp(x − max)/Σ;  log-softmax: y = x − max − log Σ exp(x − max).
    public static void Softmax(T[] x, T[] y, int rows, int n, bool log)
    {
        CpuParallel.ForRanges(rows, 4L * n, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++) SoftmaxRow(x.AsSpan(r * n, n), y.AsSpan(r * n, n), log);
        });
    }

    public static void SoftmaxRow(ReadOnlySpan<T> x, Span<T> y, bool log)
    {
        T max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, y);
        if (log)
        {
            // Σ exp computed without a scratch buffer to keep y holding x − max.
            T sum = T.Zero;
            foreach (T v in y) sum += T.Exp(v);
            TensorPrimitives.Subtract(y, T.Log(sum), y);
            return;
        }
        TensorPrimitives.Exp(y, y);
        T total = WideReductions.Sum<T>(y);   // float64: the same total whatever the vector width
        TensorPrimitives.Divide(y, total, y);
    }

    // softmax: dx += y·(dy − Σ dy·y);  log-softmax: dx += dy − exp(y)·Σ dy.
    public static void SoftmaxBackward(T[] y, T[] dy, T[] dx, int rows, int n, bool log)
    {
        CpuParallel.ForRanges(rows, 4L * n, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                var ys = y.AsSpan(r * n, n);
                var dys = dy.AsSpan(r * n, n);
                var dxs = dx.AsSpan(r * n, n);
                if (log)
                {
                    T sum = WideReductions.Sum<T>(dys);   // float64 accumulation: dy − sum cancels
                    for (int j = 0; j < n; j++) dxs[j] += dys[j] - T.Exp(ys[j]) * sum;
                }
                else
                {
                    T dot = WideReductions.Dot<T>(dys, ys);   // float64 accumulation: dy − dot cancels
                    for (int j = 0; j < n; j++) dxs[j] += ys[j] * (dys[j] - dot);
                }
            }
        });
    }
}
