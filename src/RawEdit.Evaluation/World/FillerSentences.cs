using RawEdit.Tensors;
using static RawEdit.Evaluation.World.FillerWords;

namespace RawEdit.Evaluation.World;

/// <summary>
/// Ordinary English the corpus mixes with the facts so the model keeps modelling language: weather, daily
/// life, counting and sums, short stories. Built from patterns over <see cref="FillerWords"/>; no sentence
/// mentions a subject or states a relation, so none teaches or contradicts a fact.
/// </summary>
internal static class FillerSentences
{
    private const int MaxDrawsPerSentence = 1_000;

    private static readonly Func<SplitMix64, string>[] Patterns =
    [
        r => $"On {Pick(r, Days)} {Pick(r, TimesOfDay)} it was {Pick(r, WeatherAdjectives)}, so {Pick(r, People)} stayed at home and read {A(Pick(r, Colours))} book.",
        r => $"{Pick(r, People)} walked to {Pick(r, Places)} and bought {Count(r, 2, 12)} {Pick(r, Foods)}.",
        r => Sum(r),
        r => Product(r),
        r => $"There are {Count(r, 2, 20)} {Pick(r, AnimalsPlural)} in the field behind the old farm.",
        r => $"{Pick(r, People)} keeps {A(Pick(r, Colours))} {Pick(r, Things)} on the kitchen table.",
        r => $"The {Pick(r, Animals)} slept under the {Pick(r, Trees)} all {Pick(r, TimesOfDay)}.",
        r => Meeting(r),
        r => $"The {Pick(r, WeatherNouns)} stopped after {Count(r, 2, 12)} hours, and the streets were quiet again.",
        r => $"Every {Pick(r, Days)}, {Pick(r, People)} cooks {Pick(r, Dishes)} for the whole family.",
        r => LostAndFound(r),
        r => $"A cup of {Pick(r, Drinks)} is nice when the weather is {Pick(r, WeatherAdjectives)}.",
        r => TwoColours(r),
        r => $"{Pick(r, People)} counted {Count(r, 2, 20)} {Pick(r, AnimalsPlural)} on the way to {Pick(r, Places)}.",
        r => $"After the {Pick(r, WeatherNouns)}, {Pick(r, People)} went to {Pick(r, Places)} with {A(Pick(r, Colours))} umbrella.",
        r => NextDay(r),
        r => $"{Pick(r, People)} planted {Count(r, 2, 20)} {Pick(r, Plants)} in the garden in early {Pick(r, Months)}.",
        r => $"The bus to {Pick(r, Places)} leaves at {r.NextInt(12) + 1} o'clock in the {Pick(r, TimesOfDay)}.",
        r => $"In {Pick(r, Months)} the {Pick(r, Trees)} near {Pick(r, Places)} looks beautiful.",
        r => $"{Pick(r, People)} felt {Pick(r, Feelings)} after a long day and went to bed early.",
        r => $"On {Pick(r, Days)}, {Pick(r, People)} {Pick(r, Chores)} and then had {Pick(r, Dishes)} for lunch.",
        r => $"The little {Pick(r, Animals)} followed {Pick(r, People)} all the way to {Pick(r, Places)}.",
        r => Subtraction(r),
        r => $"{Pick(r, People)} likes to drink {Pick(r, Drinks)} in the {Pick(r, TimesOfDay)} while the house is still quiet.",
        r => Story(r),
        r => $"Yesterday the sky over {Pick(r, Places)} was {Pick(r, WeatherAdjectives)}, and tomorrow may bring {Pick(r, WeatherNouns)}.",
        r => $"It takes {Count(r, 2, 20)} minutes to walk from {Pick(r, Places)} to {Pick(r, Places)}.",
        r => $"When the {Pick(r, WeatherNouns)} came, the {Pick(r, AnimalsPlural)} hid in the barn.",
        r => $"My neighbour {Pick(r, People)} bakes {Pick(r, Bakes)} every {Pick(r, Days)}.",
        r => $"Most {Pick(r, TimesOfDay)}s {Pick(r, People)} sits by the window with {A(Pick(r, Colours))} {Pick(r, Things)}.",
        r => $"On {Pick(r, Days)}, the whole family {Pick(r, Chores)} together.",
    ];

