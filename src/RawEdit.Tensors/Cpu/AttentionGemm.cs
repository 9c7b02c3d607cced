// fp32 causal self-attention, forward and backward, with each head's products as small GEMMs
// (the packed kernels, single-threaded: the (batch, head) pairs are what runs in parallel).
// AttentionKernels<T> is the element-by-element form, kept for float64 (the reference of the fp32 checks).
//
// Shapes: qkv [B,T,3C] (q | k | v, heads of width D = C/H inside each), out [B,T,C], probs [B,H,T,T],
// keyMask [B,T] (1 = attend, 0 = padding). Per pair (b, h), with Q, K, V the T × D slices (row stride 3C):
//   S = Q·Kᵀ/√D                    (all T × T entries; the causal and masked ones are then discarded)
//   P = softmax over keys j ≤ i with keyMask[j] = 1, else 0;  a row with no such key is all zero
//   O = P·V
// Backward:  dP = dO·Vᵀ,  dS = P ⊙ (dP − rowsum(P ⊙ dP)) / √D,  dQ += dS·K,  dK += dSᵀ·Q,  dV += Pᵀ·dO

using System.Buffers;
using System.Numerics.Tensors;

namespace RawEdit.Tensors.Cpu;

internal static unsafe class AttentionGemm
{
    public static void Forward(float[] qkv, float[]? keyMask, float[] output, float[] probs, int batch, int time, int channels, int heads)
    {
        int d = channels / heads, row = 3 * channels;
        float scale = 1f / MathF.Sqrt(d);
        CpuParallel.For(batch * heads, 2L * time * time * d, pair =>
        {
            int b = pair / heads, h = pair % heads;
            fixed (float* pQkv = qkv, pOut = output, pProbs = probs)
            {
                float* q = pQkv + (nint)b * time * row + h * d;
                float* p = pProbs + (nint)pair * time * time;
                Product(false, true, time, time, d, scale, q, row, q + channels, row, 0f, p, time);
                ReadOnlySpan<float> mask = keyMask is null ? default : keyMask.AsSpan(b * time, time);
                for (int i = 0; i < time; i++) SoftmaxCausalRow(new Span<float>(p + i * time, time), i, mask);
                Product(false, false, time, d, time, 1f, p, time, q + 2 * channels, row, 0f, pOut + (nint)b * time * channels + h * d, channels);
            }
        });
    }

    public static void Backward(float[] qkv, float[] probs, float[] dOutput, float[] dQkv, int batch, int time, int channels, int heads)
    {
        int d = channels / heads, row = 3 * channels;
        float scale = 1f / MathF.Sqrt(d);
        CpuParallel.For(batch * heads, 5L * time * time * d, pair =>
        {
            int b = pair / heads, h = pair % heads;
            float[] scratch = ArrayPool<float>.Shared.Rent(time * time);
            try
            {
                fixed (float* pQkv = qkv, pProbs = probs, pdO = dOutput, pdQkv = dQkv, ds = scratch)
                {
                    float* q = pQkv + (nint)b * time * row + h * d, k = q + channels, v = q + 2 * channels;
                    float* dq = pdQkv + (nint)b * time * row + h * d, dk = dq + channels, dv = dq + 2 * channels;
                    float* dO = pdO + (nint)b * time * channels + h * d;
                    float* p = pProbs + (nint)pair * time * time;
                    Product(false, true, time, time, d, 1f, dO, channels, v, row, 0f, ds, time);   // dP
                    for (int i = 0; i < time; i++)
                    {
                        var pi = new ReadOnlySpan<float>(p + i * time, time);
                        var dsi = new Span<float>(ds + i * time, time);
                        float dot = WideReductions.Dot<float>(pi, dsi);
                        TensorPrimitives.Subtract(dsi, dot, dsi);
                        TensorPrimitives.Multiply(dsi, pi, dsi);
                        TensorPrimitives.Multiply(dsi, scale, dsi);                                // dS
                    }
                    Product(false, false, time, d, time, 1f, ds, time, k, row, 1f, dq, row);      // dQ += dS·K
                    Product(true, false, time, d, time, 1f, ds, time, q, row, 1f, dk, row);       // dK += dSᵀ·Q
                    Product(true, false, time, d, time, 1f, p, time, dO, channels, 1f, dv, row);  // dV += Pᵀ·dO
                }
            }
            finally { ArrayPool<float>.Shared.Return(scratch); }
        });
    }

    /// <summary>Row i of P from row i of S in place: softmax over keys j ≤ i not masked out, zero elsewhere.</summary>
    private static void SoftmaxCausalRow(Span<float> s, int i, ReadOnlySpan<float> keyMask)
    {
        var allowed = s[..(i + 1)];
        if (!keyMask.IsEmpty)
            for (int j = 0; j <= i; j++)
                if (keyMask[j] == 0f) allowed[j] = float.NegativeInfinity;
        s[(i + 1)..].Clear();
        if (float.IsNegativeInfinity(TensorPrimitives.Max(allowed)))
        {
            allowed.Clear(); // every key masked: the output row stays zero
            return;
        }
        NormalizationKernels<float>.SoftmaxRow(allowed, allowed, log: false); // masked keys: exp(−∞) = 0
    }

    // C[m, n] = alpha · op(A) · op(B) + beta · C on this thread only.
    private static void Product(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc) =>
        CpuGemm.Execute(new GemmProblem
        {
            TransA = transA, TransB = transB, M = m, N = n, K = k, Alpha = alpha, Beta = beta,
            A = a, B = b, C = c, Lda = lda, Ldb = ldb, Ldc = ldc,
        }, maxThreads: 1);
}
