using RawEdit.Tensors.Profiling;

namespace RawEdit.Tensors.Autodiff;

/// <summary>Connects an op's output to the tape when gradients are wanted.</summary>
internal static class Recorder
{
    /// <summary>True when the active tape should record an op over these inputs.</summary>
    public static bool Wants(params Tensor?[] inputs)
    {
        if (Tape.Recording is null) return false;
        foreach (var t in inputs)
            if (t is { RequiresGrad: true }) return true;
        return false;
    }

    /// <summary>Records <paramref name="backward"/> (given dOutput) for <paramref name="output"/> when any input requires a gradient.</summary>
    public static Tensor Record(Tensor output, Action<Tensor> backward, params Tensor?[] inputs)
    {
        if (!Wants(inputs)) return output;
        output.MarkRecorded();
        Tape.Recording!.Add(new Tape.Node(output, backward, OpProfiler.CurrentKind));
        return output;
    }
}
