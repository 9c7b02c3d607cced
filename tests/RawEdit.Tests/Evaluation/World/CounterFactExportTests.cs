using System.Text.Json;
using RawEdit.Evaluation.World;

namespace RawEdit.Tests.Evaluation.World;

[TestFixture]
internal class CounterFactExportTests
{
    private static FactWorld World => TinyWorldFixture.World;
    private static IReadOnlyList<CounterFactRecord> Cases => TinyWorldFixture.Cases;

    [Test]
    public void Export_HasOneCasePerFactWithHeldOutParaphrases()
    {
        Assert.That(Cases, Has.Count.EqualTo(World.Facts.Count(f => !World.ParaphrasesTrained(f))));
        Assert.That(Cases.Select(c => c.CaseId), Is.EqualTo(Enumerable.Range(0, Cases.Count)));
        Assert.That(Cases.Select(c => c.PararelIdx).Distinct().Count(), Is.EqualTo(Cases.Count));
    }

    [Test]
    public void Cases_DescribeTheirFact()
    {
        foreach (var record in Cases)
        {
            var fact = World.Facts[record.PararelIdx];
            var rewrite = record.RequestedRewrite;
            Assert.Multiple(() =>
            {
                Assert.That(rewrite.Subject, Is.EqualTo(fact.Subject.Name));
                Assert.That(rewrite.RelationId, Is.EqualTo(fact.Relation.Id));
                Assert.That(rewrite.Prompt, Is.EqualTo(fact.Relation.RewriteTemplate).And.Contain("{}").And.Not.Contain(fact.Subject.Name));
                Assert.That(rewrite.Prompt.Replace("{}", rewrite.Subject), Is.EqualTo(World.RewritePrompt(fact)));
                Assert.That(rewrite.TargetTrue.Str, Is.EqualTo(fact.TrueObject));
                Assert.That(rewrite.TargetNew.Str, Is.Not.EqualTo(rewrite.TargetTrue.Str).And.EqualTo(World.CounterfactualObject(fact)));
                Assert.That(rewrite.TargetNew.Str, Does.Not.StartWith(" "));
                Assert.That(rewrite.TargetNew.Id, Does.Match("^Q[0-9]+$").And.Not.EqualTo(rewrite.TargetTrue.Id));
                Assert.That(record.ParaphrasePrompts, Is.EqualTo(World.HeldOutParaphrases(fact)).And.Count.EqualTo(2));
                Assert.That(record.GenerationPrompts, Is.EqualTo(World.GenerationPrompts(fact)));
            });
        }
    }

    [Test]
    public void NeighbourhoodPrompts_NameOtherSubjectsWithTheSameTrueObject()
    {
        foreach (var record in Cases)
        {
            var fact = World.Facts[record.PararelIdx];
            int available = World.FactsWithObject(fact.Relation, fact.TrueObject).Count - 1;
            Assert.That(record.NeighborhoodPrompts, Has.Count.EqualTo(Math.Min(CounterFactExport.PromptsPerList, available)));
            Assert.That(record.NeighborhoodPrompts, Is.Unique);
            foreach (string prompt in record.NeighborhoodPrompts)
            {
                var other = TinyWorldFixture.SubjectOfPrompt(World, fact.Relation.RewriteTemplate, prompt);
                Assert.That(other, Is.Not.Null, prompt);
                Assert.That(other, Is.Not.EqualTo(fact.Subject), prompt);
                Assert.That(World.FactAbout(other!, fact.Relation).TrueObject, Is.EqualTo(fact.TrueObject), prompt);
            }
        }
        Assert.That(Cases.Min(c => c.NeighborhoodPrompts.Count), Is.EqualTo(CounterFactExport.PromptsPerList));
    }

    [Test]
    public void AttributePrompts_NameSubjectsWhoseTrueObjectIsTheNewTarget()
    {
        foreach (var record in Cases)
        {
            var fact = World.Facts[record.PararelIdx];
            Assert.That(record.AttributePrompts, Is.Not.Empty.And.Unique);
            foreach (string prompt in record.AttributePrompts)
            {
                var other = TinyWorldFixture.SubjectOfPrompt(World, fact.Relation.RewriteTemplate, prompt);
                Assert.That(other, Is.Not.Null, prompt);
                Assert.That(World.FactAbout(other!, fact.Relation).TrueObject, Is.EqualTo(record.RequestedRewrite.TargetNew.Str), prompt);
            }
        }
    }

