using RawEdit.Tensors;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace RawEdit.Evaluation.World;

/// <summary>
/// The world's edit cases as CounterFact records, for the evaluation to run exactly as on the real
/// dataset. Only facts whose paraphrases are held out become cases, so every case's two paraphrase
/// prompts are text the model has never seen for that subject.
/// </summary>
internal static class CounterFactExport
{
    /// <summary>Most neighbourhood (and attribute) prompts per case, as in upstream CounterFact.</summary>
    public const int PromptsPerList = 10;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        // The file is data for our own tools, not HTML: keep apostrophes readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// Cases in a fixed order that takes the relations in turn, so the first <paramref name="limit"/> cases
    /// cover every relation. <c>case_id</c> is the position in that order (the same for any limit);
    /// <c>pararel_idx</c> is the fact's index in <see cref="FactWorld.Facts"/>.
    /// </summary>
    public static IReadOnlyList<CounterFactRecord> Export(FactWorld world, int? limit = null)
    {
        ArgumentNullException.ThrowIfNull(world);
        if (limit < 0)
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "The number of cases must not be negative.");

        var objectIds = ObjectIds(world.Relations);
        var order = CaseOrder(world);
        int count = Math.Min(order.Count, limit ?? int.MaxValue);
        var records = new List<CounterFactRecord>(count);
        for (int caseId = 0; caseId < count; caseId++)
            records.Add(ToRecord(world, order[caseId], caseId, objectIds));
        return records;
    }

    public static string ToJson(IReadOnlyList<CounterFactRecord> records) => JsonSerializer.Serialize(records, JsonOptions);

    public static IReadOnlyList<CounterFactRecord> FromJson(string json) =>
        JsonSerializer.Deserialize<List<CounterFactRecord>>(json, JsonOptions)
        ?? throw new InvalidDataException("The CounterFact JSON holds null instead of a list of records.");

    /// <summary>Writes the records as a JSON list (UTF-8, indented), creating the folder if needed.</summary>
    public static void Write(string path, IReadOnlyList<CounterFactRecord> records)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
            Directory.CreateDirectory(folder);
        RawEdit.Models.AtomicFile.WriteAllText(path, ToJson(records));
    }

    public static IReadOnlyList<CounterFactRecord> Read(string path) => FromJson(File.ReadAllText(path));

    private static CounterFactRecord ToRecord(FactWorld world, Fact fact, int caseId, IReadOnlyDictionary<string, string> objectIds)
    {
        string targetNew = world.CounterfactualObject(fact);
        var rewrite = new CounterFactRewrite(
            fact.Relation.RewriteTemplate,
            fact.Relation.Id,
            fact.Subject.Name,
            new CounterFactTarget(targetNew, objectIds[targetNew]),
            new CounterFactTarget(fact.TrueObject, objectIds[fact.TrueObject]));
        return new CounterFactRecord(
            caseId,
            fact.Index,
            rewrite,
            world.HeldOutParaphrases(fact),
            RewritePromptsOfOthers(world, fact, fact.TrueObject, "neighbours"),
            RewritePromptsOfOthers(world, fact, targetNew, "attributes"),
            world.GenerationPrompts(fact));
    }

    /// <summary>
    /// Rewrite prompts of up to <see cref="PromptsPerList"/> other subjects whose true object under the
    /// fact's relation is <paramref name="obj"/>, drawn deterministically.
    /// </summary>
    private static IReadOnlyList<string> RewritePromptsOfOthers(FactWorld world, Fact fact, string obj, string purpose)
    {
        var others = world.FactsWithObject(fact.Relation, obj).Where(f => f.Subject != fact.Subject).ToArray();
        SplitMix64.ForStream(world.Options.Seed, "export/" + purpose, (ulong)fact.Index).Shuffle(others);
        return [.. others.Take(PromptsPerList).Select(world.RewritePrompt)];
    }

    /// <summary>Eligible facts, shuffled within each relation, then taken one relation at a time in turn.</summary>
    private static List<Fact> CaseOrder(FactWorld world)
    {
        var queues = world.Relations
            .Select(relation =>
            {
                var eligible = world.Facts.Where(f => f.Relation == relation && world.HeldOutParaphrases(f).Count >= 2).ToArray();
                SplitMix64.ForStream(world.Options.Seed, "export/order/" + relation.Id).Shuffle(eligible);
                return new Queue<Fact>(eligible);
            })
            .ToList();
        var order = new List<Fact>();
        while (queues.Any(q => q.Count > 0))
            foreach (var queue in queues)
                if (queue.TryDequeue(out var fact))
                    order.Add(fact);
        return order;
    }

    /// <summary>"Q1", "Q2", … for each distinct object, in the order the relations list them.</summary>
    private static Dictionary<string, string> ObjectIds(IReadOnlyList<Relation> relations)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string obj in relations.SelectMany(r => r.Objects))
            ids.TryAdd(obj, "Q" + (ids.Count + 1));
        return ids;
    }
}
