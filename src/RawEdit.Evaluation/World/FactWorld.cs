using RawEdit.Tensors;
namespace RawEdit.Evaluation.World;

/// <summary>
/// A synthetic world of fictional subjects and their true objects under CounterFact-like relations,
/// generated deterministically from <see cref="WorldOptions"/>. It says how each fact is put into words:
/// which forms the corpus trains, which paraphrases are held out, which forms are never trained.
/// </summary>
/// <remarks>
/// Prompts (<see cref="RewritePrompt"/>, <see cref="TrainingPrompts"/>, …) have the subject filled in and
/// stop before the object: the text a model should continue with " " + object. Training sentences add
/// the object and a full stop.
/// </remarks>
internal sealed class FactWorld
{
    private readonly bool[] _paraphrasesTrained;
    private readonly string[] _counterfactuals;
    private readonly Dictionary<(string RelationId, string Object), List<Fact>> _factsByObject;
    private readonly List<Fact>[] _factsBySubject;

    private FactWorld(WorldOptions options, List<Subject> subjects, IReadOnlyList<Relation> relations, List<Fact> facts,
        bool[] paraphrasesTrained, string[] counterfactuals)
    {
        Options = options;
        Subjects = subjects.AsReadOnly();
        Relations = relations;
        Facts = facts.AsReadOnly();
        _paraphrasesTrained = paraphrasesTrained;
        _counterfactuals = counterfactuals;
        _factsByObject = [];
        _factsBySubject = [.. subjects.Select(_ => new List<Fact>())];
        foreach (var fact in facts)
        {
            var key = (fact.Relation.Id, fact.TrueObject);
            if (!_factsByObject.TryGetValue(key, out var list))
                _factsByObject[key] = list = [];
            list.Add(fact);
            _factsBySubject[fact.Subject.Index].Add(fact);
        }
    }

    public WorldOptions Options { get; }

    /// <summary>All subjects, grouped by kind in the order of <see cref="SubjectKind"/>.</summary>
    public IReadOnlyList<Subject> Subjects { get; }

    public IReadOnlyList<Relation> Relations { get; }

    /// <summary>One fact per (subject, relation of the subject's kind), grouped by relation.</summary>
    public IReadOnlyList<Fact> Facts { get; }

    /// <exception cref="ArgumentException">The options are out of range.</exception>
    public static FactWorld Generate(WorldOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var names = new SubjectNames(options.Seed);
        var subjects = new List<Subject>();
        foreach (var kind in Enum.GetValues<SubjectKind>())
            foreach (string name in names.Draw(kind, options.SubjectCount(kind)))
                subjects.Add(new Subject(subjects.Count, name, kind));

        var relations = RelationCatalog.All;
        var facts = new List<Fact>();
        var paraphrasesTrained = new List<bool>();
        foreach (var relation in relations)
        {
            var ofKind = subjects.Where(s => s.Kind == relation.Kind).ToList();
            string[] objects = BalancedObjects(relation, ofKind.Count, options.Seed);
            bool[] trained = ParaphraseTrainingMask(relation, ofKind.Count, options);
            for (int i = 0; i < ofKind.Count; i++)
            {
                facts.Add(new Fact(facts.Count, ofKind[i], relation, objects[i]));
                paraphrasesTrained.Add(trained[i]);
            }
        }

        var counterfactuals = facts.Select(f => DrawCounterfactual(f, options.Seed)).ToArray();
        return new FactWorld(options, subjects, relations, facts, [.. paraphrasesTrained], counterfactuals);
    }

    public Relation GetRelation(string id) =>
        Relations.FirstOrDefault(r => r.Id == id) ?? throw new KeyNotFoundException($"No relation {id} in this world.");

    /// <summary>The subject's facts, one per relation of its kind.</summary>
    public IReadOnlyList<Fact> FactsAbout(Subject subject) => _factsBySubject[subject.Index];

    /// <summary>The fact of <paramref name="subject"/> under <paramref name="relation"/>.</summary>
    /// <exception cref="KeyNotFoundException">The relation does not apply to the subject's kind.</exception>
    public Fact FactAbout(Subject subject, Relation relation) =>
        FactsAbout(subject).FirstOrDefault(f => f.Relation.Id == relation.Id)
        ?? throw new KeyNotFoundException($"{relation.Id} ({relation.Name}) does not apply to {subject.Kind} \"{subject.Name}\".");

    /// <summary>Facts of <paramref name="relation"/> whose true object is <paramref name="trueObject"/>, in fact order.</summary>
    public IReadOnlyList<Fact> FactsWithObject(Relation relation, string trueObject) =>
        _factsByObject.TryGetValue((relation.Id, trueObject), out var list) ? list : [];

