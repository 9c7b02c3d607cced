using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Tests.Tensors;

/// <summary>Invalid arguments fail early with an exception whose message names the offending shapes or indices.</summary>
internal class OpErrorTests
{
    private static Tensor Zeros(params int[] shape) => Tensor.Zeros(DType.F64, shape);

    [Test]
    public void AddOfShapesThatDoNotBroadcast()
    {
        var e = Assert.Throws<ArgumentException>(() => Ops.Add(Zeros(2, 3), Zeros(4)));
        Assert.That(e!.Message, Does.Contain("[2,3]").And.Contain("[4]"));
    }

    [Test]
    public void MatMulWithMismatchedInnerSizes()
    {
        var e = Assert.Throws<ArgumentException>(() => Ops.MatMul(Zeros(2, 3), Zeros(4, 5)));
        Assert.That(e!.Message, Does.Contain("[2,3]").And.Contain("[4,5]"));
        Assert.Throws<ArgumentException>(() => Ops.MatMul(Zeros(2, 3), Zeros(5, 4), transB: true));
        Assert.Throws<ArgumentException>(() => Ops.MatMul(Zeros(2, 3), Zeros(3, 4), transA: true));
    }

    [Test]
    public void MatMulWithMismatchedBatchesOrRanks()
    {
        var e = Assert.Throws<ArgumentException>(() => Ops.MatMul(Zeros(2, 3, 4), Zeros(3, 4, 5)));
        Assert.That(e!.Message, Does.Contain("[2,3,4]").And.Contain("[3,4,5]"));
        Assert.Throws<ArgumentException>(() => Ops.MatMul(Zeros(4), Zeros(4, 5)));
        Assert.Throws<ArgumentException>(() => Ops.MatMul(Zeros(2, 3, 4), Zeros(4, 5), transA: true));
    }

    [Test]
    public void ConcatOfPartsThatDisagreeOffTheAxis()
    {
        var e = Assert.Throws<ArgumentException>(() => Ops.Concat(0, Zeros(2, 3), Zeros(2, 4)));
        Assert.That(e!.Message, Does.Contain("[2,4]").And.Contain("[2,3]"));
        Assert.Throws<ArgumentException>(() => Ops.Concat(1, Zeros(2, 3), Zeros(3, 3)));
        Assert.Throws<ArgumentException>(() => Ops.Concat(0));
    }

    [Test]
    public void ConcatOfPartsWithDifferentRanks()
    {
        // Along axis 0 of a rank-1 first part there is no other axis to compare, so the rank check must stand alone.
        var e = Assert.Throws<ArgumentException>(() => Ops.Concat(0, Zeros(3), Zeros(2, 5)));
        Assert.That(e!.Message, Does.Contain("[2,5]").And.Contain("[3]"));
        Assert.Throws<ArgumentException>(() => Ops.Concat(0, Zeros(2, 3), Zeros(2, 3, 1)));
    }

    [TestCase(new[] { 0, 0, 1 })]
    [TestCase(new[] { 0, 1 })]
    [TestCase(new[] { 0, 1, 3 })]
    [TestCase(new[] { -1, 0, 1 })]
    public void PermuteWithABadPermutation(int[] perm)
    {
        var e = Assert.Throws<ArgumentException>(() => Ops.Permute(Zeros(2, 3, 4), perm));
        Assert.That(e!.Message, Does.Contain("permutation").And.Contain("[2,3,4]"));
    }

