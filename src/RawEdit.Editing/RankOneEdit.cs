using RawEdit.Models;
using RawEdit.Tensors;

namespace RawEdit.Editing;

/// <summary>
/// A weight update ΔW = u ⊗ r as a value: u spans the key (input) side, r the value (output) side.
/// GPT-2 Conv1D weights are stored [in, out], so ΔW[i, o] = u[i]·r[o]; torch Linear weights ([out, in]) take the transpose.
/// </summary>
internal sealed record RankOneEdit(string WeightName, float[] U, float[] R, bool OutByIn)
{
    public int Rows => OutByIn ? R.Length : U.Length;
    public int Columns => OutByIn ? U.Length : R.Length;

    /// <summary>‖ΔW‖_F / numel(W), the r-ROME paper's |Δ| (element-count normalised).</summary>
    public double NormalizedMagnitude => Frobenius / ((double)U.Length * R.Length);

    public double Frobenius => VectorNorm.Of(U) * VectorNorm.Of(R);

    /// <summary>ΔW in the stored orientation, row-major.</summary>
    public float[] DeltaMatrix()
    {
        var (left, right) = OutByIn ? (R, U) : (U, R);
        var delta = new float[left.Length * right.Length];
        for (int i = 0; i < left.Length; i++)
            for (int j = 0; j < right.Length; j++) delta[i * right.Length + j] = left[i] * right[j];
        return delta;
    }

    /// <summary>Adds ΔW to the model's weight; the returned handle restores the exact original bits.</summary>
    public AppliedEdit ApplyTo(ICausalLanguageModel model) => AppliedEdit.Apply(model, WeightName, Rows, Columns, weight =>
    {
        var (left, right) = OutByIn ? (R, U) : (U, R);
        // On the weight's own backend (a model moved to the GPU keeps its weights there).
        var (l, r) = (weight.Backend.Upload(left), weight.Backend.Upload(right));
        // W ← W + l·r: a GEMM with inner size 1, accumulating (beta = 1) into the weight in place.
        weight.Backend.Gemm(false, false, Rows, Columns, 1, 1, l, 1, 0, r, Columns, 0, 1, weight.Storage, Columns, 0, 1);
        GC.KeepAlive(l);
        GC.KeepAlive(r);
    });
}
