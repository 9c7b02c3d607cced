using System.Diagnostics;
using System.Text.Json;
using RawEdit.Editing;
using RawEdit.Editing.Memit;
using RawEdit.Editing.Mend;
using RawEdit.Editing.Requests;
using RawEdit.Editing.Rome;
using RawEdit.Editing.Statistics;
using RawEdit.Models;
using RawEdit.Models.Checkpoints;
using RawEdit.Models.Tokenization;
using RawEdit.Tensors.Autodiff;

namespace RawEdit.Benchmarks.Checkpoints;

/// <summary>
/// MEMIT and MEND at a real checkpoint's size (issue 8, point 3), one method per process so each has its own peak
/// resident set; one JSON line each:
///   memit      : one request with the model's upstream hparams (GPT-J 6B: layers 3–8, λ = 15000; GPT-2 XL: 13–17),
///                C = I (a random model has no statistics) but the full F×F system λI + KKᵀ factorised per layer as
///                with real statistics, the unprefixed template, <c>steps</c> z iterations.
///   mend-edit  : upstream's editor for the model (rank 1920, both MLP matrices of the last three blocks), untrained,
///                its normalisation statistics seeded from one capture as a first training step would; then one
///                edit computed and applied: what `rawedit edit --method mend --editor E` runs.
///   mend-train : the same editor, one training step on one example (accumulate_bs 1) with Adam.
///   r-rome     : one r-ROME edit at the model's ROME layer, C = I, three fixed context templates (the prefix-averaged
///                key and value need more than the unprefixed one; generating templates would take minutes here).
/// </summary>
public static class EditMethodsMeasure
{
    public static int Run(string folder, string method, int steps)
    {
        var clock = Stopwatch.StartNew();
        var model = ModelCheckpoint.Load(folder, WeightPrecisions.FromEnvironment()).Model;
        double loadSeconds = clock.Elapsed.TotalSeconds;
        var request = EditRequest.Create("{}'s mother tongue is", "Danielle Darrieux", "English", "French");
        var report = new Dictionary<string, object>
        {
            ["folder"] = folder, ["architecture"] = model.Architecture, ["layers"] = model.Layers, ["mlp_width"] = model.MlpWidth,
            ["precision"] = Environment.GetEnvironmentVariable(WeightPrecisions.Variable) ?? "auto", ["load_s"] = loadSeconds, ["method"] = method,
        };
        switch (method)
        {
            case "memit": Memit(model, request, steps, report); break;
            case "mend-edit": Mend(model, request, train: false, report); break;
            case "mend-train": Mend(model, request, train: true, report); break;
            case "r-rome": RRome(model, request, steps, report); break;
            default: throw new ArgumentException($"unknown method '{method}' (memit, mend-edit, mend-train, r-rome)");
        }
        report["peak_rss_gib"] = ProcessMemory.PeakGib();
        report["rss_anon_gib"] = ProcessMemory.Gib(ProcessMemory.Status("RssAnon"));
        Console.WriteLine(JsonSerializer.Serialize(report));
        return 0;
    }

    private static void Memit(ICausalLanguageModel model, EditRequest request, int steps, Dictionary<string, object> report)
    {
        var h = (model.Architecture == "gptj" ? MemitHyperParameters.GptJ6B : MemitHyperParameters.Gpt2Xl) with { Mom2Adjustment = false, VNumGradSteps = steps };
        var prompts = RomePrompts.Build(Gpt2Tokenizer.Default, request, ["{}"]);
        var clock = Stopwatch.StartNew();
        var memit = MemitEditor.Compute(model, [prompts], h, _ => SecondMoment.Identity(model.MlpWidth),
            new Progress<EditProgress>(p => Console.Error.WriteLine($"{clock.Elapsed.TotalSeconds,8:F1} s  {p.Message}  (managed heap {GC.GetTotalMemory(false) / 1e9:F2} GB, anon {ProcessMemory.Gib(ProcessMemory.Status("RssAnon"))} GiB)")));
        memit.Edit.ApplyTo(model);
        report["memit_layers"] = h.Layers;
        report["memit_steps"] = steps;
        report["memit_z_loss"] = memit.Values[0].LossTrace[^1];
        report["memit_edit_s"] = clock.Elapsed.TotalSeconds;
        report["memit_delta_normalized"] = memit.Layers.Select(l => l.Delta.NormalizedMagnitude).ToArray();
    }

    private static void RRome(ICausalLanguageModel model, EditRequest request, int steps, Dictionary<string, object> report)
    {
        var h = (model.Architecture == "gptj" ? RomeHyperParameters.GptJ6B : RomeHyperParameters.Gpt2Xl) with { Mom2Adjustment = false, VNumGradSteps = steps };
        var prompts = RomePrompts.Build(Gpt2Tokenizer.Default, request, ["{}", "Here is a fact. {}", "I read this yesterday. {}"]);
        var clock = Stopwatch.StartNew();
        var result = RomeEditor.Compute(model, prompts, h, RomeMode.RRome, SecondMoment.Identity(model.MlpWidth));
        result.Edit.ApplyTo(model);
        report["r_rome_layer"] = h.Layer;
        report["r_rome_steps"] = result.Value.LossTrace.Length;
        report["r_rome_edit_s"] = clock.Elapsed.TotalSeconds;
    }

    private static void Mend(ICausalLanguageModel model, EditRequest request, bool train, Dictionary<string, object> report)
    {
        var h = new MendHyperParameters { AccumulateBs = 1 };
        var clock = Stopwatch.StartNew();
        var editor = MendEditor.Create(model, h);
        report["mend_create_s"] = clock.Elapsed.TotalSeconds;
        report["mend_matrices"] = editor.Matrices.Select(m => m.Name).ToArray();
        report["mend_editor_parameters"] = editor.Parameters().Sum(p => p.Value.Length);
        var example = MendExample.FromText(Gpt2Tokenizer.Default, request, ["Danielle Darrieux speaks the language"], ["The Eiffel Tower is in Paris."]);
        clock.Restart();
        if (train)
        {
            foreach (var m in editor.Matrices) model.Parameters[m.Name].PromoteToF32();   // W + α·∇̃W is computed in fp32 on the tape
            var (loss, norm) = new MendTrainer(model, editor, [example], []).TrainStep();
            report["mend_train_step_s"] = clock.Elapsed.TotalSeconds;
            report["mend_loss"] = loss.Total;
            report["mend_gradient_norm"] = norm;
            return;
        }
        var factors = GradientFactors.Capture(model, editor.Matrices, example.EditInner);
        using (Tape.NoGrad()) editor.Transform(factors, training: true);
        report["mend_seed_statistics_s"] = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var edit = editor.Compute(model, example.EditInner);
        edit.ApplyTo(model);
        report["mend_edit_s"] = clock.Elapsed.TotalSeconds;
        report["mend_updates"] = edit.Updates.Count;
    }
}
