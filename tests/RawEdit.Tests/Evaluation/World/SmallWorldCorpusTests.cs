using RawEdit.Evaluation.World;
using RawEdit.Models.Tokenization;

namespace RawEdit.Tests.Evaluation.World;

/// <summary>The small-world preset's corpus: prose passages and prose-prefixed facts within the preset's sequence length.</summary>
[TestFixture]
internal class SmallWorldCorpusTests
{
    private static readonly FactWorld World = FactWorld.Generate(WorldOptions.SmallWorld);
    private static readonly WorldCorpus Corpus = WorldCorpus.Render(World, Gpt2Tokenizer.Default);

    [Test]
    public void Sequences_fit_the_presets_positions_and_the_world_is_twice_tiny_world()
    {
        Assert.That(Corpus.LongestSequence, Is.LessThanOrEqualTo(SmallWorldPreset.Model.Positions));
        Assert.That(World.Subjects, Has.Count.EqualTo(2 * FactWorld.Generate(WorldOptions.TinyWorld).Subjects.Count));
        Assert.That(Corpus.FillerSentenceCount, Is.EqualTo(WorldOptions.SmallWorld.FillerSentences + WorldOptions.SmallWorld.ProsePassages));
    }

    [Test]
    public void About_a_third_of_the_fact_sentences_follow_a_prose_prefix_and_no_prose_names_a_subject()
    {
        var factSentences = World.Facts.SelectMany(World.CorpusSentences).ToHashSet(StringComparer.Ordinal);
        var texts = Corpus.Texts;
        int plain = texts.Count(factSentences.Contains);
        int prefixed = Corpus.FactSentenceCount - plain;
        Assert.That(prefixed / (double)Corpus.FactSentenceCount, Is.EqualTo(1.0 / 3).Within(0.01));

        var names = World.Subjects.Select(s => s.Name).ToList();
        // A prefixed fact is prose sentences, then a fact sentence after one of the ". " boundaries.
        bool EndsWithFact(string t) => Enumerable.Range(1, t.Length - 1).Any(i => t[i] == ' ' && t[i - 1] == '.' && factSentences.Contains(t[(i + 1)..]));
        Assert.That(texts.Count(t => !factSentences.Contains(t) && EndsWithFact(t)), Is.EqualTo(prefixed));
        var prose = texts.Where(t => !factSentences.Contains(t) && !EndsWithFact(t)).Take(2_000).ToList();
        Assert.That(prose, Has.Count.EqualTo(2_000));
        Assert.That(prose.Where(p => names.Any(n => p.Contains(n, StringComparison.Ordinal))), Is.Empty);
    }
}
