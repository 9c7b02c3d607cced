using RawEdit.Tensors;
using static RawEdit.Tests.Tensors.Inputs;

namespace RawEdit.Tests.Tensors;

/// <summary>Fused causal self-attention over packed qkv, with and without a right-padding key mask.</summary>
[TestFixture("cpu")]
[TestFixture("ilgpu-cpu")]
[TestFixture("cuda")]
internal class AttentionGradientTests(string device) : DeviceFixture(device)
{
    internal static IEnumerable<OpCase> Cases()
    {
        // qkv [B,T,3C] → [B,T,C]; C = 6 splits into 1, 2 or 3 heads.
        foreach (int heads in new[] { 1, 2, 3 })
        {
            yield return new OpCase($"CausalSelfAttention B2 T4 C6 H{heads}",
                () => [Normal("qkv", 300 + heads, [2, 4, 18])],
                t => Ops.CausalSelfAttention(t[0], heads));
            // Right padding: batch 0 is full, batch 1 has 2 real tokens then 2 pads; mask [B,T].
            yield return new OpCase($"CausalSelfAttention B2 T4 C6 H{heads} right-padded",
                () => [Normal("qkv", 310 + heads, [2, 4, 18]), Constant("keyMask", [1, 1, 1, 1, 1, 1, 0, 0], 2, 4)],
                t => Ops.CausalSelfAttention(t[0], heads, t[1]));
        }
        // Larger scores (std 2) give peaked attention rows; batch 0 padded after 3 of 5 tokens, batch 1 after 1.
        yield return new OpCase("CausalSelfAttention B2 T5 C4 H2 peaked, right-padded",
            () => [Normal("qkv", 321, [2, 5, 12], std: 2.0), Constant("keyMask", [1, 1, 1, 0, 0, 1, 0, 0, 0, 0], 2, 5)],
            t => Ops.CausalSelfAttention(t[0], 2, t[1]));
        yield return new OpCase("CausalSelfAttention B1 T1 C4 H2 single token",
            () => [Normal("qkv", 322, [1, 1, 12])],
            t => Ops.CausalSelfAttention(t[0], 2));
    }

    private static IEnumerable<TestCaseData> Data() => Cases().Select(c => c.ToTestCase());

    [TestCaseSource(nameof(Data))]
    public void GradientMatchesFiniteDifferences(OpCase c) => GradientCheck.Verify(c);

    [Test]
    public void PaddedKeysDoNotInfluenceRealTokens()
    {
        // Changing the q/k/v of padded positions must leave the outputs at real positions untouched.
        var qkv = Tensor.RandomNormal(331, 1.0, DType.F64, 1, 4, 12);
        var mask = Tensor.FromArray(new double[] { 1, 1, 0, 0 }, 1, 4);
        var changed = qkv.ToDoubleArray();
        for (int i = 2 * 12; i < changed.Length; i++) changed[i] += 5.0;

        var y = Ops.CausalSelfAttention(qkv, 2, mask).ToDoubleArray();
        var y2 = Ops.CausalSelfAttention(Tensor.FromArray(changed, 1, 4, 12), 2, mask).ToDoubleArray();

        // Real positions 0 and 1 hold the first 2·C = 8 outputs.
        Assert.That(y2[..8], Is.EqualTo(y[..8]));
        Assert.That(y2[8..], Is.Not.EqualTo(y[8..]), "changed queries at padded positions must change their outputs (else the perturbation proved nothing)");
    }
}