    [Test]
    public void ObjectIds_AreOnePerObject()
    {
        var pairs = Cases.SelectMany(c => new[] { c.RequestedRewrite.TargetNew, c.RequestedRewrite.TargetTrue }).Distinct().ToArray();
        Assert.That(pairs.Select(p => p.Str).Distinct().Count(), Is.EqualTo(pairs.Length), "an object has two ids");
        Assert.That(pairs.Select(p => p.Id).Distinct().Count(), Is.EqualTo(pairs.Length), "two objects share an id");
    }

    [Test]
    public void Limit_TakesAPrefixThatCoversEveryRelation()
    {
        var sample = World.ExportCounterFact(World.Relations.Count);
        Assert.That(sample.Select(c => c.RequestedRewrite.RelationId), Is.EquivalentTo(World.Relations.Select(r => r.Id)));
        Assert.That(CounterFactExport.ToJson(sample), Is.EqualTo(CounterFactExport.ToJson(Cases.Take(sample.Count).ToList())));
        Assert.That(World.ExportCounterFact(0), Is.Empty);
        Assert.Throws<ArgumentOutOfRangeException>(() => World.ExportCounterFact(-1));
    }

    [Test]
    public void Json_UsesTheUpstreamFieldNames()
    {
        using var document = JsonDocument.Parse(CounterFactExport.ToJson(Cases.Take(5).ToList()));
        Assert.That(document.RootElement.ValueKind, Is.EqualTo(JsonValueKind.Array));
        foreach (var record in document.RootElement.EnumerateArray())
        {
            Assert.That(Names(record), Is.EquivalentTo(new[]
            {
                "case_id", "pararel_idx", "requested_rewrite", "paraphrase_prompts",
                "neighborhood_prompts", "attribute_prompts", "generation_prompts",
            }));
            var rewrite = record.GetProperty("requested_rewrite");
            Assert.That(Names(rewrite), Is.EquivalentTo(new[] { "prompt", "relation_id", "subject", "target_new", "target_true" }));
            Assert.That(Names(rewrite.GetProperty("target_new")), Is.EquivalentTo(new[] { "str", "id" }));
            Assert.That(Names(rewrite.GetProperty("target_true")), Is.EquivalentTo(new[] { "str", "id" }));
            Assert.That(record.GetProperty("case_id").ValueKind, Is.EqualTo(JsonValueKind.Number));
            Assert.That(record.GetProperty("paraphrase_prompts").GetArrayLength(), Is.EqualTo(2));
        }
    }

    [Test]
    public void WrittenFile_ReadsBackTheSameCases()
    {
        string path = Path.Combine(Path.GetTempPath(), $"rawedit-world-{Guid.NewGuid():N}", "counterfact.json");
        try
        {
            var sample = World.ExportCounterFact(200);
            CounterFactExport.Write(path, sample);
            var back = CounterFactExport.Read(path);
            Assert.That(back, Has.Count.EqualTo(sample.Count));
            Assert.That(CounterFactExport.ToJson(back), Is.EqualTo(File.ReadAllText(path)));
            for (int i = 0; i < sample.Count; i++)
            {
                Assert.That(back[i].RequestedRewrite, Is.EqualTo(sample[i].RequestedRewrite));
                Assert.That(back[i].NeighborhoodPrompts, Is.EqualTo(sample[i].NeighborhoodPrompts));
                Assert.That(back[i].AttributePrompts, Is.EqualTo(sample[i].AttributePrompts));
                Assert.That(back[i].ParaphrasePrompts, Is.EqualTo(sample[i].ParaphrasePrompts));
                Assert.That(back[i].GenerationPrompts, Is.EqualTo(sample[i].GenerationPrompts));
                Assert.That((back[i].CaseId, back[i].PararelIdx), Is.EqualTo((sample[i].CaseId, sample[i].PararelIdx)));
            }
            Assert.That(File.ReadAllText(path), Does.Contain("'s"), "apostrophes should stay readable");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    private static string[] Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];
}
