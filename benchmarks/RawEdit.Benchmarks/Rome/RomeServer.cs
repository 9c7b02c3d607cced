using System.Diagnostics;
using System.Text.Json;
using RawEdit.Editing.Requests;
using RawEdit.Editing.Rome;
using RawEdit.Editing.Statistics;
using RawEdit.Evaluation.World;
using RawEdit.Models;

namespace RawEdit.Benchmarks.Rome;

/// <summary>
/// Line protocol for benchmarks/rome/side_by_side.py, timing one ROME edit (keys, value optimisation, update):
///   "setup MODEL OUT.json" → loads MODEL (a folder or weights/ name), builds the request and its 21 context
///                            templates, writes the token-level prompts, hyperparameters and second-moment
///                            file to OUT.json for the PyTorch side; answers "ok";
///   "time"                 → one edit on the unedited model; answers "seconds iterations ‖ΔW‖_F";  "quit".
/// The default model edits its world's case 0 with its own statistics at layer 0; any other model edits
/// "Danielle Darrieux's mother tongue is" → "English" at layer 17 (48-layer models) or 5 with C = I (no statistics
/// exist for it). RAWEDIT_DEVICE (cpu, cuda, auto) picks the backend the model is loaded on.
/// Both use 20 value-optimisation iterations, as the issue asks.
/// </summary>
public static class RomeServer
{
    private sealed record Setup(ICausalLanguageModel Model, RomePrompts Prompts, RomeHyperParameters Hparams, SecondMoment Moment);

    public static int Serve(TextReader input, TextWriter output)
    {
        Setup? setup = null;
        return LineProtocol.Serve(input, output, new Dictionary<string, Func<string[], string>>
        {
            ["setup"] = words => { setup = Prepare(words[1], words[2]); return "ok"; },
            ["time"] = _ => Time(setup ?? throw new InvalidOperationException("setup first")),
        });
    }

    private static Setup Prepare(string modelName, string outJson)
    {
        var loaded = ModelLocator.Load(modelName);
        bool isDefault = Path.GetFileName(loaded.Source.TrimEnd('/')) == TinyWorldPreset.Name;
        EditRequest request;
        RomeHyperParameters h;
        SecondMoment moment;
        string? statsFile = null;
        if (isDefault)
        {
            var rewrite = FactWorld.Generate(TinyWorldPreset.World).ExportCounterFact(1)[0].RequestedRewrite;
            request = EditRequest.Create(rewrite.Prompt, rewrite.Subject, rewrite.TargetNew.Str, rewrite.TargetTrue.Str);
            h = RomeHyperParameters.TinyWorld with { VNumGradSteps = 20 };
            string root = Path.Combine(loaded.Source, "stats");
            moment = SecondMomentLookup.Find(root, loaded.Model, h.Layer, h.Mom2NSamples);
            statsFile = SecondMomentLookup.FindFile(root, ModelFingerprint.Compute(loaded.Model), h.Layer, h.Mom2NSamples);
        }
        else
        {
            request = EditRequest.Create("{}'s mother tongue is", "Danielle Darrieux", "English", "French");
            // Upstream's gpt2-xl layer (17) on models deep enough for it (GPT-2 XL-shaped), else layer 5.
            h = RomeHyperParameters.Gpt2Xl with { Mom2Adjustment = false };
            if (loaded.Model.Layers <= h.Layer) h = h with { Layers = [5] };
            moment = SecondMoment.Identity(loaded.Model.MlpWidth);
        }
        var templates = ContextTemplates.Generate(loaded.Model, loaded.Tokenizer, h.ContextTemplateLengthParams);
        var prompts = RomePrompts.Build(loaded.Tokenizer, request, templates);
        object Prompt(IndexedPrompt p) => new { ids = p.Ids, subject_last = p.SubjectLast };
        File.WriteAllText(outJson, JsonSerializer.Serialize(new
        {
            model = loaded.Source,
            layer = h.Layer,
            pad_id = loaded.Model.EosTokenId,
            templates,
            key_prompts = prompts.Keys.Select(Prompt),
            rewrite_prompts = prompts.Rewrites.Select(Prompt),
            kl_prompt = Prompt(prompts.Kl),
            target_ids = prompts.TargetIds,
            hparams = new
            {
                v_num_grad_steps = h.VNumGradSteps, v_lr = h.VLr, v_weight_decay = h.VWeightDecay,
                clamp_norm_factor = h.ClampNormFactor, kl_factor = h.KlFactor, mom2_adjustment = h.Mom2Adjustment,
            },
            stats_file = statsFile,
        }));
        var setup = new Setup(loaded.Model, prompts, h, moment);
        Time(setup);
        return setup;
    }

    private static string Time(Setup s)
    {
        var clock = Stopwatch.StartNew();
        var result = RomeEditor.Compute(s.Model, s.Prompts, s.Hparams, RomeMode.Rome, s.Moment);
        double seconds = clock.Elapsed.TotalSeconds;
        return $"{seconds:R} {result.Value.LossTrace.Length} {result.Edit.Frobenius:R}";
    }
}
