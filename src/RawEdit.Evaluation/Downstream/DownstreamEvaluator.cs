using RawEdit.Models;
using RawEdit.Models.Generation;
using RawEdit.Models.Tokenization;

namespace RawEdit.Evaluation.Downstream;

/// <summary>One answered example: what the model continued with and the label parsed from it.</summary>
internal sealed record DownstreamAnswer(string Continuation, int Prediction, int Label);

/// <summary>
/// Runs the few-shot tasks as the forgetting study does: greedy decoding of <see cref="GlueTasks.NewTokens"/>
/// tokens after each prompt (stopping at end-of-text), the answer parsed from decode(prompt + continuation)
/// with special tokens skipped. A prompt longer than the model's context minus the new tokens keeps its last
/// tokens (the default model has 128 positions; GPT-2's 1,024 hold every prompt whole), and
/// <see cref="TruncatedPrompts"/> counts them. Prompts go through in batches of similar length.
/// </summary>
internal sealed class DownstreamEvaluator(ICausalLanguageModel model, Gpt2Tokenizer tokenizer, int batchSize = 16)
{
    public int TruncatedPrompts { get; private set; }

    public (ClassificationScores Scores, IReadOnlyList<DownstreamAnswer> Answers) Evaluate(GlueTask task, IReadOnlyList<GlueExample> examples)
    {
        int room = model.MaxPositions - GlueTasks.NewTokens;
        var prompts = examples.Select(e =>
        {
            var ids = tokenizer.Encode(task.Prompt(e));
            if (ids.Length <= room) return ids;
            TruncatedPrompts++;
            return ids[^room..];
        }).ToList();
        var continuations = new int[examples.Count][];
        var order = Enumerable.Range(0, prompts.Count).OrderBy(i => prompts[i].Length).ThenBy(i => i).ToArray();
        foreach (var chunk in order.Chunk(batchSize))
        {
            var generated = TextGenerator.Generate(model, chunk.Select(i => prompts[i]).ToList(), new GenerationOptions(GlueTasks.NewTokens));
            for (int j = 0; j < chunk.Length; j++) continuations[chunk[j]] = generated[j];
        }
        var answers = examples.Select((e, i) =>
        {
            string output = Decode([.. prompts[i], .. continuations[i]]);
            return new DownstreamAnswer(Decode(continuations[i]), task.ParseAnswer(output), e.Label);
        }).ToList();
        return (ClassificationScores.Compute(answers.Select(a => a.Label).ToList(), answers.Select(a => a.Prediction).ToList()), answers);
    }

    /// <summary>decode(…, skip_special_tokens=True): GPT-2's only special token is end-of-text.</summary>
    private string Decode(int[] ids) => tokenizer.Decode(ids.Where(id => id != tokenizer.EndOfTextId).ToArray());
}

/// <summary>The four tasks with their examples, read once from a folder of *-200.json files.</summary>
internal sealed class DownstreamSuite(IReadOnlyList<(GlueTask Task, IReadOnlyList<GlueExample> Examples)> tasks)
{
    public IReadOnlyList<(GlueTask Task, IReadOnlyList<GlueExample> Examples)> Tasks { get; } = tasks;

    /// <param name="folder">The folder holding the tasks' *-200.json files.</param>
    /// <param name="limit">Use the first <paramref name="limit"/> examples of each task (the files hold 200).</param>
    public static DownstreamSuite Load(string folder, int limit)
    {
        if (limit < 1) throw new ArgumentException($"the number of downstream examples per task must be positive, got {limit}");
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"downstream task folder not found: {folder}");
        return new DownstreamSuite(GlueTasks.All.Select(t => (t, (IReadOnlyList<GlueExample>)GlueData.Read(Path.Combine(folder, t.FileName)).Take(limit).ToList())).ToList());
    }

    public Dictionary<string, ClassificationScores> Evaluate(ICausalLanguageModel model, Gpt2Tokenizer tokenizer)
    {
        var evaluator = new DownstreamEvaluator(model, tokenizer);
        return Tasks.ToDictionary(t => t.Task.Name, t => evaluator.Evaluate(t.Task, t.Examples).Scores);
    }
}
