using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;
using RawEdit.Tensors.Backend;
using static RawEdit.Tests.Tensors.Inputs;

namespace RawEdit.Tests.Tensors;

/// <summary>What the tape records, which tensors receive gradients, and which gradients survive Backward.</summary>
internal class TapeBehaviourTests
{
    [Test]
    public void NoGradRecordsNothingAndRecordingResumesAfterwards()
    {
        var x = Normal("x", 1101, [2, 3]);
        using var tape = new Tape();
        Tensor y;
        using (Tape.NoGrad())
        {
            y = Ops.Exp(Ops.MatMul(x, x, transB: true));
            using (Tape.NoGrad()) Ops.Tanh(x);
            Ops.Square(x); // the inner scope has ended; the outer one still pauses recording
            Assert.That(Tape.Recording, Is.Null);
        }
        Assert.That(tape.NodeCount, Is.Zero);
        Assert.That(y.RequiresGrad, Is.False);
        Assert.That(y.IsLeaf, Is.True);
        Assert.Throws<InvalidOperationException>(() => tape.Backward(Ops.Sum(y)));

        var z = Ops.Exp(x);
        Assert.That(tape.NodeCount, Is.EqualTo(1));
        Assert.That(z.RequiresGrad, Is.True);
    }

    [Test]
    public void NothingIsRecordedWithoutATape()
    {
        var x = Normal("x", 1102, [3]);
        Assert.That(Tape.Recording, Is.Null);
        var y = Ops.Exp(x);
        Assert.That(y.RequiresGrad, Is.False);
        using (var tape = new Tape()) { }
        Assert.That(Ops.Exp(x).RequiresGrad, Is.False, "a disposed tape must not keep recording");
    }

    [Test]
    public void OpsOnFrozenInputsAreNotRecorded()
    {
        var x = Normal("x", 1103, [2, 3]).Frozen();
        using var tape = new Tape();
        var y = Ops.Softmax(Ops.Add(x, x));
        Assert.That(tape.NodeCount, Is.Zero);
        Assert.That(y.RequiresGrad, Is.False);
    }

    [Test]
    public void BackwardOnALossWithNoGradientInputThrows()
    {
        var x = Normal("x", 1104, [2, 3]).Frozen();
        using var tape = new Tape();
        var loss = Ops.Sum(Ops.Square(x));
        var e = Assert.Throws<InvalidOperationException>(() => tape.Backward(loss));
        Assert.That(e!.Message, Does.Contain("requires a gradient"));
    }

    [Test]
    public void FrozenWeightGetsNoGradAndCostsNoWeightGemm()
    {
        var counter = new GemmCountingBackend();
        using (Backends.Use(counter))
        {
            var x = Normal("x", 1105, [2, 3, 4]);
            var w = Normal("w", 1106, [4, 5]).Frozen();
            var b = Normal("b", 1107, [5]).Frozen();
            using var tape = new Tape();
            var y = Ops.Linear(x, w, b);
            Assert.That(counter.GemmCalls, Is.EqualTo(1), "forward");
            tape.Backward(Ops.Sum(y));
            Assert.That(counter.GemmCalls, Is.EqualTo(2), "backward must run only dX = dY·Wᵀ");
            Assert.That(w.Grad, Is.Null);
            Assert.That(b.Grad, Is.Null);
            Assert.That(x.Grad, Is.Not.Null);
        }
    }

    [Test]
    public void TrainableWeightCostsOneGemmPerGradient()
    {
        // The counterpart of the frozen case: with W trainable (and x frozen) backward runs exactly dW = Xᵀ·dY.
        var counter = new GemmCountingBackend();
        using (Backends.Use(counter))
        {
            var x = Normal("x", 1108, [3, 4]).Frozen();
            var w = Normal("w", 1109, [5, 4]);
            using var tape = new Tape();
            tape.Backward(Ops.Sum(Ops.MatMul(x, w, transB: true)));
            Assert.That(counter.GemmCalls, Is.EqualTo(2));
            Assert.That(w.Grad, Is.Not.Null);
            Assert.That(x.Grad, Is.Null);
        }
    }

    [Test]
    public void FrozenLayerNormParametersGetNoGrad()
    {
        var x = Normal("x", 1110, [3, 4]);
        var gamma = NearOne("gamma", 1111, 4).Frozen();
        var beta = Normal("beta", 1112, [4]).Frozen();
        using var tape = new Tape();
        tape.Backward(Ops.Sum(Ops.Square(Ops.LayerNorm(x, gamma, beta, 1e-5))));
        Assert.That(gamma.Grad, Is.Null);
        Assert.That(beta.Grad, Is.Null);
        Assert.That(x.Grad, Is.Not.Null);
    }

    [Test]
    public void RetainGradKeepsAnIntermediateGradientWhileOthersAreFreed()
    {
        // L = Σ tanh(x)², so ∂L/∂h = 2h for h = tanh(x) and ∂L/∂x = 2h(1 − h²).
        var x = Normal("x", 1113, [2, 3]);
        using var tape = new Tape();
        var h = Ops.Tanh(x).RetainGrad();
        var u = Ops.Square(h);
        var loss = Ops.Sum(u);
        tape.Backward(loss);

        var hs = h.ToDoubleArray();
        Assert.That(h.Grad, Is.Not.Null);
        Assert.That(h.Grad!.ToDoubleArray(), Is.EqualTo(hs.Select(v => 2 * v).ToArray()).Within(1e-14));
        Assert.That(u.Grad, Is.Null, "ordinary intermediates are freed");
        Assert.That(loss.Grad, Is.Null, "the loss itself is an intermediate");
        Assert.That(x.Grad!.ToDoubleArray(), Is.EqualTo(hs.Select(v => 2 * v * (1 - v * v)).ToArray()).Within(1e-14));
        Assert.That(tape.NodeCount, Is.Zero, "Backward consumes the tape");
    }

    [Test]
    public void LeafGradientsAccumulateAcrossBackwardPassesUntilZeroed()
    {
        var x = Normal("x", 1114, [4]);
        var xs = x.ToDoubleArray();
        using (var tape = new Tape()) tape.Backward(Ops.Sum(Ops.Square(x)));
        using (var tape = new Tape()) tape.Backward(Ops.Sum(Ops.Square(x)));
        Assert.That(x.Grad!.ToDoubleArray(), Is.EqualTo(xs.Select(v => 4 * v).ToArray()).Within(1e-14));
        x.ZeroGrad();
        Assert.That(x.Grad, Is.Null);
    }

    [Test]
    public void InnerTapeRecordsAndOuterTapeResumesWhenItIsDisposed()
    {
        var x = Normal("x", 1115, [3]);
        using var outer = new Tape();
        using (var inner = new Tape())
        {
            Ops.Exp(x);
            Assert.That(inner.NodeCount, Is.EqualTo(1));
        }
        Ops.Exp(x);
        Assert.That(outer.NodeCount, Is.EqualTo(1));
    }
}
