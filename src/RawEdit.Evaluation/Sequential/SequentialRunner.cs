using System.Diagnostics;
using RawEdit.Editing;
using RawEdit.Editing.Requests;
using RawEdit.Editing.Saving;
using RawEdit.Evaluation.CounterFact;
using RawEdit.Evaluation.Datasets;
using RawEdit.Evaluation.Downstream;
using RawEdit.Models;
using RawEdit.Models.Checkpoints;

namespace RawEdit.Evaluation.Sequential;

/// <summary>Where a run stands, reported after each edit and around each evaluation.</summary>
internal sealed record RunProgress(int Done, int Total, string Phase, EditEntry? Last);

/// <summary>How a call to <see cref="SequentialRunner.Run"/> ended.</summary>
/// <param name="EditsDone">Edits in the journal now.</param>
/// <param name="Total">Edits the run asks for.</param>
/// <param name="Replayed">Edits replayed from the journal at the start.</param>
/// <param name="DroppedTornRecord">A half-written last journal line was dropped.</param>
/// <param name="Completed">All edits are made and the final model saved.</param>
/// <param name="SavedModel">The final model's folder, when completed.</param>
/// <param name="Saved">What the final save stored of each edited weight's update (null when the run did not finish).</param>
internal sealed record RunOutcome(int EditsDone, int Total, int Replayed, bool DroppedTornRecord, bool Completed, string? SavedModel, SaveReport? Saved = null);

/// <summary>
/// Sequential editing (the forgetting study's protocol): the run's edits are computed and applied one after
/// another on the same model, never restored. After each edit its scores, |Δ| and probe generations are
/// measured and the edit (its rank-one terms and figures) is appended to RUN/journal.jsonl, flushed; every
/// <see cref="RunSettings.EvalEvery"/> edits (and once before the first) the earlier edits are re-scored and the
/// downstream tasks run. A run that stops at any point continues from its journal: the pristine model plus the
/// journaled terms, applied in order, are the same weights bit for bit, and the weights' fingerprint in the last
/// record proves it. The input model is never written; the final weights go to RUN/model, stored as the run's
/// <see cref="SaveDType"/> says (default: as loaded), with what the storage keeps of each update in the outcome.
/// </summary>
internal sealed class SequentialRunner
{
    public const string JournalFile = "journal.jsonl";
    public const string ModelFolder = "model";
    public const string LockFile = "run.lock";

    private readonly LoadedModel loaded;
    private readonly IEditMethod method;
    private readonly IReadOnlyList<EditCase> cases;
    private readonly RunSettings settings;
    private readonly string runDir;
    private readonly DownstreamSuite? downstream;
    private readonly CounterFactEvaluator evaluator;
    private readonly EditedWeights weights;
    private readonly DisablingEditGuard guard;
    private readonly ProbeGenerator probes;
    private readonly SaveDType saveDType;

    public SequentialRunner(LoadedModel loaded, IEditMethod method, IReadOnlyList<EditCase> cases, RunSettings settings, string runDir, DownstreamSuite? downstream,
        SaveDType saveDType = SaveDType.Same)
    {
        this.saveDType = saveDType;
        settings.Validate();
        if (cases.Count < settings.Edits) throw new ArgumentException($"--edits {settings.Edits} asks for more edits than the data's {cases.Count} records");
        (this.loaded, this.method, this.cases, this.settings, this.runDir, this.downstream) = (loaded, method, cases, settings, runDir, downstream);
        evaluator = new CounterFactEvaluator(loaded.Model, loaded.Tokenizer);
        weights = new EditedWeights(loaded.Model, method.EditedWeights);
        guard = new DisablingEditGuard(settings.Guard);
        probes = new ProbeGenerator(loaded.Model, loaded.Tokenizer, settings);
    }

    public RunOutcome Run(IProgress<RunProgress>? progress = null, CancellationToken cancel = default)
    {
        using var runLock = LockRun();
        string journalPath = Path.Combine(runDir, JournalFile);
        using var journal = EditJournal.Open(journalPath, out var records, out bool torn);
        var (edits, evaluations) = JournalEntries.Parse(records, journalPath);
        if (edits.Count > settings.Edits) throw new ArgumentException($"the run already holds {edits.Count} edits, more than --edits {settings.Edits}");
        Replay(edits);
        int replayed = edits.Count;
        var evaluated = evaluations.Select(e => e.AfterEdits).ToHashSet();

        for (int i = edits.Count; ; i++)
        {
            if (i % settings.EvalEvery == 0 && !evaluated.Contains(i) && !cancel.IsCancellationRequested)
            {
                progress?.Report(new RunProgress(i, settings.Edits, "evaluating", edits.LastOrDefault()));
                if (Evaluate(edits) is { } evaluation) journal.Append(JournalEntries.ToRecord(evaluation));
                evaluated.Add(i);
            }
            if (i == settings.Edits || cancel.IsCancellationRequested) break;
            var entry = EditOne(i);
            journal.Append(JournalEntries.ToRecord(entry));
            edits.Add(entry);
            progress?.Report(new RunProgress(i + 1, settings.Edits, "editing", entry));
        }

        bool completed = edits.Count == settings.Edits;
        string? saved = null;
        SaveReport? report = null;
        if (completed)
        {
            saved = Path.Combine(runDir, ModelFolder);
            try
            {
                report = EditedModelSaver.Save(loaded, weights.Pristine, saved, saveDType, new Dictionary<string, string>
                {
                    ["rawedit.method"] = settings.Method, ["rawedit.sequential_edits"] = edits.Count(e => e.Applied).ToString(),
                });
            }
            catch (StorageRangeException e)
            {
                throw new ArgumentException($"all {edits.Count} edits are in the journal, but the final model was not saved: {e.Message}; " +
                                            "run the same command with --resume --save-dtype f32 to save it", e);
            }
        }
        return new RunOutcome(edits.Count, settings.Edits, replayed, torn, completed, saved, report);
    }

