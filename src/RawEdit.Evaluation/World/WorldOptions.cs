namespace RawEdit.Evaluation.World;

/// <summary>
/// Everything that shapes a generated world. The same options give the same world on every machine.
/// <see cref="TinyWorld"/> is the world the shipped model is trained on.
/// </summary>
internal sealed record WorldOptions
{
    public ulong Seed { get; init; } = 20_250_611;

    public int People { get; init; } = 700;
    public int Companies { get; init; } = 150;
    public int Products { get; init; } = 110;
    public int Places { get; init; } = 110;
    public int Works { get; init; } = 110;

    /// <summary>Ordinary sentences mixed into the corpus so the model stays a language model.</summary>
    public int FillerSentences { get; init; } = 3_000;

    /// <summary>
    /// Share of a relation's subjects whose paraphrase forms are trained; for the others every paraphrase
    /// form is held out. The share is drawn per relation, so a subject can be held out for one relation
    /// and trained for another.
    /// </summary>
    public double ParaphraseTrainFraction { get; init; } = 0.5;

    /// <summary>1,180 subjects, 7,300 facts in 22 relations, 3,000 filler sentences.</summary>
    public static WorldOptions TinyWorld { get; } = new();

    public int SubjectCount(SubjectKind kind) => kind switch
    {
        SubjectKind.Person => People,
        SubjectKind.Company => Companies,
        SubjectKind.Product => Products,
        SubjectKind.Place => Places,
        SubjectKind.Work => Works,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <exception cref="ArgumentException">A count is negative or the fraction lies outside [0, 1].</exception>
    public void Validate()
    {
        foreach (var kind in Enum.GetValues<SubjectKind>())
            if (SubjectCount(kind) < 0)
                throw new ArgumentException($"The number of {kind} subjects must not be negative (got {SubjectCount(kind)}).");
        if (FillerSentences < 0)
            throw new ArgumentException($"{nameof(FillerSentences)} must not be negative (got {FillerSentences}).");
        if (!(ParaphraseTrainFraction is >= 0 and <= 1))
            throw new ArgumentException($"{nameof(ParaphraseTrainFraction)} must lie in [0, 1] (got {ParaphraseTrainFraction}).");
    }
}
