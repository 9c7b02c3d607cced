using RawEdit.Editing;
using RawEdit.Editing.Requests;
using RawEdit.Editing.Rome;
using RawEdit.Evaluation.Datasets;
using RawEdit.Models;

namespace RawEdit.Tests.Api;

/// <summary>
/// The C# API's progress and cancellation (<see cref="EditMethod.Apply"/> with <see cref="IProgress{T}"/> and a
/// <see cref="CancellationToken"/>) on the default model: reports arrive per request or per batch stage, and a cancelled
/// call throws and leaves the weights bit for bit as they were.
/// </summary>
[NonParallelizable]
internal sealed class EditMethodApiTests
{
    private static LoadedModel Model => ModelLocator.Load("tiny-world");

    private static IReadOnlyList<EditRequest> Requests(LoadedModel model, int count) =>
        EditCaseReader.ReadFile(Path.Combine(model.Source, "counterfact.json"), limit: count).Cases.Select(c => c.ToRequest()).ToList();

    [Test]
    public void Rome_reports_each_applied_request_and_a_cancellation_after_the_first_reverts_it()
    {
        var model = Model;
        var requests = Requests(model, 3);
        var method = EditMethod.Rome(model, RomeMode.RRome);
        var weight = model.Model.Parameters[method.EditedWeights.Single()];
        var before = weight.ToFloatArray();
        using var cancel = new CancellationTokenSource();
        var progress = new Recorder(_ => cancel.Cancel());

        Assert.Throws<OperationCanceledException>(() => method.Apply(model, requests, progress, cancel.Token));
        Assert.That(progress.Reports.Select(p => (p.Stage, p.Done, p.Total)), Is.EqualTo(new[] { (EditStage.Requests, 1, 3) }));
        Assert.That(weight.ToFloatArray(), Is.EqualTo(before), "the request applied before the cancellation is reverted");

        var applied = method.Apply(model, requests.Take(2).ToList(), progress = new Recorder());
        Assert.That(progress.Reports.Select(p => p.Done), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(weight.ToFloatArray(), Is.Not.EqualTo(before));
        applied.Revert();
        Assert.That(weight.ToFloatArray(), Is.EqualTo(before));
    }

    [Test]
    public void Memit_reports_its_batch_stages_and_a_cancelled_batch_leaves_the_model_unchanged()
    {
        var model = Model;
        var requests = Requests(model, 2);
        var method = EditMethod.Memit(model);
        var before = method.EditedWeights.Select(n => model.Model.Parameters[n].ToFloatArray()).ToList();

        var progress = new Recorder();
        var applied = method.Apply(model, requests, progress);
        Assert.That(progress.Reports.Select(p => (p.Stage, p.Done)), Is.EqualTo(new[]
        {
            (EditStage.TargetValues, 1), (EditStage.TargetValues, 2), (EditStage.LayerUpdates, 1), (EditStage.LayerUpdates, 2),
        }), "one report per request's target value, then one per edited layer (tiny-world's MEMIT edits two layers)");
        applied.Revert();

        using var cancel = new CancellationTokenSource();
        var cancelling = new Recorder(p => { if (p.Stage == EditStage.LayerUpdates) cancel.Cancel(); });
        Assert.Throws<OperationCanceledException>(() => method.Apply(model, requests, cancelling, cancel.Token));
        Assert.That(cancelling.Reports.Count(p => p.Stage == EditStage.LayerUpdates), Is.EqualTo(1), "cancelled between the layers");
        Assert.That(method.EditedWeights.Select(n => model.Model.Parameters[n].ToFloatArray()), Is.EqualTo(before),
            "the first layer's update, in place while the second was computed, is restored");
    }

    [Test]
    public void A_token_cancelled_before_the_call_stops_it_at_once()
    {
        var model = Model;
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var method = EditMethod.Rome(model);
        Assert.Throws<OperationCanceledException>(() => method.Compute(Requests(model, 1)[0], cancel.Token));
    }

    /// <summary>Records reports on the reporting thread (<see cref="Progress{T}"/> would post them to the thread pool).</summary>
    private sealed class Recorder(Action<EditProgress>? onReport = null) : IProgress<EditProgress>
    {
        public List<EditProgress> Reports { get; } = [];

        public void Report(EditProgress value)
        {
            Reports.Add(value);
            onReport?.Invoke(value);
        }
    }
}
