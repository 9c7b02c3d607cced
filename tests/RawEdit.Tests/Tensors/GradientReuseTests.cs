using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;
using RawEdit.Tensors.Optim;

namespace RawEdit.Tests.Tensors;

/// <summary>
/// AdamW.ZeroGrad releases gradients (Grad is null, as before) but keeps their buffers: the next backward pass writes
/// into the same buffer, with the values a fresh buffer would get, whether the gradient arrives whole (copied) or is
/// accumulated by a kernel into a zeroed buffer (an embedding's scatter).
/// </summary>
internal class GradientReuseTests
{
    private static (Tensor W, Tensor Table) Parameters() =>
        (Tensor.FromArray([0.5f, -1f, 2f, 0.25f, 1.5f, -0.75f], 2, 3), Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f], 4, 2));

    // loss = Σ (x · W) ⊙ (x · W) + scale · Σ embedding rows (rows 1, 3, 1 in the first step, 0, 2, 2 after).
    private static void Backward(Tensor w, Tensor table, float scale)
    {
        using var tape = new Tape();
        var x = Tensor.FromArray([scale, 2f * scale, -scale, 0.5f * scale], 2, 2);
        var y = Ops.MatMul(x, w);
        var rows = Ops.Embedding(table, scale == 1f ? [1, 3, 1] : [0, 2, 2], 1, 3);
        tape.Backward(Ops.Add(Ops.Sum(Ops.Mul(y, y)), Ops.Mul(Ops.Sum(rows), Tensor.FromArray([scale], 1))));
    }

    [Test]
    public void The_next_backward_writes_the_released_buffer_with_fresh_values()
    {
        var (w, table) = Parameters();
        w.RequiresGrad = table.RequiresGrad = true;
        var optimizer = new AdamW([new OptimizedParameter("w", w), new OptimizedParameter("table", table)], new AdamWOptions());

        Backward(w, table, 1f);
        Tensor firstW = w.Grad!, firstTable = table.Grad!;
        optimizer.ZeroGrad();
        Assert.That(w.Grad, Is.Null);
        Assert.That(table.Grad, Is.Null);

        Backward(w, table, 3f);
        Assert.That(w.Grad, Is.SameAs(firstW), "the released buffer is reused");
        Assert.That(table.Grad, Is.SameAs(firstTable));

        var (fw, ft) = Parameters();
        fw.RequiresGrad = ft.RequiresGrad = true;
        Backward(fw, ft, 3f);
        Assert.That(w.Grad!.ToFloatArray(), Is.EqualTo(fw.Grad!.ToFloatArray()));
        Assert.That(table.Grad!.ToFloatArray(), Is.EqualTo(ft.Grad!.ToFloatArray()), "rows the second step did not touch are zero again");
    }
}
