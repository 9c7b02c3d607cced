using System.Text.Json.Serialization;

namespace RawEdit.Evaluation.World;

/// <summary>One edit case in the upstream CounterFact JSON form (ROME's <c>counterfact.json</c>).</summary>
internal sealed record CounterFactRecord(
    [property: JsonPropertyName("case_id")] int CaseId,
    [property: JsonPropertyName("pararel_idx")] int PararelIdx,
    [property: JsonPropertyName("requested_rewrite")] CounterFactRewrite RequestedRewrite,
    [property: JsonPropertyName("paraphrase_prompts")] IReadOnlyList<string> ParaphrasePrompts,
    [property: JsonPropertyName("neighborhood_prompts")] IReadOnlyList<string> NeighborhoodPrompts,
    [property: JsonPropertyName("attribute_prompts")] IReadOnlyList<string> AttributePrompts,
    [property: JsonPropertyName("generation_prompts")] IReadOnlyList<string> GenerationPrompts);

/// <summary>
/// The edit itself. <see cref="Prompt"/> holds "{}" where the subject goes; targets are stored without the
/// leading space, which the metrics add.
/// </summary>
internal sealed record CounterFactRewrite(
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("relation_id")] string RelationId,
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("target_new")] CounterFactTarget TargetNew,
    [property: JsonPropertyName("target_true")] CounterFactTarget TargetTrue);

/// <summary>An object and its Wikidata-style id ("Q…"); here the ids are the world's own.</summary>
internal sealed record CounterFactTarget(
    [property: JsonPropertyName("str")] string Str,
    [property: JsonPropertyName("id")] string Id);
