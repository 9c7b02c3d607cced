namespace RawEdit.Evaluation.CounterFact;

/// <summary>
/// One prompt scored with both answers: NllNew and NllTrue are the mean per-token NLLs of " " + TargetNew and
/// " " + the true answer (the edit's TargetTrue, or a neighbourhood prompt's own TrueAnswer).
/// NewAllArgmax / TrueAllArgmax are MEMIT's "correct" flags (every token of that answer is the argmax).
/// </summary>
/// <param name="Prompt">The prompt as the model saw it.</param>
/// <param name="NllNew">Mean per-token NLL of " " + the new answer.</param>
/// <param name="NllTrue">Mean per-token NLL of " " + the true answer.</param>
/// <param name="NewAllArgmax">Every token of the new answer is the model's argmax.</param>
/// <param name="TrueAllArgmax">Every token of the true answer is the model's argmax.</param>
public sealed record PromptComparison(string Prompt, double NllNew, double NllTrue, bool NewAllArgmax, bool TrueAllArgmax)
{
    /// <summary>The new answer is more likely: NLL_new &lt; NLL_true (ES and PS count this).</summary>
    public bool PrefersNew => NllNew < NllTrue;

    /// <summary>The true answer is more likely: NLL_true &lt; NLL_new (NS counts this; ties count for neither).</summary>
    public bool PrefersTrue => NllTrue < NllNew;

    /// <summary>e^{−NLL_new} − e^{−NLL_true}: the margin of EM and PM (NM uses its negation).</summary>
    public double NewMargin => Math.Exp(-NllNew) - Math.Exp(-NllTrue);
}

/// <summary>The CounterFact comparisons of one edit case, grouped by the kind of prompt.</summary>
/// <param name="CaseId">The case's id.</param>
/// <param name="Rewrite">The rewrite prompt (ES).</param>
/// <param name="Paraphrase">The paraphrase prompts (PS).</param>
/// <param name="Neighborhood">The neighbourhood prompts (NS).</param>
public sealed record CounterFactCaseResult(
    string CaseId,
    IReadOnlyList<PromptComparison> Rewrite,
    IReadOnlyList<PromptComparison> Paraphrase,
    IReadOnlyList<PromptComparison> Neighborhood);
