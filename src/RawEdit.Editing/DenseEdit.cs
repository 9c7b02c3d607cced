using RawEdit.Models;
using RawEdit.Tensors;

namespace RawEdit.Editing;

/// <summary>A dense update of one weight, in the weight's stored orientation, row-major [Rows, Columns].</summary>
internal sealed record WeightDelta(string WeightName, int Layer, int Rows, int Columns, float[] Delta)
{
    public double Frobenius => Math.Sqrt(Delta.Sum(x => (double)x * x));

    /// <summary>‖ΔW‖_F / numel(W), the r-ROME paper's |Δ| (element-count normalised).</summary>
    public double NormalizedMagnitude => Frobenius / ((double)Rows * Columns);
}

/// <summary>Dense updates of several weights made together (MEMIT's layers), applied and reverted as one.</summary>
internal sealed record DenseEdit(IReadOnlyList<WeightDelta> Deltas)
{
    /// <summary>Adds every ΔW to its weight (W ← W + ΔW in float32); the handle restores the exact original bits.</summary>
    public AppliedEdit ApplyTo(ICausalLanguageModel model)
    {
        var targets = Deltas.Select(d => AppliedEdit.Target(model, d.WeightName, d.Rows, d.Columns)).ToList();
        var saved = targets.Select(w => (w, w.Clone())).ToList();
        for (int i = 0; i < Deltas.Count; i++)
        {
            var delta = targets[i].Backend.Upload(Deltas[i].Delta);   // on the weight's backend
            targets[i].Backend.Axpby(1, delta, 1, targets[i].Storage);
            GC.KeepAlive(delta);
        }
        return new AppliedEdit(saved);
    }
}
