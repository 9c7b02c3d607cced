using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;
using static RawEdit.Tests.Tensors.Inputs;

namespace RawEdit.Tests.Tensors;

/// <summary>End-to-end gradients through composed ops, and reuse of one tensor in several places.</summary>
[TestFixture("cpu")]
[TestFixture("ilgpu-cpu")]
[TestFixture("cuda")]
internal class CompositeGradientTests(string device) : DeviceFixture(device)
{
    [Test]
    public void TinyTransformerLossMatchesFiniteDifferencesForEveryParameter() => GradientCheck.Verify(TinyTransformer.Case());

    [Test]
    public void TinyTransformerGradientReachesEveryParameter()
    {
        // Guards the check above against a vacuous pass: every parameter tensor must get a nonzero gradient.
        var inputs = TinyTransformer.CreateInputs();
        using (var tape = new Tape()) tape.Backward(TinyTransformer.Loss(inputs));
        foreach (var p in inputs.Where(p => p.RequiresGrad))
        {
            Assert.That(p.Grad, Is.Not.Null, p.Name);
            Assert.That(p.Grad!.ToDoubleArray().Any(g => g != 0), Is.True, $"{p.Name} gradient is all zero");
        }
        Assert.That(inputs[^1].Grad, Is.Null, "the key mask takes no gradient");
    }

    [Test]
    public void TensorUsedTwiceAccumulatesBothContributions()
    {
        // y = x⊙x + x, so ∂Σy/∂x = 2x + 1.
        var x = Normal("x", 1001, [3, 4]);
        var xs = x.ToDoubleArray();
        using (var tape = new Tape()) tape.Backward(Ops.Add(Ops.Mul(x, x), x));
        Assert.That(x.Grad!.ToDoubleArray(), Is.EqualTo(xs.Select(v => 2 * v + 1).ToArray()).Within(1e-14));

        GradientCheck.Verify("x⊙x + x", t => Ops.Add(Ops.Mul(t[0], t[0]), t[0]), Normal("x", 1001, [3, 4]));
    }

    [Test]
    public void TensorReusedAcrossDifferentOpsAccumulates()
    {
        // One weight feeds a MatMul, a broadcast Mul and a LayerNorm gain: three gradient contributions.
        GradientCheck.Verify("w reused in MatMul, Mul and LayerNorm", t =>
        {
            var (x, w) = (t[0], t[1]);                        // x [3,4], w [4,4]
            var y = Ops.MatMul(x, w);                         // [3,4]
            var row = Ops.Reshape(Ops.Slice(w, 0, 1, 1), 4);  // w[1,:] as [4]
            y = Ops.Mul(y, row);
            return Ops.LayerNorm(y, row, Ops.Tanh(row), 1e-5);
        }, Normal("x", 1002, [3, 4]), Normal("w", 1003, [4, 4]));
    }

    [Test]
    public void AttentionBlockWithResidualMatchesFiniteDifferences()
    {
        // x [2,3,4] → x + proj(attn(qkv(x))) with a padding mask; the residual sends x's gradient down two paths.
        GradientCheck.Verify("attention block", t =>
        {
            var qkv = Ops.Linear(t[0], t[1], null);
            var a = Ops.CausalSelfAttention(qkv, 2, t[3]);
            return Ops.Add(t[0], Ops.MatMul(a, t[2], transB: true));
        }, Normal("x", 1004, [2, 3, 4]), Normal("wqkv", 1005, [4, 12], std: 0.5), Normal("wo", 1006, [4, 4], std: 0.5),
           Constant("keyMask", [1, 1, 1, 1, 1, 0], 2, 3));
    }
}
