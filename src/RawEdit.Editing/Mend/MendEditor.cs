using RawEdit.Models;
using RawEdit.Tensors;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Editing.Mend;

/// <summary>One matrix's transformed factors: ∇̃W = Σ_i ũ'_i δ̃'_iᵀ, scaled by the matrix's learned step α.</summary>
internal sealed record TransformedFactors(EditedMatrix Matrix, Tensor U, Tensor Delta, Tensor Alpha)
{
    // ũ' [N, in], δ̃' [N, out] → α·ũ'ᵀδ̃' [in, out] (Conv1D) or α·δ̃'ᵀũ' [out, in] (Linear).
    public Tensor WeightChange()
    {
        var sum = Matrix.OutByIn ? Ops.MatMul(Delta, U, transA: true) : Ops.MatMul(U, Delta, transA: true);
        return Ops.Mul(sum, Alpha);
    }
}

/// <summary>
/// MEND (Mitchell et al. 2022, editing-methods.md §4): editor networks for the edited matrices, one per weight
/// shape and shared by the matrices of that shape (each its own mode), and learned per-matrix edit steps α_l
/// (init edit_lr). An edit is W_l ← W_l + α_l Σ_i ũ'_i δ̃'_iᵀ, with (ũ', δ̃') the network's output for the
/// gradient factors of the edit loss (no minus sign: learning absorbs it).
/// </summary>
internal sealed class MendEditor
{
    private readonly Dictionary<string, EditorNetwork> networks;

    private MendEditor(MendHyperParameters hparams, IReadOnlyList<EditedMatrix> matrices, Dictionary<string, EditorNetwork> networks, Tensor editLrs)
    {
        Hparams = hparams;
        Matrices = matrices;
        this.networks = networks;
        EditLearningRates = editLrs;
    }

    public MendHyperParameters Hparams { get; }
    public IReadOnlyList<EditedMatrix> Matrices { get; }
    public IReadOnlyDictionary<string, EditorNetwork> Networks => networks;

    /// <summary>α_l per matrix, in <see cref="Matrices"/> order [n].</summary>
    public Tensor EditLearningRates { get; }

    public static MendEditor Create(ICausalLanguageModel model, MendHyperParameters h)
    {
        h.Validate();
        var matrices = h.InnerParamsFor(model).Select(n => EditedMatrix.Find(model, n)).ToList();
        var networks = new Dictionary<string, EditorNetwork>();
        foreach (var group in matrices.GroupBy(ShapeKey))
        {
            var first = group.First();
            networks[group.Key] = EditorNetwork.Create(first.InputWidth, first.OutputWidth, group.Count(), h.Rank, h.NHidden, h.Seed + networks.Count);
        }
        var editLrs = Tensor.Full(h.EditLr, DType.F32, matrices.Count);
        editLrs.RequiresGrad = true;
        return new MendEditor(h, matrices, networks, editLrs);
    }

    private static string ShapeKey(EditedMatrix m) => EditorNetwork.ShapeKey(m.InputWidth, m.OutputWidth);

    public EditorNetwork NetworkOf(EditedMatrix m) => networks[ShapeKey(m)];

    /// <summary>The matrix's index among the edited matrices of its shape.</summary>
    public int ModeOf(EditedMatrix m) => Matrices.Where(x => ShapeKey(x) == ShapeKey(m)).ToList().IndexOf(m);

    /// <summary>Network parameters by name, "{in}x{out}.layers.{i}.{u|v|bias|mode_scale|mode_shift}".</summary>
    public IEnumerable<(string Name, Tensor Value)> NetworkParameters() =>
        networks.Values.SelectMany(n => n.Parameters().Select(p => ($"{n.Key}.{p.Name}", p.Value)));

    /// <summary>Everything training updates: the network parameters and "edit_lrs".</summary>
    public IEnumerable<(string Name, Tensor Value)> Parameters() => NetworkParameters().Append(("edit_lrs", EditLearningRates));

    /// <summary>
    /// The editor's output for each matrix's factors, recorded on the active tape. In training mode each matrix's rows
    /// enter its network's statistics just before they are normalised (as upstream's per-matrix forward).
    /// </summary>
    public IReadOnlyList<TransformedFactors> Transform(IReadOnlyList<MatrixFactors> factors, bool training)
    {
        var result = new List<TransformedFactors>(factors.Count);
        foreach (var f in factors)
        {
            int index = IndexOf(f.Matrix);
            var network = NetworkOf(f.Matrix);
            if (training) network.UpdateStatistics(f.U, f.Delta, f.Rows);
            var (u, delta) = network.Forward(f.U, f.Delta, f.Rows, ModeOf(f.Matrix));
            result.Add(new TransformedFactors(f.Matrix, u, delta, Ops.Slice(EditLearningRates, 0, index, 1)));
        }
        return result;
    }

    /// <summary>W_l + α_l·∇̃W_l by weight name, on the active tape: the replacements of the edited model.</summary>
    public static Dictionary<string, Tensor> EditedWeights(ICausalLanguageModel model, IReadOnlyList<TransformedFactors> transformed) =>
        transformed.ToDictionary(t => t.Matrix.Name, t => Ops.Add(model.Parameters[t.Matrix.Name], t.WeightChange()));

    /// <summary>The edit for a request (editor in eval mode: statistics frozen, nothing recorded).</summary>
    public MendEdit Compute(ICausalLanguageModel model, IReadOnlyList<TargetedSequence> edit)
    {
        foreach (var s in edit) s.Validate(model.MaxPositions);
        var factors = GradientFactors.Capture(model, Matrices, edit);
        using var _ = Tape.NoGrad();
        var alphas = EditLearningRates.ToFloatArray();
        return new MendEdit(Transform(factors, training: false).Select(t => new LowRankEdit(t.Matrix.Name,
            t.U.ToFloatArray(), t.Delta.ToFloatArray(), (int)t.U.Shape[0], alphas[IndexOf(t.Matrix)], t.Matrix.OutByIn)).ToList());
    }

    private int IndexOf(EditedMatrix m)
    {
        for (int i = 0; i < Matrices.Count; i++)
            if (Matrices[i] == m) return i;
        throw new ArgumentException($"'{m.Name}' is not edited by this MEND editor");
    }
}
