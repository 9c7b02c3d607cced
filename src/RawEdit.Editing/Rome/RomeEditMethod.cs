using RawEdit.Editing.Requests;
using RawEdit.Editing.Statistics;
using RawEdit.Models;
using RawEdit.Models.Tokenization;

namespace RawEdit.Editing.Rome;

/// <summary>ROME, r-ROME or p-ROME as an <see cref="IEditMethod"/>: one rank-one term on the layer's MLP down projection.</summary>
internal sealed class RomeEditMethod(ICausalLanguageModel model, Gpt2Tokenizer tokenizer, IReadOnlyList<string> contextTemplates,
    RomeHyperParameters hparams, RomeMode mode, SecondMoment secondMoment) : IEditMethod
{
    public string Name => mode switch { RomeMode.Rome => "rome", RomeMode.RRome => "r-rome", _ => "p-rome" };

    public IReadOnlyList<string> EditedWeights { get; } = [model.MlpDownProjection(hparams.Layer).Name];

    public ComputedEdit Compute(EditRequest request, CancellationToken cancellationToken = default)
    {
        var result = RomeEditor.Compute(model, tokenizer, request, contextTemplates, hparams, mode, secondMoment, cancellationToken);
        var figures = new Dictionary<string, double>(RomeDiagnosis.Figures(result))
        {
            ["key_norm"] = result.KeyNorm,
            ["value_norm"] = result.ValueNorm,
            ["delta_norm"] = result.DeltaNorm,
            ["denominator"] = result.Denominator,
            ["adam_steps"] = result.Value.AdamSteps,
            ["loss_first"] = result.Value.LossTrace[0],
            ["loss_last"] = result.Value.LossTrace[^1],
        };
        return new ComputedEdit([result.Edit], figures);
    }
}
