using System.Text.Json;
using RawEdit.Editing.Memit;
using RawEdit.Editing.Requests;
using RawEdit.Editing.Rome;
using RawEdit.Evaluation.World;
using RawEdit.Models;

namespace RawEdit.Benchmarks.Memit;

/// <summary>
/// <c>memit-prompts REQUESTS.json OUT.json</c>: the exact model inputs a default-model MEMIT edit of the requests runs
/// (MEMIT templates, per request the key, rewrite and KL prompts as token ids with the subject's last index, the
/// target ids) and the TinyWorld hparams, so benchmarks/memit/torch_memit.py does the same work without a tokenizer.
/// </summary>
public static class MemitPrompts
{
    public static int Write(string requestsPath, string outPath)
    {
        var loaded = ModelLocator.Load(TinyWorldPreset.Name);
        var templates = MemitEditor.Templates(loaded.Model, loaded.Tokenizer);
        var requests = EditRequestReader.ReadFile(requestsPath);
        static object Prompt(IndexedPrompt p) => new { ids = p.Ids, subject_last = p.SubjectLast };
        var prompts = requests.Select(r => RomePrompts.Build(loaded.Tokenizer, r, templates)).Select(p => new
        {
            key = p.Keys.Select(Prompt), rewrite = p.Rewrites.Select(Prompt), kl = Prompt(p.Kl), target_ids = p.TargetIds,
        });
        var h = MemitHyperParameters.TinyWorld;
        var hparams = new Dictionary<string, object>
        {
            ["layers"] = h.Layers, ["v_num_grad_steps"] = h.VNumGradSteps, ["v_lr"] = h.VLr, ["v_loss_layer"] = h.VLossLayer,
            ["v_weight_decay"] = h.VWeightDecay, ["clamp_norm_factor"] = h.ClampNormFactor, ["kl_factor"] = h.KlFactor,
            ["mom2_update_weight"] = h.Mom2UpdateWeight, ["mom2_adjustment"] = h.Mom2Adjustment, ["mom2_n_samples"] = h.Mom2NSamples,
        };
        File.WriteAllText(outPath, JsonSerializer.Serialize(new
        {
            model = loaded.Source, pad_token_id = loaded.Model.EosTokenId, templates, hparams, requests = prompts,
        }));
        Console.WriteLine($"wrote {outPath}: {requests.Count} requests, {templates.Count} templates");
        return 0;
    }
}
