using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace RawEdit.Tensors.Cpu;

/// <summary>
/// Kernels of the training loop: fused softmax cross-entropy (never materialises log-probabilities,
/// which matter at 50,257 columns) and the AdamW update. Shapes: logits [R,N], targets/loss/lse [R].
/// </summary>
internal static class TrainingKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    // loss_r = lse_r − x[r, t_r],  lse_r = max + log Σ_j exp(x[r,j] − max)
    public static void SoftmaxCrossEntropy(T[] logits, int[] targets, T[] loss, T[] lse, int rows, int n)
    {
        CpuParallel.ForRanges(rows, 3L * n, (r0, r1) =>
        {
            var scratch = new T[n];
            for (int r = r0; r < r1; r++)
            {
                var x = logits.AsSpan(r * n, n);
                T max = TensorPrimitives.Max<T>(x);
                TensorPrimitives.Subtract(x, max, scratch);
                TensorPrimitives.Exp<T>(scratch, scratch);
                lse[r] = max + T.Log(TensorPrimitives.Sum<T>(scratch));
                loss[r] = targets[r] < 0 ? T.Zero : lse[r] - x[targets[r]];
            }
        });
    }

    // dx[r, j] += g_r·(exp(x[r,j] − lse_r) − [j = t_r])
    public static void SoftmaxCrossEntropyBackward(T[] logits, int[] targets, T[] lse, T[] dLoss, T[] dLogits, int rows, int n)
    {
        CpuParallel.ForRanges(rows, 3L * n, (r0, r1) =>
        {
            var scratch = new T[n];
            for (int r = r0; r < r1; r++)
            {
                if (targets[r] < 0 || dLoss[r] == T.Zero) continue;
                TensorPrimitives.Subtract(logits.AsSpan(r * n, n), lse[r], scratch);
                TensorPrimitives.Exp<T>(scratch, scratch);
                scratch[targets[r]] -= T.One;
                var dx = dLogits.AsSpan(r * n, n);
                TensorPrimitives.MultiplyAdd(scratch, dLoss[r], dx, dx);
            }
        });
    }

    public static void AdamW(T[] p, T[] g, T[] m, T[] v, double lr, double beta1, double beta2, double eps, double weightDecay, int step)
    {
        T b1 = T.CreateTruncating(beta1), b2 = T.CreateTruncating(beta2);
        T oneMinusB1 = T.One - b1, oneMinusB2 = T.One - b2;
        T decay = T.CreateTruncating(1 - lr * weightDecay);
        T stepSize = T.CreateTruncating(lr / (1 - Math.Pow(beta1, step)));
        T secondCorrection = T.CreateTruncating(1 / Math.Sqrt(1 - Math.Pow(beta2, step)));
        T epsilon = T.CreateTruncating(eps);
        // m̂/(√v̂ + eps) with m̂ = m/(1−β₁ᵗ), √v̂ = √v/√(1−β₂ᵗ). The vector body and the scalar tail do the same
        // operations in the same order (no fused multiply-add), so every element gets the same bits either way.
        CpuParallel.ForRanges(p.Length, 12, (start, end) =>
        {
            int i = start;
            if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
            {
                var vb1 = Vector256.Create(b1); var vb2 = Vector256.Create(b2);
                var v1b1 = Vector256.Create(oneMinusB1); var v1b2 = Vector256.Create(oneMinusB2);
                var vDecay = Vector256.Create(decay); var vStep = Vector256.Create(stepSize);
                var vCorrection = Vector256.Create(secondCorrection); var vEps = Vector256.Create(epsilon);
                for (; i + Vector256<T>.Count <= end; i += Vector256<T>.Count)
                {
                    var gi = Vector256.Create<T>(g.AsSpan(i));
                    var mi = vb1 * Vector256.Create<T>(m.AsSpan(i)) + v1b1 * gi;
                    var vi = vb2 * Vector256.Create<T>(v.AsSpan(i)) + v1b2 * gi * gi;
                    var pi = Vector256.Create<T>(p.AsSpan(i)) * vDecay - vStep * mi / (Vector256.Sqrt(vi) * vCorrection + vEps);
                    mi.CopyTo(m.AsSpan(i));
                    vi.CopyTo(v.AsSpan(i));
                    pi.CopyTo(p.AsSpan(i));
                }
            }
            for (; i < end; i++)
            {
                m[i] = b1 * m[i] + oneMinusB1 * g[i];
                v[i] = b2 * v[i] + oneMinusB2 * g[i] * g[i];
                p[i] = p[i] * decay - stepSize * m[i] / (T.Sqrt(v[i]) * secondCorrection + epsilon);
            }
        });
    }

    public static double SumOfSquares(T[] x)
    {
        const int chunk = 8192;
        double total = 0;
        for (int s = 0; s < x.Length; s += chunk)
            total += double.CreateTruncating(TensorPrimitives.SumOfSquares<T>(x.AsSpan(s, Math.Min(chunk, x.Length - s))));
        return total;
    }
}
