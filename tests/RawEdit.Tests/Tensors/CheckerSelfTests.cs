using RawEdit.Tensors;
using static RawEdit.Tests.Tensors.Inputs;

namespace RawEdit.Tests.Tensors;

/// <summary>The checkers themselves must be able to fail: wrong gradients and dtype-dependent results are caught.</summary>
internal class CheckerSelfTests
{
    [Test]
    public void GradientCheckCatchesAMissingGradientPath()
    {
        // y = x ⊙ detach(x): the tape sees ∂y/∂x = x, the true derivative is 2x.
        var x = Normal("x", 801, [2, 3]);
        var report = GradientCheck.Measure("x*detach(x)", t => Ops.Mul(t[0], t[0].Detach()), x);

        Assert.That(report.Compared, Is.EqualTo(6));
        Assert.That(report.Failed, Is.EqualTo(6));
        Assert.That(report.Message, Does.Contain("x*detach(x)").And.Contain("d/dx[0,0]").And.Contain("analytic").And.Contain("numeric"));
    }

    [Test]
    public void GradientCheckCatchesASmallScaleError()
    {
        // y = x + 1e-4·detach(x): an analytic gradient off by a relative 1e-4 (10× the tolerance) must fail.
        var x = Normal("x", 802, [4]);
        var report = GradientCheck.Measure("x + 1e-4·detach(x)", t => Ops.Add(t[0], Ops.Scale(t[0].Detach(), 1e-4)), x);
        Assert.That(report.Failed, Is.GreaterThan(0), report.Message);
    }

    [Test]
    public void GradientCheckPassesACorrectGradientAndComparesEveryElement()
    {
        var report = GradientCheck.Measure("Square", t => Ops.Square(t[0]), Normal("x", 803, [3, 4]));
        Assert.That(report.Failed, Is.Zero, report.Message);
        Assert.That(report.Compared, Is.EqualTo(12));
    }

    [Test]
    public void GradientCheckSkipsFrozenInputs()
    {
        var report = GradientCheck.Measure("Mul", t => Ops.Mul(t[0], t[1]), Normal("a", 804, [3]), Normal("b", 805, [3]).Frozen());
        Assert.That(report.Compared, Is.EqualTo(3));
    }

    [Test]
    public void PrecisionCheckCatchesADtypeDependentResult()
    {
        // The fp32 run is scaled by 1 + 1e-4: ten times the tolerance for typical entries (those far below the
        // rms may pass), in the output and in the gradient alike.
        var c = new OpCase("scaled differently per dtype", () => [Normal("x", 806, [3, 4])],
            t => Ops.Scale(t[0], t[0].DType == DType.F32 ? 1 + 1e-4 : 1));
        var report = PrecisionCheck.Measure(c);
        Assert.That(report.Compared, Is.EqualTo(24));
        Assert.That(report.Failed, Is.GreaterThan(12), report.Message);
        Assert.That(report.Message, Does.Contain("fp32").And.Contain("float64").And.Contain("output[").And.Contain("d/dx["));
    }

    [Test]
    public void PrecisionCheckPassesMatchingDtypes()
    {
        var c = new OpCase("Tanh", () => [Normal("x", 807, [3, 4])], t => Ops.Tanh(t[0]));
        Assert.That(PrecisionCheck.Measure(c).Failed, Is.Zero);
    }
}
