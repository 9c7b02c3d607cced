namespace RawEdit.Tensors.Optim;

internal static class GradientClipping
{
    /// <summary>
    /// Scales all gradients by min(1, maxNorm/‖g‖) where ‖g‖ is the norm of all gradients together;
    /// returns ‖g‖ before clipping (non-finite when a gradient is).
    /// </summary>
    public static double ClipGlobalNorm(IEnumerable<Tensor> parameters, double maxNorm)
    {
        var grads = parameters.Select(p => p.Grad).OfType<Tensor>().ToList();
        double norm = Math.Sqrt(grads.Sum(g => g.Backend.SumOfSquares(g.Storage)));
        if (double.IsFinite(norm) && norm > maxNorm)
        {
            double scale = maxNorm / (norm + 1e-6);
            foreach (var g in grads) g.Backend.Axpby(scale, g.Storage, 0, g.Storage);
        }
        return norm;
    }
}
