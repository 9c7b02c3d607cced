using RawEdit.Evaluation.World;
using RawEdit.Models.Tokenization;

namespace RawEdit.Tests.Evaluation.World;

[TestFixture]
internal class FactWorldTests
{
    private static FactWorld World => TinyWorldFixture.World;

    [Test]
    public void SameSeed_GivesTheSameWorld_AnotherSeedDoesNot()
    {
        var again = FactWorld.Generate(WorldOptions.TinyWorld);
        Assert.That(Describe(again), Is.EqualTo(Describe(World)));

        var other = FactWorld.Generate(WorldOptions.TinyWorld with { Seed = WorldOptions.TinyWorld.Seed + 1 });
        Assert.That(other.Subjects.Select(s => s.Name), Is.Not.EqualTo(World.Subjects.Select(s => s.Name)));
        Assert.That(other.Facts.Select(f => f.TrueObject), Is.Not.EqualTo(World.Facts.Select(f => f.TrueObject)));
    }

    [Test]
    public void TinyWorld_MatchesItsPinnedFingerprint()
    {
        // The shipped model is trained on this world: if this fails, the world changed and the model must be retrained.
        Assert.That(World.Subjects[0].Name, Is.EqualTo(PinnedFirstName));
        Assert.That(Fnv1a(Describe(World)), Is.EqualTo(PinnedFingerprint),
            $"fingerprint is now 0x{Fnv1a(Describe(World)):X16}");
    }

    [Test]
    public void TinyWorld_HasTheGuideSizes()
    {
        var perKind = World.Subjects.GroupBy(s => s.Kind).ToDictionary(g => g.Key, g => g.Count());
        Assert.Multiple(() =>
        {
            Assert.That(World.Subjects, Has.Count.GreaterThanOrEqualTo(1_000));
            Assert.That(perKind.Keys, Is.EquivalentTo(Enum.GetValues<SubjectKind>()));
            Assert.That(World.Relations, Has.Count.GreaterThanOrEqualTo(10));
            Assert.That(World.Facts, Has.Count.GreaterThanOrEqualTo(5_000));
            Assert.That(World.Relations.Select(r => r.Id).Distinct().Count(), Is.EqualTo(World.Relations.Count));
            Assert.That(World.Relations.Select(r => r.Kind).Distinct(), Is.EquivalentTo(Enum.GetValues<SubjectKind>()));
        });
    }

    [Test]
    public void EverySubject_HasOneFactPerRelationOfItsKind()
    {
        foreach (var subject in World.Subjects)
        {
            var expected = World.Relations.Where(r => r.Kind == subject.Kind).Select(r => r.Id);
            Assert.That(World.FactsAbout(subject).Select(f => f.Relation.Id), Is.EqualTo(expected), subject.Name);
        }
        Assert.That(World.Facts.Select((f, i) => f.Index == i).All(x => x));
    }

