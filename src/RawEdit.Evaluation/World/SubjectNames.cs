using RawEdit.Tensors;
namespace RawEdit.Evaluation.World;

/// <summary>
/// Invents subject names: made-up stems ("Kelvaro", "Droumbane") built from syllables, joined with a first
/// name (people), a company word ("Drovane Foundry"), a model word ("Quelith Prism"), a place word
/// ("Port Sandimar") or a title pattern ("The Road to Velmora").
/// </summary>
/// <remarks>
/// Every stem is used once in the whole world, so no name sits inside another. Names never end in "s",
/// so the templates' "{}'s" reads naturally. Names that would be a prefix of another (or have one as a
/// prefix) are drawn again: a prompt about one subject must never spell the start of another's name.
/// </remarks>
internal sealed class SubjectNames
{
    private static readonly string[] Onsets =
    [
        "B", "Br", "C", "Cr", "D", "Dr", "F", "G", "Gr", "H", "K", "Kr", "L", "M", "N",
        "P", "Pr", "Qu", "R", "S", "St", "T", "Tr", "V", "Vr", "Z", "Th", "Sh", "Y", "W",
    ];

    private static readonly string[] Vowels = ["a", "e", "i", "o", "u", "ae", "ei", "ou"];

    private static readonly string[] Middles = ["l", "r", "n", "m", "v", "th", "sk", "nd", "rk", "lv", "st", "ld", "rv", "mb", "ng"];

    private static readonly string[] InnerVowels = ["a", "e", "i", "o", "ia", "u"];

    private static readonly string[] StemEndings =
    [
        "ra", "ro", "wick", "holt", "ane", "ell", "ard", "ith", "or", "en",
        "mar", "dor", "ine", "ova", "eth", "und", "ar", "on", "el", "ath",
    ];

    private static readonly string[] FirstNameEndings = ["a", "o", "ia", "en", "el", "ine", "an", "ik", "or", "e"];

    private static readonly string[] CompanyWords =
    [
        "Group", "Foundry", "Corporation", "Company", "Limited", "Electric",
        "Forge", "Consortium", "Trading", "Engineering", "Motor", "Holding",
    ];

    private static readonly string[] ModelWords =
    [
        "Nova", "Pulse", "Vector", "Orbit", "Glide", "Spark", "Echo",
        "Prism", "Falcon", "Summit", "Comet", "Arrow", "Ranger", "Drift",
    ];

    private static readonly string[] PlacePatterns =
    [
        "{0} Valley", "{0} Coast", "North {0}", "South {0}", "Upper {0}",
        "New {0}", "{0} Isle", "Port {0}", "{0} Plain", "Lake {0}",
    ];

    private static readonly string[] WorkPatterns =
    [
        "The {0} Affair", "{0} Rising", "Beyond {0}", "The Lantern of {0}", "Winter in {0}",
        "The {0} Inheritance", "A Song for {0}", "The Road to {0}", "Letters from {0}", "The Last Summer in {0}",
    ];

    private const int FirstNamePoolSize = 150;
    private const int MaxDrawsPerName = 10_000;

    private readonly ulong _seed;
    private readonly HashSet<string> _usedWords = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];

    public SubjectNames(ulong seed) => _seed = seed;

    /// <summary>Names for <paramref name="count"/> subjects of one kind, all new to this generator.</summary>
    public IReadOnlyList<string> Draw(SubjectKind kind, int count)
    {
        var rng = SplitMix64.ForStream(_seed, "names/" + kind);
        IReadOnlyList<string> firstNames = kind == SubjectKind.Person ? DrawFirstNames() : [];
        var drawn = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            for (int attempt = 0; ; attempt++)
            {
                if (attempt == MaxDrawsPerName)
                    throw new InvalidOperationException($"Could not invent {count} distinct {kind} names; ask for fewer subjects.");
                string stem = Stem(rng);
                if (!_usedWords.Add(stem))
                    continue;
                string name = Compose(kind, stem, firstNames, rng);
                if (name.EndsWith('s') || ClashesWithAName(name))
                    continue;
                _names.Add(name);
                drawn.Add(name);
                break;
            }
        }
        return drawn;
    }

    private string Compose(SubjectKind kind, string stem, IReadOnlyList<string> firstNames, SplitMix64 rng) => kind switch
    {
        SubjectKind.Person => rng.Pick(firstNames) + " " + stem,
        SubjectKind.Company => stem + " " + rng.Pick(CompanyWords),
        SubjectKind.Product => stem + " " + rng.Pick(ModelWords),
        SubjectKind.Place => string.Format(rng.Pick(PlacePatterns), stem),
        SubjectKind.Work => string.Format(rng.Pick(WorkPatterns), stem),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>A pool of invented first names that people share, as real people share first names.</summary>
    private List<string> DrawFirstNames()
    {
        var rng = SplitMix64.ForStream(_seed, "names/first");
        var pool = new List<string>(FirstNamePoolSize);
        while (pool.Count < FirstNamePoolSize)
        {
            string name = rng.Pick(Onsets) + rng.Pick(Vowels) + rng.Pick(Middles) + rng.Pick(FirstNameEndings);
            if (_usedWords.Add(name))
                pool.Add(name);
        }
        return pool;
    }

    /// <summary>Two or three syllables; an ending that starts with a vowel follows the middle consonants directly.</summary>
    private static string Stem(SplitMix64 rng)
    {
        string start = rng.Pick(Onsets) + rng.Pick(Vowels) + rng.Pick(Middles);
        string ending = rng.Pick(StemEndings);
        return "aeiou".Contains(ending[0]) ? start + ending : start + rng.Pick(InnerVowels) + ending;
    }

    private bool ClashesWithAName(string candidate)
    {
        foreach (string name in _names)
            if (name.StartsWith(candidate, StringComparison.Ordinal) || candidate.StartsWith(name, StringComparison.Ordinal))
                return true;
        return false;
    }
}
