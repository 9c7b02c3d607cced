namespace RawEdit.Tensors.Autodiff;

/// <summary>Creates or adds into a tensor's gradient; the only place gradients are written.</summary>
internal static class GradientAccumulator
{
    /// <summary>grad(target) += g.</summary>
    public static void Add(Tensor target, Tensor g)
    {
        if (!Shape.SameAs(target.Shape, g.Shape))
            throw new InvalidOperationException($"gradient shape {Shape.Format(g.Shape)} for tensor {Shape.Format(target.Shape)}");
        if (target.Grad is null)
        {
            // A copy: one incoming gradient often feeds several inputs, which later accumulate separately.
            if (target.SpareGrad is { } spare && spare.DType == g.DType && spare.Backend == g.Backend)
            {
                g.Backend.Copy(g.Storage, 0, spare.Storage, 0, g.Length);
                target.Grad = spare;
            }
            else target.Grad = g.Clone();
            return;
        }
        target.Backend.Axpby(1.0, g.Storage, 1.0, target.Grad.Storage);
    }

    /// <summary>The gradient buffer of <paramref name="target"/>, created zeroed, for kernels that add into it.</summary>
    public static Tensor Buffer(Tensor target)
    {
        if (target.Grad is null)
        {
            if (target.SpareGrad is { } spare)
            {
                spare.Backend.Fill(spare.Storage, 0.0);
                target.Grad = spare;
            }
            else target.Grad = Tensor.Zeros(target.DType, target.Shape);
        }
        return target.Grad;
    }
}