    [TestCase(0, 2, 2)]
    [TestCase(1, -1, 2)]
    [TestCase(1, 0, 5)]
    [TestCase(-1, 3, 2)]
    public void SliceOutsideTheAxis(int axis, int start, int length)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Slice(Zeros(3, 4, 4), axis, start, length));
        Assert.That(e!.Message, Does.Contain("[3,4,4]"));
    }

    [Test]
    public void SliceOnAMissingAxis() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Slice(Zeros(3, 4), 2, 0, 1));

    [TestCase(5)]
    [TestCase(-1)]
    [TestCase(1000)]
    public void GatherRowsWithAnIdOutOfRange(int id)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.GatherRows(Zeros(5, 3), [0, id, 1]));
        Assert.That(e!.Message, Does.Contain(id.ToString()).And.Contain("[0, 5)"));
    }

    [Test]
    public void EmbeddingWithAnIdOutOfRange()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Embedding(Zeros(4, 2), [1, 7], 2));
        Assert.That(e!.Message, Does.Contain("7"));
    }

    [TestCase(4)]
    [TestCase(-2)]
    public void AddRowsWithARowOutOfRange(int row)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.AddRows(Zeros(4, 3), [1, row], Zeros(2, 3)));
        Assert.That(e!.Message, Does.Contain(row.ToString()).And.Contain("[0, 4)"));
    }

    [Test]
    public void PickColumnsWithAColumnOutOfRange()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.PickColumns(Zeros(2, 3), [0, 3]));
        Assert.That(e!.Message, Does.Contain("3"));
        Assert.Throws<ArgumentException>(() => Ops.PickColumns(Zeros(2, 3), [0, 1, 2]));
    }

    [Test]
    public void CrossEntropyWithEveryTargetIgnored() =>
        Assert.Throws<ArgumentException>(() => Ops.CrossEntropy(Zeros(2, 3), [-1, -1]));

    [Test]
    public void LayerNormWithWrongParameterSize()
    {
        var e = Assert.Throws<ArgumentException>(() => Ops.LayerNorm(Zeros(2, 4), Zeros(3), Zeros(4), 1e-5));
        Assert.That(e!.Message, Does.Contain("[2,4]").And.Contain("[3]"));
    }

    [Test]
    public void AttentionWithBadShapes()
    {
        Assert.Throws<ArgumentException>(() => Ops.CausalSelfAttention(Zeros(1, 2, 12), 5));  // C = 4 not divisible by 5
        Assert.Throws<ArgumentException>(() => Ops.CausalSelfAttention(Zeros(1, 2, 10), 1));  // 10 not 3C
        Assert.Throws<ArgumentException>(() => Ops.CausalSelfAttention(Zeros(2, 12), 1));     // not rank 3
        var e = Assert.Throws<ArgumentException>(() => Ops.CausalSelfAttention(Zeros(2, 3, 12), 2, Zeros(2, 4)));
        Assert.That(e!.Message, Does.Contain("[2,4]"));
    }

    [Test]
    public void ReshapeToAnIncompatibleShape()
    {
        Assert.Throws<ArgumentException>(() => Ops.Reshape(Zeros(2, 3), 4, 2));
        Assert.Throws<ArgumentException>(() => Ops.Reshape(Zeros(2, 3), 4, -1));
    }

    [Test]
    public void ReductionOverAMissingAxis() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Sum(Zeros(2, 3), 2));

    [Test]
    public void MixedDtypesAreRejected()
    {
        var f32 = Tensor.Zeros(DType.F32, 2, 3);
        var f64 = Zeros(2, 3);
        var square32 = Tensor.Zeros(DType.F32, 3, 3);
        foreach (var (op, call) in new (string, Action)[]
        {
            ("Add", () => Ops.Add(f32, f64)),
            ("Mul broadcast", () => Ops.Mul(f64, Tensor.Zeros(DType.F32, 3))),
            ("MatMul", () => Ops.MatMul(f64, square32)),
            ("Concat", () => Ops.Concat(0, f32, f64)),
            ("LayerNorm", () => Ops.LayerNorm(f32, Zeros(3), Zeros(3), 1e-5)),
            ("AddRows", () => Ops.AddRows(f32, [0], Zeros(1, 3))),
            ("Attention mask", () => Ops.CausalSelfAttention(Tensor.Zeros(DType.F32, 1, 2, 6), 1, Zeros(1, 2))),
        })
        {
            var e = Assert.Throws<ArgumentException>(call, op);
            Assert.That(e!.Message, Does.Contain("F32").And.Contain("F64"), op);
        }
    }

    [Test]
    public void BackwardWithASeedOfTheWrongShape()
    {
        var x = Tensor.Zeros(DType.F64, 2, 3);
        x.RequiresGrad = true;
        using var tape = new Tape();
        var y = Ops.Exp(x);
        var e = Assert.Throws<InvalidOperationException>(() => tape.Backward(y, Zeros(3, 2)));
        Assert.That(e!.Message, Does.Contain("[3,2]").And.Contain("[2,3]"));
    }
}
