// Benchmark shapes for CpuGemm and a helper owning the operands of one shape.
//
// Shape legend (row-major, fp32): C[M, N] = A[M, K] · op(B)[K, N].
//   square   : 1024 × 1024 × 1024, B stored [K, N]
//   gpt2-qkv : M×K×N = 256 × 768 × 3072   (x · W_fc, B stored [K, N])
//   gpt2-proj: M×K×N = 256 × 3072 × 768   (h · W_proj, B stored [K, N])
//   gpt2-lm  : M×K×N = 256 × 768 × 50257  (x · wteᵀ, wte stored [N, K] = [50257, 768], transB)
//   Extra (small-problem checks): single-token matrix–vector products, one attention head, tiny k, small-world's MLP and
//   qkv products (8 × 256, a length group of ~640 tokens).

using System.Runtime.InteropServices;
using RawEdit.Tensors.Cpu;

namespace RawEdit.Benchmarks.Gemm;

public sealed record GemmShape(string Name, int M, int K, int N, bool TransB)
{
    public double Flops => 2.0 * M * N * K;
    public override string ToString() => Name;

    public static readonly GemmShape[] All =
    {
        new("1024^3", 1024, 1024, 1024, false),
        new("256x768x3072", 256, 768, 3072, false),
        new("256x3072x768", 256, 3072, 768, false),
        new("256x768x50257_lmhead_tB", 256, 768, 50257, true),
    };

    public static readonly GemmShape[] Extra =
    {
        new("1x768x3072", 1, 768, 3072, false),
        new("1x768x50257_tB", 1, 768, 50257, true),
        new("4x768x3072", 4, 768, 3072, false),
        new("256x64x256_tB", 256, 64, 256, true),
        new("64x64x64", 64, 64, 64, false),
        new("256x8x256", 256, 8, 256, false),
        new("640x256x1024", 640, 256, 1024, false),
        new("640x1024x256", 640, 1024, 256, false),
        new("640x256x768", 640, 256, 768, false),
    };

    public static GemmShape Parse(string name) =>
        All.Concat(Extra).FirstOrDefault(s => s.Name == name) ?? throw new ArgumentException($"unknown shape '{name}'");
}

/// <summary>64-byte aligned, randomly filled operands for one shape; call <see cref="Run"/> to multiply.</summary>
public sealed unsafe class GemmOperands : IDisposable
{
    public readonly GemmShape Shape;
    private float* _a, _b, _c;

    public GemmOperands(GemmShape shape, int seed = 1)
    {
        Shape = shape;
        _a = Alloc((long)shape.M * shape.K);
        _b = Alloc((long)shape.K * shape.N);
        _c = Alloc((long)shape.M * shape.N);
        var rng = new Random(seed);
        Fill(rng, _a, (long)shape.M * shape.K);
        Fill(rng, _b, (long)shape.K * shape.N);
        for (long i = 0; i < (long)shape.M * shape.N; i++) _c[i] = 0f;
    }

    public void Run()
    {
        var s = Shape;
        CpuGemm.Sgemm(false, s.TransB, s.M, s.N, s.K, 1f, _a, s.K, _b, s.TransB ? s.K : s.N, 0f, _c, s.N);
    }

    private static float* Alloc(long count) => (float*)NativeMemory.AlignedAlloc((nuint)(count * sizeof(float)), 64);

    private static void Fill(Random rng, float* p, long count)
    {
        for (long i = 0; i < count; i++) p[i] = (float)(rng.NextDouble() * 2 - 1);
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(_a); NativeMemory.AlignedFree(_b); NativeMemory.AlignedFree(_c);
        _a = _b = _c = null;
    }
}
