using RawEdit.Models;
using RawEdit.Models.Hooks;
using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Editing.Mend;

/// <summary>
/// A matrix MEND edits: its weight name, where its input and output are in the forward pass, and its widths.
/// GPT-2 Conv1D stores [in, out]; OutByIn marks a torch Linear [out, in].
/// </summary>
internal sealed record EditedMatrix(string Name, int Layer, HookPoint InputPoint, HookPoint OutputPoint, int InputWidth, int OutputWidth, bool OutByIn)
{
    /// <summary>Finds a named MLP matrix in the model: the up projection (ln_2 → hidden) or the down projection (key → MLP output).</summary>
    public static EditedMatrix Find(ICausalLanguageModel model, string name)
    {
        for (int l = 0; l < model.Layers; l++)
        {
            var up = model.MlpUpProjection(l);
            if (up.Name == name) return new EditedMatrix(name, l, HookPoint.MlpIn, HookPoint.MlpHidden, model.Embedding, model.MlpWidth, up.OutByIn);
            var down = model.MlpDownProjection(l);
            if (down.Name == name) return new EditedMatrix(name, l, HookPoint.MlpKey, HookPoint.MlpOut, model.MlpWidth, model.Embedding, down.OutByIn);
        }
        throw new ArgumentException($"MEND edits MLP matrices; '{name}' is not one of this {model.Layers}-layer model's");
    }
}

/// <summary>The rank-one factors of one matrix's gradient: input rows u [Rows, in] and output gradients δ [Rows, out].</summary>
internal sealed record MatrixFactors(EditedMatrix Matrix, float[] U, float[] Delta, int Rows);

/// <summary>
/// MEND's gradient capture (hooks.py): for each edited matrix W, ∇_W L = Σ_rows u_i δ_iᵀ with u_i the matrix's
/// input and δ_i = ∂L/∂(its output) at token row i, L = the edit NLL on the target tokens. δ is read from a zero
/// "tap" tensor added to the output: it requires a gradient, so the backward pass reaches it while every model
/// weight stays frozen. Rows where u or δ is all zero (padding, tokens after the last target) are dropped.
/// Both factors are constants for the editor (detached).
/// </summary>
internal static class GradientFactors
{
    public static IReadOnlyList<MatrixFactors> Capture(ICausalLanguageModel model, IReadOnlyList<EditedMatrix> matrices, IReadOnlyList<TargetedSequence> edit)
    {
        var hooks = new ForwardHooks();
        var inputs = matrices.Select(m => hooks.Capture(m.InputPoint, m.Layer)).ToList();
        var taps = new Tensor?[matrices.Count];
        for (int i = 0; i < matrices.Count; i++)
        {
            int index = i;
            hooks.Add(matrices[i].OutputPoint, matrices[i].Layer, x =>
            {
                var tap = Tensor.Zeros(x.DType, x.Shape);
                tap.RequiresGrad = true;
                taps[index] = tap;
                return Ops.Add(x, tap);
            });
        }
        double loss;
        using (var tape = new Tape())
        {
            var nll = MendLosses.TargetNll(model, edit, hooks);
            loss = nll.Item();
            if (!double.IsFinite(loss)) throw new InvalidOperationException($"MEND: the edit loss is {loss}");
            tape.Backward(nll);
        }
        return matrices.Select((m, i) => Drop(m, inputs[i].Required.ToFloatArray(), taps[i]?.Grad?.ToFloatArray())).ToList();
    }

    private static MatrixFactors Drop(EditedMatrix m, float[] u, float[]? delta)
    {
        int rows = u.Length / m.InputWidth;
        var keptU = new List<float>();
        var keptDelta = new List<float>();
        int kept = 0;
        for (int r = 0; delta is not null && r < rows; r++)
        {
            var ur = u.AsSpan(r * m.InputWidth, m.InputWidth);
            var dr = delta.AsSpan(r * m.OutputWidth, m.OutputWidth);
            if (IsZero(ur) || IsZero(dr)) continue;
            keptU.AddRange(ur);
            keptDelta.AddRange(dr);
            kept++;
        }
        if (kept == 0) throw new InvalidOperationException($"MEND: the edit loss has no gradient at '{m.Name}'");
        return new MatrixFactors(m, [.. keptU], [.. keptDelta], kept);
    }

    private static bool IsZero(ReadOnlySpan<float> row)
    {
        foreach (float x in row)
            if (x != 0) return false;
        return true;
    }
}
