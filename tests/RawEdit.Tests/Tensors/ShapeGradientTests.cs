using RawEdit.Tensors;
using static RawEdit.Tests.Tensors.Inputs;

namespace RawEdit.Tests.Tensors;

/// <summary>Reshape, Permute, Transpose, Slice and Concat: pure data movement, so gradients must route exactly.</summary>
[TestFixture("cpu")]
[TestFixture("ilgpu-cpu")]
[TestFixture("cuda")]
internal class ShapeGradientTests(string device) : DeviceFixture(device)
{
    internal static IEnumerable<OpCase> Cases() => ReshapeCases().Concat(PermuteCases()).Concat(SliceCases()).Concat(ConcatCases());

    private static IEnumerable<TestCaseData> Data() => Cases().Select(c => c.ToTestCase());

    [TestCaseSource(nameof(Data))]
    public void GradientMatchesFiniteDifferences(OpCase c) => GradientCheck.Verify(c);

    private static IEnumerable<OpCase> ReshapeCases()
    {
        yield return new OpCase("Reshape [2,3,4]→[6,4]", () => [Normal("x", 701, [2, 3, 4])], t => Ops.Reshape(t[0], 6, 4));
        yield return new OpCase("Reshape [2,3,4]→[4,-1]", () => [Normal("x", 702, [2, 3, 4])], t => Ops.Reshape(t[0], 4, -1));
        // Reshape shares storage: a following op must still see the right gradient flowing back.
        yield return new OpCase("Reshape then Square", () => [Normal("x", 703, [3, 4])], t => Ops.Square(Ops.Reshape(t[0], 2, 6)));
    }

    private static IEnumerable<OpCase> PermuteCases()
    {
        foreach (var perm in new[] { new[] { 2, 0, 1 }, [1, 0, 2], [0, 2, 1] })
            yield return new OpCase($"Permute rank3 [{string.Join(",", perm)}]",
                () => [Normal("x", 711, [2, 3, 4])], t => Ops.Permute(t[0], perm));
        foreach (var perm in new[] { new[] { 0, 2, 1, 3 }, [3, 1, 0, 2], [1, 3, 2, 0] })
            yield return new OpCase($"Permute rank4 [{string.Join(",", perm)}]",
                () => [Normal("x", 712, [2, 3, 2, 4])], t => Ops.Permute(t[0], perm));
        yield return new OpCase("Transpose last two [2,3,4]", () => [Normal("x", 713, [2, 3, 4])], t => Ops.Transpose(t[0]));
        yield return new OpCase("Transpose axes 0,2 [2,3,4]", () => [Normal("x", 714, [2, 3, 4])], t => Ops.Transpose(t[0], 0, 2));
        yield return new OpCase("Transpose rank2 [3,5]", () => [Normal("x", 715, [3, 5])], t => Ops.Transpose(t[0]));
    }

    // x [3,4,5]: a slice on every axis, including a negative axis and a slice reaching the end.
    private static IEnumerable<OpCase> SliceCases()
    {
        foreach (var (axis, start, length) in new[] { (0, 1, 2), (1, 1, 2), (2, 2, 3), (-1, 0, 1), (1, 0, 4) })
            yield return new OpCase($"Slice axis {axis} [{start},{start + length}) of [3,4,5]",
                () => [Normal("x", 721, [3, 4, 5])], t => Ops.Slice(t[0], axis, start, length));
    }

    // Parts differ in size along the joined axis; one part per axis is frozen.
    private static IEnumerable<OpCase> ConcatCases()
    {
        foreach (int axis in new[] { 0, 1, 2 })
        {
            int[] Sized(int n) { int[] s = [2, 3, 2]; s[axis] = n; return s; }
            yield return new OpCase($"Concat axis {axis} of three parts",
                () => [Normal("p0", 731, Sized(1)), Normal("p1", 732, Sized(3)), Normal("p2", 733, Sized(2))],
                t => Ops.Concat(axis, t[0], t[1], t[2]));
            yield return new OpCase($"Concat axis {axis}, middle part frozen",
                () => [Normal("p0", 734, Sized(2)), Normal("p1", 735, Sized(1)).Frozen(), Normal("p2", 736, Sized(2))],
                t => Ops.Concat(axis, t[0], t[1], t[2]));
        }
        yield return new OpCase("Concat same tensor twice along -1",
            () => [Normal("x", 737, [2, 3])], t => Ops.Concat(-1, t[0], t[0]));
    }

    [TestCase(new[] { 3, 1, 0, 2 })]
    [TestCase(new[] { 1, 0, 2, 3 })]
    public void PermuteMovesElementsToTheirNewIndex(int[] perm)
    {
        int[] shape = [2, 3, 2, 4];
        var x = Tensor.RandomNormal(741, 1.0, DType.F64, shape);
        var y = Ops.Permute(x, perm);
        Assert.That(y.Shape, Is.EqualTo(perm.Select(p => shape[p]).ToArray()));
        Assert.That(y.ToDoubleArray(), Is.EqualTo(HostReference.Permute(x.ToDoubleArray(), shape, perm)));
    }

    [Test]
    public void SliceThenConcatRestoresTheTensor()
    {
        var x = Tensor.RandomNormal(742, 1.0, DType.F64, 3, 5, 2);
        var parts = new[] { Ops.Slice(x, 1, 0, 2), Ops.Slice(x, 1, 2, 1), Ops.Slice(x, 1, 3, 2) };
        var joined = Ops.Concat(1, parts);
        Assert.That(joined.Shape, Is.EqualTo(x.Shape));
        Assert.That(joined.ToDoubleArray(), Is.EqualTo(x.ToDoubleArray()));
    }
}
