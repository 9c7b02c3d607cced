// The CPU AdamW update (vectorised body, scalar tail) against a plain scalar fp32 transcription of
// Loshchilov & Hutter's decoupled-weight-decay Adam, as the trainer states it:
//   m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,  p ← p(1 − lr·λ) − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)
// Same fp32 operations in the same order, so the bits must agree, at lengths that leave vector tails.

using RawEdit.Tensors;
using RawEdit.Tensors.Backend;

namespace RawEdit.Tests.Tensors.Cpu;

[TestFixture]
internal class AdamWKernelTests
{
    [TestCase(1), TestCase(7), TestCase(8), TestCase(1003), TestCase(100_003)]
    public void Three_steps_match_the_scalar_formula_bit_for_bit(int length)
    {
        const double lr = 3e-3, beta1 = 0.9, beta2 = 0.95, eps = 1e-8, decay = 0.1;
        var rng = new Random(length);
        float[] p = Values(rng, length), m = new float[length], v = new float[length];
        IBackend cpu = Backends.Cpu;
        var (ps, ms, vs) = (cpu.Upload(p), cpu.Upload(m), cpu.Upload(v));
        for (int step = 1; step <= 3; step++)
        {
            float[] g = Values(rng, length);
            cpu.AdamWUpdate(ps, cpu.Upload(g), ms, vs, lr, beta1, beta2, eps, decay, step);
            ScalarAdamW(p, g, m, v, lr, beta1, beta2, eps, decay, step);
        }
        var result = new float[length];
        cpu.Download(ps, result);
        Assert.That(result, Is.EqualTo(p));
        cpu.Download(vs, result);
        Assert.That(result, Is.EqualTo(v));
    }

    private static float[] Values(Random rng, int length) =>
        Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();

    private static void ScalarAdamW(float[] p, float[] g, float[] m, float[] v, double lr, double beta1, double beta2,
        double eps, double weightDecay, int step)
    {
        float b1 = (float)beta1, b2 = (float)beta2, keep = (float)(1 - lr * weightDecay);
        float stepSize = (float)(lr / (1 - Math.Pow(beta1, step)));
        float correction = (float)(1 / Math.Sqrt(1 - Math.Pow(beta2, step)));
        for (int i = 0; i < p.Length; i++)
        {
            m[i] = b1 * m[i] + (1f - b1) * g[i];
            v[i] = b2 * v[i] + (1f - b2) * g[i] * g[i];
            p[i] = p[i] * keep - stepSize * m[i] / (MathF.Sqrt(v[i]) * correction + (float)eps);
        }
    }
}
