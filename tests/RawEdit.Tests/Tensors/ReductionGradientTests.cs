using RawEdit.Tensors;
using static RawEdit.Tests.Tensors.Inputs;

namespace RawEdit.Tests.Tensors;

/// <summary>Sum (all and per axis, with and without keepDim), Mean and Norm.</summary>
[TestFixture("cpu")]
[TestFixture("ilgpu-cpu")]
[TestFixture("cuda")]
internal class ReductionGradientTests(string device) : DeviceFixture(device)
{
    internal static IEnumerable<OpCase> Cases()
    {
        yield return new OpCase("Sum all [3,4]", () => [Normal("x", 601, [3, 4])], t => Ops.Sum(t[0]));
        // x [2,3,4]; axis −1 checks the negative-axis path.
        foreach (int axis in new[] { 0, 1, 2, -1 })
            foreach (bool keepDim in new[] { false, true })
                yield return new OpCase($"Sum axis {axis}{(keepDim ? " keepDim" : "")} [2,3,4]",
                    () => [Normal("x", 610 + axis, [2, 3, 4])],
                    t => Ops.Sum(t[0], axis, keepDim));
        yield return new OpCase("Mean all [3,4]", () => [Normal("x", 621, [3, 4])], t => Ops.Mean(t[0]));
        yield return new OpCase("Mean axis 1 [2,3,4]", () => [Normal("x", 622, [2, 3, 4])], t => Ops.Mean(t[0], 1));
        yield return new OpCase("Mean axis 0 keepDim [3,4]", () => [Normal("x", 623, [3, 4])], t => Ops.Mean(t[0], 0, keepDim: true));
        yield return new OpCase("Norm [3,4]", () => [Normal("x", 624, [3, 4])], t => Ops.Norm(t[0]));
    }

    private static IEnumerable<TestCaseData> Data() => Cases().Select(c => c.ToTestCase());

    [TestCaseSource(nameof(Data))]
    public void GradientMatchesFiniteDifferences(OpCase c) => GradientCheck.Verify(c);

    [TestCase(0, false, new[] { 3, 4 })]
    [TestCase(1, false, new[] { 2, 4 })]
    [TestCase(2, true, new[] { 2, 3, 1 })]
    [TestCase(-2, true, new[] { 2, 1, 4 })]
    public void SumAxisShapeAndValues(int axis, bool keepDim, int[] expectedShape)
    {
        var x = Tensor.RandomNormal(631, 1.0, DType.F64, 2, 3, 4);
        var y = Ops.Sum(x, axis, keepDim);
        Assert.That(y.Shape, Is.EqualTo(expectedShape));

        var expected = HostReference.SumAxis(x.ToDoubleArray(), [2, 3, 4], axis < 0 ? axis + 3 : axis);
        Assert.That(y.ToDoubleArray(), Is.EqualTo(expected).Within(1e-12));
    }
}
