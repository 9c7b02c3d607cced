using RawEdit.Evaluation.World;
using RawEdit.Models.Tokenization;

namespace RawEdit.Tests.Evaluation.World;

/// <summary>The TinyWorld, its corpus and its export, built once for all world tests.</summary>
internal static class TinyWorldFixture
{
    private static readonly Lazy<FactWorld> LazyWorld = new(() => FactWorld.Generate(WorldOptions.TinyWorld));
    private static readonly Lazy<WorldCorpus> LazyCorpus = new(() => WorldCorpus.Render(World, Gpt2Tokenizer.Default));
    private static readonly Lazy<IReadOnlyList<CounterFactRecord>> LazyCases = new(() => World.ExportCounterFact());

    public static FactWorld World => LazyWorld.Value;
    public static WorldCorpus Corpus => LazyCorpus.Value;
    public static IReadOnlyList<CounterFactRecord> Cases => LazyCases.Value;

    /// <summary>The subject a prompt filled from <paramref name="template"/> names, or null if it does not fit the template.</summary>
    public static Subject? SubjectOfPrompt(FactWorld world, string template, string prompt)
    {
        int slot = template.IndexOf(Relation.SubjectPlaceholder, StringComparison.Ordinal);
        string before = template[..slot], after = template[(slot + Relation.SubjectPlaceholder.Length)..];
        if (!prompt.StartsWith(before, StringComparison.Ordinal) || !prompt.EndsWith(after, StringComparison.Ordinal)
            || prompt.Length < before.Length + after.Length)
            return null;
        string name = prompt[before.Length..^after.Length];
        return world.Subjects.FirstOrDefault(s => s.Name == name);
    }
}
