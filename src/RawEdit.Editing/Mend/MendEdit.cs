using RawEdit.Models;
using RawEdit.Tensors;

namespace RawEdit.Editing.Mend;

/// <summary>
/// ΔW = α·Σ_i u_i ⊗ d_i, a sum of Rows rank-one terms, as a value. U [Rows, in] and D [Rows, out] row-major; GPT-2
/// Conv1D weights are stored [in, out] (ΔW = α·UᵀD), torch Linear [out, in] (the transpose).
/// </summary>
internal sealed record LowRankEdit(string WeightName, float[] U, float[] D, int Rows, float Alpha, bool OutByIn)
{
    public int InputWidth => U.Length / Rows;
    public int OutputWidth => D.Length / Rows;
    public int StoredRows => OutByIn ? OutputWidth : InputWidth;
    public int StoredColumns => OutByIn ? InputWidth : OutputWidth;

    /// <summary>ΔW in the stored orientation, row-major.</summary>
    public float[] DeltaMatrix()
    {
        var delta = Tensor.Zeros(StoredRows, StoredColumns);
        AddTo(delta);
        return delta.ToFloatArray();
    }

    /// <summary>‖ΔW‖_F / numel(W), the r-ROME paper's |Δ|.</summary>
    public double NormalizedMagnitude => Math.Sqrt(DeltaMatrix().Sum(x => (double)x * x)) / ((double)StoredRows * StoredColumns);

    /// <summary>The same ΔW as Rows rank-one terms u_i ⊗ α·d_i (α folded into the output side), in row order.</summary>
    public IEnumerable<RankOneEdit> Terms() => Enumerable.Range(0, Rows).Select(i => new RankOneEdit(WeightName,
        U.AsSpan(i * InputWidth, InputWidth).ToArray(), D.AsSpan(i * OutputWidth, OutputWidth).ToArray().Select(d => Alpha * d).ToArray(), OutByIn));

    /// <summary>weight += α·(left)ᵀ·(right): one GEMM over the Rows terms, accumulating (beta = 1) in place.</summary>
    internal void AddTo(Tensor weight)
    {
        var (left, right) = OutByIn ? (D, U) : (U, D);
        var l = Tensor.FromArray(left, Rows, StoredRows);
        var r = Tensor.FromArray(right, Rows, StoredColumns);
        weight.Backend.Gemm(true, false, StoredRows, StoredColumns, Rows, Alpha, l.Storage, StoredRows, 0, r.Storage, StoredColumns, 0,
            1, weight.Storage, StoredColumns, 0, 1);
    }
}

/// <summary>A MEND edit: one low-rank update per edited matrix.</summary>
internal sealed record MendEdit(IReadOnlyList<LowRankEdit> Updates)
{
    /// <summary>Adds every ΔW to the model; reverting the result restores the exact original bits.</summary>
    public AppliedEdit ApplyTo(ICausalLanguageModel model) =>
        AppliedEdit.Together(Updates.Select(u => AppliedEdit.Apply(model, u.WeightName, u.StoredRows, u.StoredColumns, u.AddTo)).ToList());
}