    [Test]
    public void SubjectNames_AreUnique_MultiToken_AndNoneIsAPrefixOfAnother()
    {
        var tokenizer = Gpt2Tokenizer.Default;
        var names = World.Subjects.Select(s => s.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.That(names.Distinct().Count(), Is.EqualTo(names.Length));
        // In ordinal order a name's extensions follow it directly, so checking neighbours finds every prefix pair.
        for (int i = 1; i < names.Length; i++)
            Assert.That(names[i].StartsWith(names[i - 1], StringComparison.Ordinal), Is.False, $"{names[i - 1]} / {names[i]}");
        foreach (string name in names)
        {
            Assert.That(tokenizer.Encode(name), Has.Length.GreaterThanOrEqualTo(2), name);
            Assert.That(tokenizer.Encode(" " + name), Has.Length.GreaterThanOrEqualTo(2), name);
            Assert.That(name, Does.Not.EndWith("s").And.Not.Contain("{").And.Not.Contain("  "));
        }
    }

    [Test]
    public void Relations_HaveEnoughFormsAndObjects_AndEveryTemplateHasOneSlot()
    {
        foreach (var relation in World.Relations)
        {
            Assert.Multiple(() =>
            {
                Assert.That(relation.TrainingTemplates, Has.Count.GreaterThanOrEqualTo(4), relation.Id);
                Assert.That(relation.ParaphraseTemplates, Has.Count.EqualTo(2), relation.Id);
                Assert.That(relation.NeverTrainedTemplates, Has.Count.GreaterThanOrEqualTo(1), relation.Id);
                Assert.That(relation.GenerationTemplates, Has.Count.GreaterThanOrEqualTo(1), relation.Id);
                Assert.That(relation.Objects, Has.Count.GreaterThanOrEqualTo(8), relation.Id);
                Assert.That(relation.Objects.Distinct().Count(), Is.EqualTo(relation.Objects.Count), relation.Id);
                Assert.That(relation.Objects, Has.None.StartWith(" ").And.None.EndWith(" "), relation.Id);
            });
            var forms = relation.TrainingTemplates.Concat(relation.ParaphraseTemplates)
                .Concat(relation.NeverTrainedTemplates).Concat(relation.GenerationTemplates).ToArray();
            Assert.That(forms.Distinct().Count(), Is.EqualTo(forms.Length), $"{relation.Id} repeats a form");
            foreach (string form in forms)
            {
                int first = form.IndexOf("{}", StringComparison.Ordinal);
                Assert.That(first >= 0 && form.IndexOf("{}", first + 1, StringComparison.Ordinal) < 0, $"{relation.Id}: \"{form}\"");
                Assert.That(form, Does.Not.EndWith(" ").And.Not.EndWith("."), $"{relation.Id}: \"{form}\"");
            }
        }
    }

    [Test]
    public void Prompts_FillTheSubjectAndLeaveTheObjectOut()
    {
        foreach (var fact in World.Facts)
        {
            var prompts = World.TrainingPrompts(fact).Concat(World.HeldOutParaphrases(fact)).Concat(World.TrainedParaphrases(fact))
                .Concat(World.NeverTrainedPrompts(fact)).Concat(World.GenerationPrompts(fact)).Append(World.RewritePrompt(fact));
            foreach (string prompt in prompts)
            {
                Assert.That(prompt, Does.Contain(fact.Subject.Name).And.Not.Contain("{}"));
                Assert.That(prompt.EndsWith(" " + fact.TrueObject, StringComparison.Ordinal), Is.False, prompt);
            }
            Assert.That(World.RewritePrompt(fact), Is.EqualTo(World.TrainingPrompts(fact)[0]));
            Assert.That(World.FactAbout(fact.Subject, fact.Relation), Is.SameAs(fact));
        }
    }

    [Test]
    public void TrueObjects_AreBalancedOverEachRelationsObjects()
    {
        foreach (var relation in World.Relations)
        {
            var counts = relation.Objects.Select(o => World.FactsWithObject(relation, o).Count).ToArray();
            Assert.That(counts.Max() - counts.Min(), Is.LessThanOrEqualTo(1), relation.Id);
            Assert.That(counts.Sum(), Is.EqualTo(World.Facts.Count(f => f.Relation == relation)), relation.Id);
        }
    }

    [Test]
    public void Counterfactuals_AreOtherObjectsOfTheSameRelation()
    {
        foreach (var fact in World.Facts)
        {
            string target = World.CounterfactualObject(fact);
            Assert.That(target, Is.Not.EqualTo(fact.TrueObject));
            Assert.That(fact.Relation.Objects, Does.Contain(target));
        }
        // Every other object gets drawn somewhere, so the targets are not one fixed substitute.
        foreach (var relation in World.Relations)
            Assert.That(World.Facts.Where(f => f.Relation == relation).Select(World.CounterfactualObject).Distinct().Count(),
                Is.EqualTo(relation.Objects.Count), relation.Id);
    }

    [Test]
    public void HeldOutParaphrases_CoverTheUntrainedShareOfEachRelation()
    {
        foreach (var relation in World.Relations)
        {
            var facts = World.Facts.Where(f => f.Relation == relation).ToArray();
            int trained = facts.Count(World.ParaphrasesTrained);
            Assert.That(trained, Is.EqualTo((int)Math.Round(facts.Length * WorldOptions.TinyWorld.ParaphraseTrainFraction, MidpointRounding.AwayFromZero)), relation.Id);
            foreach (var fact in facts)
            {
                var heldOut = World.HeldOutParaphrases(fact);
                var trainedForms = World.TrainedParaphrases(fact);
                Assert.That(heldOut.Count + trainedForms.Count, Is.EqualTo(relation.ParaphraseTemplates.Count));
                Assert.That(heldOut, Has.Count.EqualTo(World.ParaphrasesTrained(fact) ? 0 : 2));
                Assert.That(World.HeldOutParaphraseForms(fact).Select(j => Relation.Fill(relation.ParaphraseTemplates[j], fact.Subject)),
                    Is.EqualTo(heldOut));
            }
        }
        // The split is drawn per relation: some people are held out for one relation and trained for another.
        var person = World.Subjects.FirstOrDefault(s => s.Kind == SubjectKind.Person &&
            World.FactsAbout(s).Select(World.ParaphrasesTrained).Distinct().Count() == 2);
        Assert.That(person, Is.Not.Null);
    }

    [Test]
    public void Options_AreValidated()
    {
        Assert.Throws<ArgumentException>(() => FactWorld.Generate(WorldOptions.TinyWorld with { People = -1 }));
        Assert.Throws<ArgumentException>(() => FactWorld.Generate(WorldOptions.TinyWorld with { ParaphraseTrainFraction = 1.5 }));
        Assert.Throws<ArgumentException>(() => FactWorld.Generate(WorldOptions.TinyWorld with { FillerSentences = -3 }));
        Assert.Throws<KeyNotFoundException>(() => World.GetRelation("P9999"));
    }

    [Test]
    public void SmallerWorld_ScalesTheCounts()
    {
        var small = FactWorld.Generate(new WorldOptions { Seed = 5, People = 30, Companies = 10, Products = 0, Places = 10, Works = 10, ParaphraseTrainFraction = 0 });
        Assert.That(small.Subjects, Has.Count.EqualTo(60));
        Assert.That(small.Facts.Where(f => f.Relation.Kind == SubjectKind.Product), Is.Empty);
        Assert.That(small.Facts.Select(f => small.HeldOutParaphrases(f).Count), Has.All.EqualTo(2));
    }

    private const string PinnedFirstName = "Peirve Kreinova";
    private const ulong PinnedFingerprint = 0x55694F4BF3A1CD31;

    /// <summary>Everything the world decides, one line per subject and fact.</summary>
    private static string Describe(FactWorld world) => string.Join("\n",
        world.Subjects.Select(s => $"{s.Index} {s.Kind} {s.Name}").Concat(world.Facts.Select(f =>
            $"{f.Index} {f.Relation.Id} {f.Subject.Index} {f.TrueObject} {world.CounterfactualObject(f)} {world.ParaphrasesTrained(f)}")));

    /// <summary>64-bit FNV-1a over the UTF-16 code units; fixed by definition, unlike string.GetHashCode.</summary>
    internal static ulong Fnv1a(string text)
    {
        ulong hash = 0xCBF29CE484222325UL;
        foreach (char c in text)
            hash = (hash ^ c) * 0x100000001B3UL;
        return hash;
    }
}