    /// <summary>The edit prompt: the first training form, subject filled in.</summary>
    public string RewritePrompt(Fact fact) => Fill(fact.Relation.RewriteTemplate, fact);

    /// <summary>Every training form of the fact's relation, subject filled in; the first is <see cref="RewritePrompt"/>.</summary>
    public IReadOnlyList<string> TrainingPrompts(Fact fact) => Fill(fact.Relation.TrainingTemplates, fact);

    /// <summary>Whether the corpus states this fact in its relation's paraphrase forms too.</summary>
    public bool ParaphrasesTrained(Fact fact) => _paraphrasesTrained[fact.Index];

    /// <summary>Indices into <see cref="Relation.ParaphraseTemplates"/> of the forms the corpus never states this fact in.</summary>
    public IReadOnlyList<int> HeldOutParaphraseForms(Fact fact) =>
        ParaphrasesTrained(fact) ? [] : [.. Enumerable.Range(0, fact.Relation.ParaphraseTemplates.Count)];

    /// <summary>Paraphrase prompts of this fact that never occur in the corpus (empty when its paraphrases are trained).</summary>
    public IReadOnlyList<string> HeldOutParaphrases(Fact fact) =>
        [.. HeldOutParaphraseForms(fact).Select(j => Fill(fact.Relation.ParaphraseTemplates[j], fact))];

    /// <summary>Paraphrase prompts of this fact that the corpus states (empty when they are held out).</summary>
    public IReadOnlyList<string> TrainedParaphrases(Fact fact) =>
        ParaphrasesTrained(fact) ? Fill(fact.Relation.ParaphraseTemplates, fact) : [];

    /// <summary>Prompts in forms the corpus uses with no subject at all.</summary>
    public IReadOnlyList<string> NeverTrainedPrompts(Fact fact) => Fill(fact.Relation.NeverTrainedTemplates, fact);

    public IReadOnlyList<string> GenerationPrompts(Fact fact) => Fill(fact.Relation.GenerationTemplates, fact);

    /// <summary>The counterfactual target of this fact: another object of the same relation, fixed by the seed.</summary>
    public string CounterfactualObject(Fact fact) => _counterfactuals[fact.Index];

    /// <summary>The world's edit cases in CounterFact form; see <see cref="CounterFactExport.Export"/>.</summary>
    public IReadOnlyList<CounterFactRecord> ExportCounterFact(int? limit = null) => CounterFactExport.Export(this, limit);

    /// <summary>The sentences the corpus holds for this fact: each trained prompt, then " " + object + ".".</summary>
    public IReadOnlyList<string> CorpusSentences(Fact fact) =>
        [.. TrainingPrompts(fact).Concat(TrainedParaphrases(fact)).Select(prompt => Sentence(prompt, fact.TrueObject))];

    /// <summary>A prompt completed by its object: the object ends the sentence, before the full stop.</summary>
    public static string Sentence(string prompt, string obj) => prompt + " " + obj + ".";

    private static string Fill(string template, Fact fact) => Relation.Fill(template, fact.Subject);

    private static IReadOnlyList<string> Fill(IReadOnlyList<string> templates, Fact fact) => [.. templates.Select(t => Fill(t, fact))];

    /// <summary>
    /// True objects for a relation's subjects: every object equally often (up to one), in shuffled order,
    /// so no object is a safe guess and every object has neighbours to test specificity with.
    /// </summary>
    private static string[] BalancedObjects(Relation relation, int subjectCount, ulong seed)
    {
        var objects = Enumerable.Range(0, subjectCount).Select(i => relation.Objects[i % relation.Objects.Count]).ToArray();
        SplitMix64.ForStream(seed, "objects/" + relation.Id).Shuffle(objects);
        return objects;
    }

    /// <summary>Which of a relation's subjects (in subject order) have their paraphrase forms trained.</summary>
    private static bool[] ParaphraseTrainingMask(Relation relation, int subjectCount, WorldOptions options)
    {
        int trainedCount = (int)Math.Round(options.ParaphraseTrainFraction * subjectCount, MidpointRounding.AwayFromZero);
        var order = Enumerable.Range(0, subjectCount).ToArray();
        SplitMix64.ForStream(options.Seed, "paraphrases/" + relation.Id).Shuffle(order);
        var trained = new bool[subjectCount];
        for (int i = 0; i < trainedCount; i++)
            trained[order[i]] = true;
        return trained;
    }

    private static string DrawCounterfactual(Fact fact, ulong seed)
    {
        var others = fact.Relation.Objects.Where(o => o != fact.TrueObject).ToArray();
        return SplitMix64.ForStream(seed, "counterfactual", (ulong)fact.Index).Pick(others);
    }
}
