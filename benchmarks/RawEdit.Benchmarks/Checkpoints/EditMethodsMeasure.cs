using System.Diagnostics;
using System.Text.Json;
using RawEdit.Editing.Memit;
using RawEdit.Editing.Mend;
using RawEdit.Editing.Requests;
using RawEdit.Editing.Rome;
using RawEdit.Editing.Statistics;
using RawEdit.Models;
using RawEdit.Models.Checkpoints;
using RawEdit.Models.Tokenization;

namespace RawEdit.Benchmarks.Checkpoints;

/// <summary>
/// MEMIT and MEND at a real checkpoint's size (issue 8, point 3), one JSON line:
///   MEMIT: one request with the model's upstream hparams (GPT-J 6B: layers 3–8, λ = 15000; GPT-2 XL: 13–17), C = I
///          (a random model has no statistics) but the full F×F system λI + KKᵀ factorised per layer, as with real
///          statistics, the unprefixed template, <c>steps</c> z iterations.
///   MEND:  upstream's editor for the model (rank 1920, both MLP matrices of the last three blocks), untrained; one
///          training step on one example (accumulate_bs 1), then one edit computed and applied.
/// Times per phase and the peak resident set after each.
/// </summary>
public static class EditMethodsMeasure
{
    public static int Run(string folder, int steps)
    {
        var clock = Stopwatch.StartNew();
        var model = ModelCheckpoint.Load(folder, WeightPrecisions.FromEnvironment()).Model;
        double loadSeconds = clock.Elapsed.TotalSeconds;
        var tokenizer = Gpt2Tokenizer.Default;
        var request = EditRequest.Create("{}'s mother tongue is", "Danielle Darrieux", "English", "French");

        // MEMIT.
        var memitHparams = (model.Architecture == "gptj" ? MemitHyperParameters.GptJ6B : MemitHyperParameters.Gpt2Xl) with
            { Mom2Adjustment = false, VNumGradSteps = steps };
        var prompts = RomePrompts.Build(tokenizer, request, ["{}"]);
        clock.Restart();
        var memit = MemitEditor.Compute(model, [prompts], memitHparams, _ => SecondMoment.Identity(model.MlpWidth),
            new Progress<string>(line => Console.Error.WriteLine($"{clock.Elapsed.TotalSeconds,8:F1} s  {line}")));
        double memitComputeSeconds = clock.Elapsed.TotalSeconds;
        var memitApplied = memit.Edit.ApplyTo(model);
        double memitSeconds = clock.Elapsed.TotalSeconds;
        double memitPeak = ProcessMemory.PeakGib();
        var memitLayers = memit.Layers.Select(l => new { layer = l.Layer, frobenius = l.Delta.Frobenius, normalized = l.Delta.NormalizedMagnitude }).ToList();
        memitApplied.Revert();

        // MEND.
        var mendHparams = new MendHyperParameters { AccumulateBs = 1 };
        clock.Restart();
        var editor = MendEditor.Create(model, mendHparams);
        foreach (var m in editor.Matrices) model.Parameters[m.Name].PromoteToF32();    // W + α·∇̃W is computed in fp32 during training
        double createSeconds = clock.Elapsed.TotalSeconds;
        var example = MendExample.FromText(tokenizer, request, ["Danielle Darrieux speaks the language"], ["The Eiffel Tower is in Paris."]);
        var trainer = new MendTrainer(model, editor, [example], []);
        clock.Restart();
        var (loss, gradientNorm) = trainer.TrainStep();
        double trainStepSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var edit = editor.Compute(model, example.EditInner);
        edit.ApplyTo(model);
        double mendEditSeconds = clock.Elapsed.TotalSeconds;

        Console.WriteLine(JsonSerializer.Serialize(new
        {
            folder, architecture = model.Architecture, layers = model.Layers, mlp_width = model.MlpWidth,
            precision = Environment.GetEnvironmentVariable(WeightPrecisions.Variable) ?? "auto", load_s = loadSeconds,
            memit_layers = memitHparams.Layers, memit_steps = steps, memit_compute_s = memitComputeSeconds, memit_edit_s = memitSeconds,
            memit_z_loss = memit.Values[0].LossTrace[^1], memit_delta = memitLayers, memit_peak_rss_gib = memitPeak,
            mend_matrices = editor.Matrices.Select(m => m.Name), mend_rank = mendHparams.Rank,
            mend_editor_parameters = editor.Parameters().Sum(p => p.Value.Length), mend_create_s = createSeconds,
            mend_train_step_s = trainStepSeconds, mend_loss = loss.Total, mend_gradient_norm = gradientNorm,
            mend_edit_s = mendEditSeconds, mend_updates = edit.Updates.Count,
            peak_rss_gib = ProcessMemory.PeakGib(), rss_anon_gib = ProcessMemory.Gib(ProcessMemory.Status("RssAnon")),
        }));
        return 0;
    }
}