    /// <summary>Holds RUN/run.lock exclusively while the run goes on (the OS releases it if the process dies), so two processes never append to one journal.</summary>
    private FileStream LockRun()
    {
        try { return new FileStream(Path.Combine(runDir, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException e) { throw new InvalidOperationException($"{runDir} is in use by another rawedit process", e); }
    }

    /// <summary>Applies the journaled terms of the accepted edits to the pristine model, in order, and checks the result.</summary>
    private void Replay(IReadOnlyList<EditEntry> edits)
    {
        foreach (var edit in edits.Where(e => e.Applied))
        {
            foreach (var term in edit.Terms) term.ToEdit().ApplyTo(loaded.Model);
            Preserve(edit.PreservedKeys?.Select(k => k.ToKey()).ToList() ?? []);
            guard.Accept(EditedWeights.Largest(edit.Measurement.EditMagnitude));
        }
        if (edits.Count > 0 && weights.Fingerprint() != edits[^1].WeightsSha256)
            throw new InvalidDataException($"replaying the journal's {edits.Count} edits does not reproduce the weights it recorded; " +
                                           "the model or the journal has changed since the run was made");
    }

    private EditEntry EditOne(int index)
    {
        var clock = Stopwatch.StartNew();
        var c = cases[index];
        var request = c.ToRequest();
        var edit = method.Compute(request);
        double computeSeconds = clock.Elapsed.TotalSeconds;
        var magnitude = EditedWeights.EditMagnitude(edit);
        var applied = edit.ApplyTo(loaded.Model);
        var measurement = Measure(index, c, magnitude);

        double largest = EditedWeights.Largest(magnitude);
        var verdict = settings.Guard.Mode == GuardMode.Off ? null : guard.Judge(largest, measurement.NormalizedEntropy);
        bool keep = !(verdict is { Disabling: true } && settings.Guard.Mode == GuardMode.Refuse);
        if (keep)
        {
            guard.Accept(largest);
            Preserve(edit.PreservedKeys);
        }
        else
        {
            applied.Revert();
            measurement = measurement with { DistanceFromOriginal = weights.DistanceFromOriginal() };
        }
        return new EditEntry(index, c.CaseId, c.RewritePrompt, c.TargetNew, keep, verdict, edit.Terms.Select(StoredTerm.From).ToList(),
            edit.Figures, measurement, weights.Fingerprint(), computeSeconds, clock.Elapsed.TotalSeconds,
            edit.PreservedKeys.Count > 0 ? edit.PreservedKeys.Select(StoredKey.From).ToList() : null);
    }

    /// <summary>An accepted edit's preserved keys go to a method that keeps them (AlphaEdit), live and on replay alike.</summary>
    private void Preserve(IReadOnlyList<PreservedKey> keys)
    {
        if (method is IPreservingEditMethod preserving) preserving.Accept(keys);
        else if (keys.Count > 0) throw new InvalidDataException($"the journal holds preserved keys, which method {method.Name} does not take");
    }

    private EditMeasurement Measure(int index, EditCase c, IReadOnlyDictionary<string, double> magnitude)
    {
        var result = evaluator.EvaluateCase(c);
        static double Mean(IReadOnlyList<PromptComparison> prompts, Func<PromptComparison, bool> success) =>
            prompts.Count == 0 ? double.NaN : prompts.Average(p => success(p) ? 1.0 : 0.0);
        var texts = probes.Generate(c, index);
        var (entropy, normalized) = Metrics.GenerationEntropy.Measure(texts);
        return new EditMeasurement(
            Mean(result.Rewrite, p => p.PrefersNew), Mean(result.Paraphrase, p => p.PrefersNew), Mean(result.Neighborhood, p => p.PrefersTrue),
            result.Rewrite.All(p => p.NewAllArgmax), magnitude, weights.DistanceFromOriginal(),
            entropy, normalized, Metrics.NgramFluency.Measure(texts), texts);
    }

    /// <summary>Earlier edits re-scored (from the first edit on) and the downstream tasks; null when there is nothing to run.</summary>
    private EvaluationEntry? Evaluate(IReadOnlyList<EditEntry> edits)
    {
        var clock = Stopwatch.StartNew();
        var kept = edits.Where(e => e.Applied).ToList();
        ForgettingScores? forgetting = null;
        if (kept.Count > 0)
        {
            var now = evaluator.Evaluate(kept.Select(e => cases[e.Index]).ToList()).Cases;
            forgetting = ForgettingScores.From(kept, now);
        }
        var glue = downstream?.Evaluate(loaded.Model, loaded.Tokenizer);
        if (forgetting is null && glue is null) return null;
        return new EvaluationEntry(edits.Count, forgetting, glue, clock.Elapsed.TotalSeconds);
    }
}
