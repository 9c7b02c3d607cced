using System.Numerics;
using System.Numerics.Tensors;

namespace RawEdit.Tensors.Cpu;

/// <summary>
/// Fused causal self-attention over packed projections, forward and backward.
/// Shapes: qkv [B,T,3C] (q | k | v, heads of width D = C/H inside each), out [B,T,C], probs [B,H,T,T],
/// keyMask [B,T] (1 = attend, 0 = padding). Each (b, h) pair is independent and owns disjoint output columns.
///   S = Q·Kᵀ/√D,  P = softmax(S) over keys j ≤ i with keyMask[j] = 1,  O = P·V
/// </summary>
internal static class AttentionKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static void Forward(T[] qkv, T[]? keyMask, T[] output, T[] probs, int batch, int time, int channels, int heads)
    {
        int d = channels / heads, row = 3 * channels;
        T scale = T.One / T.Sqrt(T.CreateTruncating(d));
        CpuParallel.For(batch * heads, (long)time * time * d, pair =>
        {
            int b = pair / heads, h = pair % heads;
            int qOff = h * d, kOff = channels + h * d, vOff = 2 * channels + h * d;
            for (int i = 0; i < time; i++)
            {
                var q = qkv.AsSpan((b * time + i) * row + qOff, d);
                var p = probs.AsSpan(((pair * time) + i) * time, time);
                p.Clear();
                T max = T.NegativeInfinity;
                for (int j = 0; j <= i; j++)
                {
                    if (keyMask is not null && keyMask[b * time + j] == T.Zero) continue;
                    T s = TensorPrimitives.Dot(q, qkv.AsSpan((b * time + j) * row + kOff, d)) * scale;
                    p[j] = s;
                    if (s > max) max = s;
                }
                var o = output.AsSpan((b * time + i) * channels + qOff, d);
                o.Clear();
                if (T.IsNegativeInfinity(max)) continue; // every key masked: output stays zero
                T sum = T.Zero;
                for (int j = 0; j <= i; j++)
                {
                    if (keyMask is not null && keyMask[b * time + j] == T.Zero) continue;
                    T e = T.Exp(p[j] - max);
                    p[j] = e;
                    sum += e;
                }
                T inv = T.One / sum;
                for (int j = 0; j <= i; j++)
                {
                    if (p[j] == T.Zero) continue;
                    p[j] *= inv;
                    TensorPrimitives.MultiplyAdd(qkv.AsSpan((b * time + j) * row + vOff, d), p[j], o, o);
                }
            }
        });
    }

    // dP = dO·Vᵀ,  dS = P ⊙ (dP − rowsum(P ⊙ dP)),  dQ = dS·K/√D,  dK = dSᵀ·Q/√D,  dV = Pᵀ·dO
    public static void Backward(T[] qkv, T[] probs, T[] dOutput, T[] dQkv, int batch, int time, int channels, int heads)
    {
        int d = channels / heads, row = 3 * channels;
        T scale = T.One / T.Sqrt(T.CreateTruncating(d));
        CpuParallel.For(batch * heads, 2L * time * time * d, pair =>
        {
            int b = pair / heads, h = pair % heads;
            int qOff = h * d, kOff = channels + h * d, vOff = 2 * channels + h * d;
            var dp = new T[time];
            for (int i = 0; i < time; i++)
            {
                var p = probs.AsSpan(((pair * time) + i) * time, time);
                var dO = dOutput.AsSpan((b * time + i) * channels + qOff, d);
                if (TensorPrimitives.MaxMagnitude(dO) == T.Zero) continue;   // a row nothing reads (e.g. a frozen one): it adds only zeros
                T dot = T.Zero;
                for (int j = 0; j <= i; j++)
                {
                    if (p[j] == T.Zero) { dp[j] = T.Zero; continue; }
                    dp[j] = TensorPrimitives.Dot(dO, qkv.AsSpan((b * time + j) * row + vOff, d));
                    dot += p[j] * dp[j];
                }
                var q = qkv.AsSpan((b * time + i) * row + qOff, d);
                var dq = dQkv.AsSpan((b * time + i) * row + qOff, d);
                for (int j = 0; j <= i; j++)
                {
                    if (p[j] == T.Zero) continue;
                    T ds = p[j] * (dp[j] - dot) * scale;
                    int keyRow = (b * time + j) * row;
                    TensorPrimitives.MultiplyAdd(qkv.AsSpan(keyRow + kOff, d), ds, dq, dq);
                    var dk = dQkv.AsSpan(keyRow + kOff, d);
                    TensorPrimitives.MultiplyAdd(q, ds, dk, dk);
                    var dv = dQkv.AsSpan(keyRow + vOff, d);
                    TensorPrimitives.MultiplyAdd(dO, p[j], dv, dv);
                }
            }
        });
    }
}
