using System.Numerics;
using ILGPU;
using static RawEdit.Tensors.Gpu.Kernels.KernelIndex;

namespace RawEdit.Tensors.Gpu.Kernels;

/// <summary>
/// Fused causal self-attention over packed qkv [B, T, 3C] (q | k | v, head h in columns h·D..h·D+D of each), output
/// [B, T, C], probs [B, H, T, T], keyMask [B, T] (1 attend, 0 padding; hasMask = 0 for none):
///   S = Q·Kᵀ/√D,  P = softmax(S) over keys j ≤ i with keyMask[j] = 1 (a row with no such key: P = 0, O = 0),  O = P·V
/// Backward: dP = dO·Vᵀ,  dS = P ⊙ (dP − rowsum(P ⊙ dP)),  dQ = dS·K/√D,  dK = dSᵀ·Q/√D,  dV = Pᵀ·dO  (all +=).
/// </summary>
internal static class AttentionKernels
{
    // Each group takes whole query rows (b, h, i), row index (b·H + h)·T + i: scores into probs, then the row's
    // softmax in place.
    public static void Probs<T, R>(ArrayView<T> qkv, ArrayView<T> keyMask, int hasMask, ArrayView<T> probs, int batch, int t, int c, int heads)
        where T : unmanaged, IFloatingPointIeee754<T> where R : struct, IReal<T>
    {
        int lane = Group.IdxX, lanes = Group.DimX;   // read once: each read is a call on the CPU accelerator
        var scratch = SharedMemory.Allocate<T>(GroupReduce.MaxGroupSize);
        int d = c / heads;
        T scale = T.One / T.Sqrt(R.Of(d));
        for (long rowIndex = Grid.IdxX, rowStep = Grid.DimX; rowIndex < (long)batch * heads * t; rowIndex += rowStep)
        {
            QueryRow(rowIndex, t, heads, out int b, out int h, out int i);
            long q = ((long)b * t + i) * 3 * c + h * d, p = rowIndex * t;
            T m = T.NegativeInfinity;
            for (int j = lane; j < t; j += lanes)
            {
                T s = T.NegativeInfinity;
                if (j <= i && (hasMask == 0 || keyMask[(long)b * t + j] != T.Zero))
                {
                    long k = ((long)b * t + j) * 3 * c + c + h * d;
                    T dot = T.Zero;
                    for (int e = 0; e < d; e++) dot += qkv[q + e] * qkv[k + e];
                    s = dot * scale;
                }
                probs[p + j] = s;
                m = T.Max(m, s);
            }
            m = GroupReduce.Max(m, scratch);
            T sum = T.Zero;
            for (int j = lane; j < t; j += lanes)
                sum += T.IsNegativeInfinity(probs[p + j]) ? T.Zero : T.Exp(probs[p + j] - m);
            T inv = T.One / GroupReduce.Sum(sum, scratch);   // as the CPU: e·(1/Σ)
            for (int j = lane; j < t; j += lanes)
                probs[p + j] = T.IsNegativeInfinity(m) || T.IsNegativeInfinity(probs[p + j]) ? T.Zero : T.Exp(probs[p + j] - m) * inv;
        }
    }

    /// <summary>The (b, h, i) of query row (b·H + h)·T + i.</summary>
    private static void QueryRow(long rowIndex, int t, int heads, out int b, out int h, out int i)
    {
        i = (int)(rowIndex % t);
        h = (int)(rowIndex / t % heads);
        b = (int)(rowIndex / ((long)t * heads));
    }

    // O[b, i, h·D + e] = Σ_j P[b, h, i, j]·V[b, j, h·D + e], one thread per output element.
    public static void Output<T>(ArrayView<T> qkv, ArrayView<T> probs, ArrayView<T> output, int batch, int t, int c, int heads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int d = c / heads;
        for (long o = First, step = GridStride; o < (long)batch * t * c; o += step)
        {
            int col = (int)(o % c), i = (int)(o / c % t), b = (int)(o / ((long)t * c)), h = col / d;
            long p = (((long)b * heads + h) * t + i) * t;
            T sum = T.Zero;
            for (int j = 0; j <= i; j++)
                if (probs[p + j] != T.Zero) sum += probs[p + j] * qkv[((long)b * t + j) * 3 * c + 2 * c + col];
            output[o] = sum;
        }
    }

    // dS for each query row (b, h, i), into scratch [B, H, T, T] (scaled by 1/√D); each group takes whole rows.
    public static void DScores<T, R>(ArrayView<T> qkv, ArrayView<T> probs, ArrayView<T> dOutput, ArrayView<T> dScores, int batch, int t, int c, int heads)
        where T : unmanaged, IFloatingPointIeee754<T> where R : struct, IReal<T>
    {
        int lane = Group.IdxX, lanes = Group.DimX;   // read once: each read is a call on the CPU accelerator
        var scratch = SharedMemory.Allocate<T>(GroupReduce.MaxGroupSize);
        int d = c / heads;
        T scale = T.One / T.Sqrt(R.Of(d));
        for (long rowIndex = Grid.IdxX, rowStep = Grid.DimX; rowIndex < (long)batch * heads * t; rowIndex += rowStep)
        {
            QueryRow(rowIndex, t, heads, out int b, out int h, out int i);
            long p = rowIndex * t, dO = ((long)b * t + i) * c + h * d;
            T dot = T.Zero;
            for (int j = lane; j < t; j += lanes)
            {
                T dp = T.Zero;
                if (j <= i && probs[p + j] != T.Zero)
                {
                    long v = ((long)b * t + j) * 3 * c + 2 * c + h * d;
                    for (int e = 0; e < d; e++) dp += dOutput[dO + e] * qkv[v + e];
                }
                dScores[p + j] = dp;
                dot += probs[p + j] * dp;
            }
            dot = GroupReduce.Sum(dot, scratch);
            for (int j = lane; j < t; j += lanes)
                dScores[p + j] = probs[p + j] == T.Zero ? T.Zero : probs[p + j] * (dScores[p + j] - dot) * scale;
        }
    }

    // dQ, dK, dV from dS and P, one thread per element of dQkv [B, T, 3C].
    public static void DQkv<T>(ArrayView<T> qkv, ArrayView<T> probs, ArrayView<T> dScores, ArrayView<T> dOutput, ArrayView<T> dQkv,
        int batch, int t, int c, int heads) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int d = c / heads;
        for (long o = First, step = GridStride; o < (long)batch * t * 3 * c; o += step)
        {
            int col = (int)(o % (3 * c)), row = (int)(o / (3 * c) % t), b = (int)(o / ((long)t * 3 * c));
            int part = col / c, inner = col % c, h = inner / d;
            long pair = (long)b * heads + h;
            T sum = T.Zero;
            if (part == 0)        // dQ[i] = Σ_{j ≤ i} dS[i, j]·K[j]
                for (int j = 0; j <= row; j++) sum += dScores[(pair * t + row) * t + j] * qkv[((long)b * t + j) * 3 * c + c + inner];
            else if (part == 1)   // dK[j] = Σ_{i ≥ j} dS[i, j]·Q[i]
                for (int i = row; i < t; i++) sum += dScores[(pair * t + i) * t + row] * qkv[((long)b * t + i) * 3 * c + inner];
            else                  // dV[j] = Σ_{i ≥ j} P[i, j]·dO[i]
                for (int i = row; i < t; i++) sum += probs[(pair * t + i) * t + row] * dOutput[((long)b * t + i) * c + inner];
            dQkv[o] += sum;
        }
    }
}
