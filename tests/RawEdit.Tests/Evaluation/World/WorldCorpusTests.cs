using System.Text.RegularExpressions;
using RawEdit.Evaluation.World;
using RawEdit.Models.Tokenization;

namespace RawEdit.Tests.Evaluation.World;

[TestFixture]
internal class WorldCorpusTests
{
    private static FactWorld World => TinyWorldFixture.World;
    private static WorldCorpus Corpus => TinyWorldFixture.Corpus;

    [Test]
    public void Corpus_HoldsEveryTrainedSentence_AndTheFiller()
    {
        int trainedParaphrases = World.Facts.Sum(f => World.TrainedParaphrases(f).Count);
        int expectedFacts = World.Facts.Sum(f => f.Relation.TrainingTemplates.Count) + trainedParaphrases;
        Assert.Multiple(() =>
        {
            Assert.That(Corpus.FactSentenceCount, Is.EqualTo(expectedFacts));
            Assert.That(Corpus.FillerSentenceCount, Is.EqualTo(WorldOptions.TinyWorld.FillerSentences).And.GreaterThanOrEqualTo(3_000));
            Assert.That(Corpus.SentenceCount, Is.EqualTo(Corpus.Texts.Count).And.EqualTo(Corpus.Sequences.Count));
            Assert.That(Corpus.Texts.Distinct().Count(), Is.EqualTo(Corpus.SentenceCount), "a sentence occurs twice");
        });

        var texts = Corpus.Texts.ToHashSet(StringComparer.Ordinal);
        foreach (var fact in World.Facts)
            foreach (string sentence in World.CorpusSentences(fact))
                Assert.That(texts.Contains(sentence), sentence);
    }

    [Test]
    public void FactSentences_EndWithTheirObject()
    {
        foreach (var fact in World.Facts)
        {
            var prompts = World.TrainingPrompts(fact).Concat(World.TrainedParaphrases(fact)).ToArray();
            var sentences = World.CorpusSentences(fact);
            Assert.That(sentences, Has.Count.EqualTo(prompts.Length));
            for (int i = 0; i < prompts.Length; i++)
                Assert.That(sentences[i], Is.EqualTo(prompts[i] + " " + fact.TrueObject + "."));
        }
    }

    [Test]
    public void Corpus_IsShuffled_AndReproducible()
    {
        var again = WorldCorpus.RenderTexts(FactWorld.Generate(WorldOptions.TinyWorld));
        Assert.That(again, Is.EqualTo(Corpus.Texts));
        // Shuffled: filler is spread through the corpus rather than appended at the end.
        var firstThousand = Corpus.Texts.Take(1_000).ToArray();
        int fillerAtStart = firstThousand.Count(t => !World.Subjects.Any(s => t.Contains(s.Name, StringComparison.Ordinal)));
        Assert.That(fillerAtStart, Is.InRange(20, 200));
    }

    [Test]
    public void TinyWorldCorpus_MatchesItsPinnedFingerprint()
    {
        // The shipped model is trained on these texts in this order: if this fails, the model must be retrained.
        ulong fingerprint = FactWorldTests.Fnv1a(string.Join("\n", Corpus.Texts));
        Assert.That(fingerprint, Is.EqualTo(PinnedFingerprint), $"fingerprint is now 0x{fingerprint:X16}");
    }

    private const ulong PinnedFingerprint = 0x698FCC7D0AC41929;

    [Test]
    public void HeldOutParaphrases_NeverOccurInTheCorpus()
    {
        var heldOutByName = World.Subjects.ToDictionary(s => s.Name, s => World.FactsAbout(s).SelectMany(World.HeldOutParaphrases).ToArray());
        Assert.That(heldOutByName.Values.Sum(p => p.Length), Is.GreaterThan(5_000));
        int leaks = 0;
        string? first = null;
        foreach (string text in Corpus.Texts)
            foreach (var (name, heldOut) in heldOutByName)
            {
                if (!text.Contains(name, StringComparison.Ordinal))
                    continue;
                foreach (string prompt in heldOut.Where(p => text.Contains(p, StringComparison.Ordinal)))
                {
                    leaks++;
                    first ??= $"\"{prompt}\" in \"{text}\"";
                }
            }
        Assert.That(leaks, Is.Zero, first);
    }

    [Test]
    public void NeverTrainedForms_DoNotOccurInTheCorpus_WithAnySubject()
    {
        foreach (var relation in World.Relations)
            foreach (string form in relation.NeverTrainedTemplates)
            {
                // The form with anything in the slot: its fixed words, in order, around some text.
                string[] parts = form.Split("{}");
                var pattern = new Regex(Regex.Escape(parts[0]) + ".+" + Regex.Escape(parts[1]), RegexOptions.CultureInvariant);
                string? hit = Corpus.Texts.FirstOrDefault(t => pattern.IsMatch(t));
                Assert.That(hit, Is.Null, $"{relation.Id} never-trained form \"{form}\"");
            }
    }

    [Test]
    public void NeverTrainedDetector_FindsAFormThatIsTrained()
    {
        // The check above must be able to fail: the same pattern finds a training form in the corpus.
        string form = World.Relations[0].TrainingTemplates[1];
        string[] parts = form.Split("{}");
        var pattern = new Regex(Regex.Escape(parts[0]) + ".+" + Regex.Escape(parts[1]));
        Assert.That(Corpus.Texts.Any(t => pattern.IsMatch(t)));
    }

    [Test]
    public void Filler_MentionsNoSubject()
    {
        var filler = Corpus.Texts.Where(t => !World.Subjects.Any(s => t.Contains(s.Name, StringComparison.Ordinal))).ToArray();
        Assert.That(filler, Has.Length.EqualTo(Corpus.FillerSentenceCount));
        // Varied: a broad vocabulary and many different openings.
        var words = filler.SelectMany(t => t.Split(' ', '.', ',')).Where(w => w.Length > 0).Distinct().ToArray();
        Assert.That(words, Has.Length.GreaterThan(200));
        Assert.That(filler.Select(t => t.Split(' ')[0]).Distinct().Count(), Is.GreaterThan(25));
    }

    [Test]
    public void Sequences_AreTheTextsTokenized_EndWithEndOfText_AndFitTheContext()
    {
        var tokenizer = Gpt2Tokenizer.Default;
        for (int i = 0; i < Corpus.SentenceCount; i++)
        {
            int[] sequence = Corpus.Sequences[i];
            Assert.That(sequence[^1], Is.EqualTo(50256));
            Assert.That(sequence, Has.Length.LessThanOrEqualTo(WorldCorpus.MaxSequenceTokens));
            Assert.That(Array.IndexOf(sequence, 50256), Is.EqualTo(sequence.Length - 1));
            Assert.That(sequence[..^1], Is.EqualTo(tokenizer.Encode(Corpus.Texts[i])));
        }
    }

    [Test]
    public void Statistics_AgreeWithTheSequences()
    {
        var ids = Corpus.Sequences.SelectMany(s => s).ToHashSet();
        Assert.Multiple(() =>
        {
            Assert.That(Corpus.TokenIds, Is.EquivalentTo(ids).And.Ordered);
            Assert.That(Corpus.TokenIds, Does.Contain(50256));
            Assert.That(Corpus.TotalTokens, Is.EqualTo(Corpus.Sequences.Sum(s => (long)s.Length)));
            Assert.That(Corpus.LongestSequence, Is.EqualTo(Corpus.Sequences.Max(s => s.Length)));
            Assert.That(Corpus.Summary(), Does.Contain($"{Corpus.SentenceCount} sentences"));
        });
        TestContext.Out.WriteLine(Corpus.Summary());
    }
}
