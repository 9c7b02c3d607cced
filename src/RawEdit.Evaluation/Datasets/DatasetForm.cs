namespace RawEdit.Evaluation.Datasets;

/// <summary>The JSON layouts <see cref="EditCaseReader"/> understands.</summary>
public enum DatasetForm
{
    /// <summary>ROME's counterfact.json: <c>case_id</c>, <c>requested_rewrite</c> {prompt with {}, subject, target_new.str, target_true.str}, prompt lists.</summary>
    CounterFact,

    /// <summary>EasyEdit's flat CounterFact: <c>prompt</c> containing the subject, <c>ground_truth</c>, <c>rephrase_prompt</c>, <c>locality_prompt</c>, <c>locality_ground_truth</c>.</summary>
    FlatCounterFact,

    /// <summary>MEND's zsRE: <c>subject</c>, <c>src</c>, <c>rephrase</c>, <c>alt</c>, <c>answers</c>, <c>loc</c>, <c>loc_ans</c>.</summary>
    ZsreMend,
}

/// <summary>Which metrics to compute: CounterFact's NLL comparisons or zsRE's token accuracy.</summary>
public enum DatasetKind
{
    /// <summary>CounterFact's efficacy, paraphrase and neighbourhood comparisons of mean NLLs (ES/PS/NS).</summary>
    CounterFact,
    /// <summary>zsRE's token accuracies (efficacy, generalisation, specificity).</summary>
    Zsre,
}
