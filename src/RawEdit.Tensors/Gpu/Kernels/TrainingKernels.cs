using System.Numerics;
using ILGPU;
using static RawEdit.Tensors.Gpu.Kernels.KernelIndex;

namespace RawEdit.Tensors.Gpu.Kernels;

/// <summary>Fused softmax cross-entropy over rows of logits [R, N] (each group takes whole rows) and the AdamW update.</summary>
internal static class TrainingKernels
{
    // lse_r = max + log Σ_j exp(x[r, j] − max);  loss_r = lse_r − x[r, t_r] (0 where t_r < 0)
    public static void CrossEntropy<T>(ArrayView<T> logits, ArrayView<int> targets, ArrayView<T> loss, ArrayView<T> lse, int rows, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int lane = Group.IdxX, lanes = Group.DimX;   // read once: each read is a call on the CPU accelerator
        var scratch = SharedMemory.Allocate<T>(GroupReduce.MaxGroupSize);
        for (int row = Grid.IdxX, rowStep = Grid.DimX; row < rows; row += rowStep)
        {
            long start = (long)row * n;
            GroupReduce.RowMaxAndExpSum(logits.SubView(start, n), n, scratch, out T m, out T sum);
            if (lane == 0)
            {
                T l = m + T.Log(sum);
                lse[row] = l;
                loss[row] = targets[row] < 0 ? T.Zero : l - logits[start + targets[row]];
            }
        }
    }

    // dx[r, j] += g_r·(exp(x[r, j] − lse_r) − [j = t_r]); rows with t_r < 0 or g_r = 0 are skipped
    public static void CrossEntropyBackward<T>(ArrayView<T> logits, ArrayView<int> targets, ArrayView<T> lse, ArrayView<T> dLoss, ArrayView<T> dLogits,
        int rows, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int lane = Group.IdxX, lanes = Group.DimX;   // read once: each read is a call on the CPU accelerator
        for (int row = Grid.IdxX, rowStep = Grid.DimX; row < rows; row += rowStep)
        {
            int target = targets[row];
            T g = dLoss[row];
            if (target < 0 || g == T.Zero) continue;
            long start = (long)row * n;
            T l = lse[row];
            for (int j = lane; j < n; j += lanes)
                dLogits[start + j] += g * (T.Exp(logits[start + j] - l) - (j == target ? T.One : T.Zero));
        }
    }

    /// <summary>AdamW's per-step scalars, computed in float64 on the host.</summary>
    public struct AdamWStep<T> where T : unmanaged
    {
        public T Beta1, Beta2;
        /// <summary>1 − lr·wd.</summary>
        public T Decay;
        /// <summary>lr/(1 − β₁ᵗ).</summary>
        public T StepSize;
        /// <summary>1/√(1 − β₂ᵗ).</summary>
        public T SecondCorrection;
        public T Eps;
    }

    // m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p·decay − stepSize·m/(√v·secondCorrection + eps)
    public static void AdamW<T>(ArrayView<T> p, ArrayView<T> g, ArrayView<T> m, ArrayView<T> v, long n, AdamWStep<T> s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (long i = First, step = GridStride; i < n; i += step)
        {
            T gi = g[i];
            T mi = s.Beta1 * m[i] + (T.One - s.Beta1) * gi;
            T vi = s.Beta2 * v[i] + (T.One - s.Beta2) * gi * gi;
            m[i] = mi;
            v[i] = vi;
            p[i] = p[i] * s.Decay - s.StepSize * mi / (T.Sqrt(vi) * s.SecondCorrection + s.Eps);
        }
    }
}
