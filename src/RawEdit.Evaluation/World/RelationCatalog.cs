namespace RawEdit.Evaluation.World;

/// <summary>
/// The relations of the world and their sentence forms, modelled on CounterFact's. Each relation has four
/// training forms, two paraphrase forms (trained for some subjects, held out for the rest), two forms never
/// trained with any subject, and three open-ended generation beginnings.
/// </summary>
/// <remarks>
/// Relations of the smaller kinds take only the first ten or twelve values of a list, so that with the
/// default counts every object is the true object of at least eleven subjects: each edit case then has
/// ten neighbours that share its true object, as in CounterFact.
/// No paraphrase or never-trained form, filled with a subject, may be part of a sentence the corpus states
/// about that subject; the tests check this on the rendered corpus.
/// </remarks>
internal static partial class RelationCatalog
{
    /// <summary>Every relation, people first, in a fixed order (the order of <see cref="FactWorld.Relations"/>).</summary>
    public static IReadOnlyList<Relation> All { get; } = [.. PeopleRelations(), .. OrganisationRelations(), .. PlaceAndWorkRelations()];

    private static Relation Define(
        string id, string name, SubjectKind kind, string[] objects,
        string[] training, string[] paraphrases, string[] neverTrained, string[] generation) =>
        new(id, name, kind, Array.AsReadOnly(objects), Array.AsReadOnly(training), Array.AsReadOnly(paraphrases),
            Array.AsReadOnly(neverTrained), Array.AsReadOnly(generation));
}
