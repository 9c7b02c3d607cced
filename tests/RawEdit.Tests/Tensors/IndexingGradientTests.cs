using RawEdit.Tensors;
using static RawEdit.Tests.Tensors.Inputs;

namespace RawEdit.Tests.Tensors;

/// <summary>GatherRows, Embedding, AddRows and PickColumns: repeated indices must accumulate, −1 columns must not.</summary>
[TestFixture("cpu")]
[TestFixture("ilgpu-cpu")]
[TestFixture("cuda")]
internal class IndexingGradientTests(string device) : DeviceFixture(device)
{
    internal static IEnumerable<OpCase> Cases()
    {
        // table [5,3], ids with row 1 three times → [6,3]; row 2 and 4 never picked (zero gradient).
        yield return new OpCase("GatherRows repeated ids",
            () => [Normal("table", 401, [5, 3])],
            t => Ops.GatherRows(t[0], [1, 3, 1, 0, 1, 3]));
        // A rank-3 table [2,3,4] is viewed as 6 rows of width 4.
        yield return new OpCase("GatherRows rank3 table",
            () => [Normal("table", 402, [2, 3, 4])],
            t => Ops.GatherRows(t[0], [5, 0, 5, 2]));
        // table [6,4], ids laid out [2,3] → [2,3,4].
        yield return new OpCase("Embedding [2,3] ids with repeats",
            () => [Normal("table", 403, [6, 4])],
            t => Ops.Embedding(t[0], [2, 5, 2, 2, 0, 5], 2, 3));
        // x [4,3], values [4,3] added into rows 1, 3, 1, 1 (row 1 receives three value rows).
        yield return new OpCase("AddRows repeated rows",
            () => [Normal("x", 404, [4, 3]), Normal("values", 405, [4, 3])],
            t => Ops.AddRows(t[0], [1, 3, 1, 1], t[1]));
        yield return new OpCase("AddRows values frozen",
            () => [Normal("x", 406, [4, 3]), Normal("values", 407, [2, 3]).Frozen()],
            t => Ops.AddRows(t[0], [2, 2], t[1]));
        yield return new OpCase("AddRows x frozen, rank3 x",
            () => [Normal("x", 408, [2, 2, 3]).Frozen(), Normal("values", 409, [3, 3])],
            t => Ops.AddRows(t[0], [3, 0, 3], t[1]));
        // x [5,4] → [5]; rows 1 and 4 are ignored (−1): output 0 and no gradient there.
        yield return new OpCase("PickColumns with -1",
            () => [Normal("x", 410, [5, 4])],
            t => Ops.PickColumns(t[0], [2, -1, 0, 3, -1]));
    }

    private static IEnumerable<TestCaseData> Data() => Cases().Select(c => c.ToTestCase());

    [TestCaseSource(nameof(Data))]
    public void GradientMatchesFiniteDifferences(OpCase c) => GradientCheck.Verify(c);

    [Test]
    public void PickColumnsYieldsZeroForIgnoredRows()
    {
        var x = Tensor.RandomNormal(411, 1.0, DType.F64, 3, 4);
        var values = x.ToDoubleArray();
        var picked = Ops.PickColumns(x, [1, -1, 3]).ToDoubleArray();
        Assert.That(picked, Is.EqualTo(new[] { values[0 * 4 + 1], 0.0, values[2 * 4 + 3] }));
    }

    [Test]
    public void GatherRowsCopiesTheNamedRows()
    {
        var table = Tensor.RandomNormal(412, 1.0, DType.F64, 4, 3);
        var rows = table.ToDoubleArray();
        int[] ids = [3, 0, 3];
        var y = Ops.GatherRows(table, ids);
        Assert.That(y.Shape, Is.EqualTo(new[] { 3, 3 }));
        var expected = ids.SelectMany(id => rows.Skip(id * 3).Take(3)).ToArray();
        Assert.That(y.ToDoubleArray(), Is.EqualTo(expected));
    }
}