    /// <summary><paramref name="count"/> distinct filler sentences, fixed by <paramref name="seed"/>.</summary>
    public static IReadOnlyList<string> Generate(int count, ulong seed)
    {
        var rng = SplitMix64.ForStream(seed, "filler");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var sentences = new List<string>(count);
        int draws = 0;
        while (sentences.Count < count)
        {
            if (++draws > MaxDrawsPerSentence * Math.Max(count, 1))
                throw new InvalidOperationException($"Could not write {count} distinct filler sentences.");
            string sentence = Patterns[rng.NextInt(Patterns.Length)](rng);
            if (seen.Add(sentence))
                sentences.Add(sentence);
        }
        return sentences;
    }

    private static string Pick(SplitMix64 rng, string[] words) => rng.Pick(words);

    private static string Count(SplitMix64 rng, int min, int max) => Numbers[min + rng.NextInt(max - min + 1)];

    /// <summary>The word with its indefinite article: "a red", "an orange".</summary>
    private static string A(string word) => ("aeiou".Contains(word[0]) ? "an " : "a ") + word;

    private static string Capitalised(string word) => char.ToUpperInvariant(word[0]) + word[1..];

    private static string Sum(SplitMix64 rng)
    {
        int a = rng.NextInt(11), b = rng.NextInt(11);
        return $"{Capitalised(Numbers[a])} plus {Numbers[b]} makes {Numbers[a + b]}.";
    }

    private static string Product(SplitMix64 rng)
    {
        int a = 2 + rng.NextInt(4);
        int b = 2 + rng.NextInt((Numbers.Length - 1) / a - 1); // a * b stays within twenty
        return $"{Capitalised(Numbers[a])} times {Numbers[b]} is {Numbers[a * b]}.";
    }

    private static string Subtraction(SplitMix64 rng)
    {
        int a = 1 + rng.NextInt(20), b = rng.NextInt(a + 1);
        return $"If you take {Numbers[b]} away from {Numbers[a]}, you have {Numbers[a - b]} left.";
    }

    private static string NextDay(SplitMix64 rng)
    {
        int day = rng.NextInt(Days.Length);
        return $"A week has seven days, and {Days[(day + 1) % Days.Length]} comes after {Days[day]}.";
    }

    private static string Meeting(SplitMix64 rng)
    {
        var (first, second) = TwoPeople(rng);
        return $"{first} and {second} met at {Pick(rng, Places)} in the {Pick(rng, TimesOfDay)} and talked about the {Pick(rng, WeatherNouns)}.";
    }

    private static string LostAndFound(SplitMix64 rng)
    {
        var (first, second) = TwoPeople(rng);
        string thing = $"{A(Pick(rng, Colours))} {Pick(rng, Things)}";
        return $"{first} lost {thing} at {Pick(rng, Places)}. Later that {Pick(rng, TimesOfDay)}, {second} found it and gave it back.";
    }

    private static string TwoColours(SplitMix64 rng)
    {
        int a = rng.NextInt(Colours.Length), b = (a + 1 + rng.NextInt(Colours.Length - 1)) % Colours.Length;
        return $"The {Pick(rng, Things)} on the shelf is {Colours[a]}, and the one beside it is {Colours[b]}.";
    }

    private static string Story(SplitMix64 rng)
    {
        var (first, second) = TwoPeople(rng);
        return $"One {Pick(rng, WeatherAdjectives)} {Pick(rng, Days)}, {first} took the {Pick(rng, Animals)} to {Pick(rng, Places)}. " +
               $"{second} came along, and they were home before dark.";
    }

    private static (string First, string Second) TwoPeople(SplitMix64 rng)
    {
        int a = rng.NextInt(People.Length), b = (a + 1 + rng.NextInt(People.Length - 1)) % People.Length;
        return (People[a], People[b]);
    }
}
