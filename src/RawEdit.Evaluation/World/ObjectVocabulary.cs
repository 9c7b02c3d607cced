namespace RawEdit.Evaluation.World;

/// <summary>
/// The real-world values relations take. Mostly words GPT-2's vocabulary holds as one token after a space,
/// so most targets are a single token; a few (religions, continents) take two or three.
/// </summary>
internal static class ObjectVocabulary
{
    public static readonly string[] Languages =
    [
        "French", "English", "Spanish", "German", "Italian", "Russian",
        "Dutch", "Swedish", "Polish", "Greek", "Portuguese", "Japanese",
    ];

    public static readonly string[] Countries =
    [
        "France", "Germany", "Italy", "Spain", "Canada", "Japan", "Brazil", "Sweden",
        "Norway", "Egypt", "India", "Mexico", "Poland", "Greece", "Australia", "Ireland",
    ];

    public static readonly string[] Cities =
    [
        "Paris", "London", "Berlin", "Madrid", "Rome", "Tokyo", "Chicago",
        "Toronto", "Sydney", "Cairo", "Moscow", "Dublin", "Vienna", "Prague",
    ];

    public static readonly string[] Occupations =
    [
        "actor", "lawyer", "physician", "architect", "journalist", "painter",
        "chemist", "teacher", "diplomat", "banker", "poet", "farmer",
    ];

    public static readonly string[] Sports =
    [
        "football", "basketball", "baseball", "hockey", "tennis",
        "cricket", "rugby", "golf", "volleyball", "boxing",
    ];

    public static readonly string[] Religions =
    [
        "Christianity", "Islam", "Buddhism", "Judaism", "Hinduism", "Sikhism", "Taoism", "Jainism",
    ];

    public static readonly string[] Instruments =
    [
        "piano", "guitar", "violin", "drums", "trumpet", "cello", "flute", "saxophone", "harp", "clarinet",
    ];

    /// <summary>Employers of people and owners of companies.</summary>
    public static readonly string[] Corporations =
    [
        "Google", "Microsoft", "Apple", "IBM", "Intel", "Nokia", "Sony", "Toyota", "Siemens", "Samsung",
    ];

    /// <summary>Makers of products.</summary>
    public static readonly string[] Manufacturers =
    [
        "Toyota", "Honda", "Nokia", "Sony", "Apple", "Samsung", "Fiat", "BMW", "Boeing", "Nissan", "Canon", "Intel",
    ];

    public static readonly string[] Industries =
    [
        "banking", "mining", "software", "shipping", "textiles",
        "insurance", "aviation", "tourism", "publishing", "farming",
    ];

    public static readonly string[] Materials =
    [
        "steel", "glass", "wood", "plastic", "leather", "cotton", "aluminum", "rubber", "copper", "silk",
    ];

    public static readonly string[] Continents =
    [
        "Africa", "Asia", "Europe", "Antarctica", "Oceania", "Australia", "North America", "South America",
    ];

    public static readonly string[] Genres =
    [
        "comedy", "drama", "thriller", "horror", "romance", "fantasy", "mystery", "western", "documentary", "satire",
    ];

    public static readonly string[] Networks =
    [
        "BBC", "NBC", "CBS", "HBO", "ABC", "CNN", "MTV", "Fox", "Netflix", "PBS",
    ];
}
