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

    /// <summary>Passages of 3–6 generated prose sentences added to the corpus (running text beside the one-line facts).</summary>
    public int ProsePassages { get; init; }

    /// <summary>Share of fact sentences preceded by one or two prose sentences, so facts are also read after a prefix.</summary>
    public double ContextPrefixShare { get; init; }

    /// <summary>No corpus sequence, end-of-text included, may be longer.</summary>
    public int MaxSequenceTokens { get; init; } = 64;

    /// <summary>1,180 subjects, 7,300 facts in 22 relations, 3,000 filler sentences.</summary>
    public static WorldOptions TinyWorld { get; } = new();

    /// <summary>
    /// About twice tiny-world's subjects (2,360; about 14,600 facts in the same 22 relations), 20,000 prose passages and
    /// a third of the fact sentences behind a prose prefix; sequences up to 128 tokens. Another seed, so its names are
    /// not tiny-world's.
    /// </summary>
    public static WorldOptions SmallWorld { get; } = new()
    {
        Seed = 20_260_120, People = 1_400, Companies = 300, Products = 220, Places = 220, Works = 220,
        FillerSentences = 6_000, ProsePassages = 20_000, ContextPrefixShare = 1.0 / 3, MaxSequenceTokens = 128,
    };

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
        if (ProsePassages < 0 || MaxSequenceTokens < 2)
            throw new ArgumentException($"{nameof(ProsePassages)} must not be negative and {nameof(MaxSequenceTokens)} at least 2.");
        if (!(ContextPrefixShare is >= 0 and <= 1))
            throw new ArgumentException($"{nameof(ContextPrefixShare)} must lie in [0, 1] (got {ContextPrefixShare}).");
        if (!(ParaphraseTrainFraction is >= 0 and <= 1))
            throw new ArgumentException($"{nameof(ParaphraseTrainFraction)} must lie in [0, 1] (got {ParaphraseTrainFraction}).");
    }
}
