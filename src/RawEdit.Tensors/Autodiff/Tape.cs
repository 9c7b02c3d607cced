using RawEdit.Tensors.Profiling;

namespace RawEdit.Tensors.Autodiff;

/// <summary>
/// Reverse-mode autodiff tape. While a tape is active on this thread, ops whose inputs require gradients
/// append a node (output, backward closure). <see cref="Backward"/> seeds the loss gradient and runs the
/// closures newest-first; each closure adds into the gradients of only those inputs that require them,
/// so frozen weights cost no weight-gradient GEMMs. Under an <see cref="OpProfiler"/> each closure's time is
/// charged to the backward part of the kind its op was recorded under.
/// </summary>
internal sealed class Tape : IDisposable
{
    [ThreadStatic] private static Tape? active;
    [ThreadStatic] private static int pauseDepth;

    private readonly Tape? outer;
    private readonly List<Node> nodes = new();
    private bool disposed;

    public Tape()
    {
        outer = active;
        active = this;
    }

    /// <summary>The tape ops record onto, or null when none is active or recording is paused.</summary>
    public static Tape? Recording => pauseDepth == 0 ? active : null;

    /// <summary>No-grad mode: nothing is recorded until the scope is disposed.</summary>
    public static IDisposable NoGrad()
    {
        pauseDepth++;
        return new Resume();
    }

    public int NodeCount => nodes.Count;

    internal void Add(Node node) => nodes.Add(node);

    /// <summary>Back-propagates from <paramref name="loss"/> (seed = ones, or the given gradient).</summary>
    public void Backward(Tensor loss, Tensor? seed = null)
    {
        if (!loss.RequiresGrad) throw new InvalidOperationException("loss does not depend on any tensor that requires a gradient");
        seed ??= Tensor.Full(1.0, loss.DType, loss.Shape);
        GradientAccumulator.Add(loss, seed);
        using (NoGrad())
        {
            for (int i = nodes.Count - 1; i >= 0; i--)
            {
                var node = nodes[i];
                var grad = node.Output.Grad;
                if (grad is null) continue;
                OpProfiler.EnterBackward(node.Kind);
                node.Backward(grad);
                if (!node.Output.KeepsGrad) node.Output.Grad = null;
            }
        }
        nodes.Clear();
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        nodes.Clear();
        if (active == this) active = outer;
    }

    internal sealed record Node(Tensor Output, Action<Tensor> Backward, string? Kind);

    private sealed class Resume : IDisposable
    {
        private bool done;
        public void Dispose()
        {
            if (done) return;
            done = true;
            pauseDepth--;
        }
    }
}
