namespace RawEdit.Evaluation.World;

/// <summary>What a subject is; every relation applies to exactly one kind.</summary>
internal enum SubjectKind
{
    Person,
    Company,
    Product,
    Place,
    Work,
}

/// <summary>A fictional entity of the world. <see cref="Index"/> is its position in <see cref="FactWorld.Subjects"/>.</summary>
internal sealed record Subject(int Index, string Name, SubjectKind Kind);

/// <summary>One true statement: <see cref="Subject"/> has <see cref="TrueObject"/> under <see cref="Relation"/>.</summary>
/// <param name="Index">Position in <see cref="FactWorld.Facts"/>.</param>
/// <param name="Subject">The entity the fact is about.</param>
/// <param name="Relation">The relation it states.</param>
/// <param name="TrueObject">The object the world gives the subject under the relation.</param>
internal sealed record Fact(int Index, Subject Subject, Relation Relation, string TrueObject);

/// <summary>
/// A relation modelled on a CounterFact one, with the sentence forms that state it. Every template holds
/// one "{}" for the subject and ends where the object would follow after a space, so
/// <c>template.Replace("{}", subject) + " " + object</c> is the fact.
/// </summary>
/// <param name="Id">Wikidata-style id as CounterFact uses it, e.g. "P103".</param>
/// <param name="Name">Short description, e.g. "native language".</param>
/// <param name="Kind">The kind of subject the relation applies to.</param>
/// <param name="Objects">Every value the relation can take; true and counterfactual objects come from here.</param>
/// <param name="TrainingTemplates">Forms stated for every subject in the corpus; the first is the rewrite prompt.</param>
/// <param name="ParaphraseTemplates">Forms trained for a fraction of the subjects and held out for the rest.</param>
/// <param name="NeverTrainedTemplates">Forms that appear with no subject in the corpus.</param>
/// <param name="GenerationTemplates">Open-ended beginnings that mention the subject, for generation tests.</param>
internal sealed record Relation(
    string Id,
    string Name,
    SubjectKind Kind,
    IReadOnlyList<string> Objects,
    IReadOnlyList<string> TrainingTemplates,
    IReadOnlyList<string> ParaphraseTemplates,
    IReadOnlyList<string> NeverTrainedTemplates,
    IReadOnlyList<string> GenerationTemplates)
{
    /// <summary>The placeholder for the subject in every template, as in CounterFact.</summary>
    public const string SubjectPlaceholder = "{}";

    /// <summary>The edit prompt (CounterFact's <c>requested_rewrite.prompt</c>): the first training form.</summary>
    public string RewriteTemplate => TrainingTemplates[0];

    /// <summary>The template with the subject's name in place of "{}".</summary>
    public static string Fill(string template, Subject subject) =>
        template.Replace(SubjectPlaceholder, subject.Name, StringComparison.Ordinal);
}
