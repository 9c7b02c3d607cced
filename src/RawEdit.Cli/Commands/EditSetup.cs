using RawEdit.Editing;
using RawEdit.Editing.AlphaEdit;
using RawEdit.Editing.Emmet;
using RawEdit.Editing.Memit;
using RawEdit.Editing.Rome;
using RawEdit.Editing.Statistics;
using RawEdit.Evaluation.World;
using RawEdit.Models;

namespace RawEdit.Cli.Commands;

/// <summary>Resolves what an edit needs beyond the requests: hyperparameters, context templates and statistics.</summary>
internal static class EditSetup
{
    public static bool IsDefaultModel(LoadedModel loaded) => Path.GetFileName(loaded.Source.TrimEnd('/')) == TinyWorldPreset.Name;

    public static RomeHyperParameters RomeHparams(LoadedModel loaded, string? path) =>
        Preset(loaded, path, RomeHyperParameters.Load, RomeHyperParameters.TinyWorld, RomeHyperParameters.Gpt2Xl, RomeHyperParameters.GptJ6B, "ROME");

    public static MemitHyperParameters MemitHparams(LoadedModel loaded, string? path) =>
        Preset(loaded, path, MemitHyperParameters.Load, MemitHyperParameters.TinyWorld, MemitHyperParameters.Gpt2Xl, MemitHyperParameters.GptJ6B, "MEMIT");

    public static EmmetHyperParameters EmmetHparams(LoadedModel loaded, string? path) =>
        Preset(loaded, path, EmmetHyperParameters.Load, EmmetHyperParameters.TinyWorld, EmmetHyperParameters.Gpt2Xl, EmmetHyperParameters.GptJ6B, "EMMET");

    public static AlphaEditHyperParameters AlphaEditHparams(LoadedModel loaded, string? path) =>
        Preset(loaded, path, AlphaEditHyperParameters.Load, AlphaEditHyperParameters.TinyWorld, AlphaEditHyperParameters.Gpt2Xl,
            AlphaEditHyperParameters.GptJ6B, "AlphaEdit");

    /// <summary>The --hparams file, else the method's preset for the default model, GPT-2 XL (48 layers) or GPT-J 6B (28 layers).</summary>
    private static T Preset<T>(LoadedModel loaded, string? path, Func<string, T> load, T tinyWorld, T gpt2Xl, T gptJ, string method) =>
        path is not null ? load(path)
        : IsDefaultModel(loaded) ? tinyWorld
        : loaded.Model is { Architecture: "gpt2", Layers: 48 } ? gpt2Xl
        : loaded.Model is { Architecture: "gptj", Layers: 28 } ? gptJ
        : throw NoDefaults(method, loaded);

    private static ArgumentException NoDefaults(string method, LoadedModel loaded) =>
        new($"no default {method} hyperparameters for a {loaded.Model.Layers}-layer model; pass --hparams (keys as upstream hparams/{method}/gpt2-xl.json)");

    public static IReadOnlyList<string> RomeTemplates(LoadedModel loaded, RomeHyperParameters h, string? path, int seed) =>
        path is not null ? ContextTemplates.Load(path) : ContextTemplates.Generate(loaded.Model, loaded.Tokenizer, h.ContextTemplateLengthParams, seed);

    public static IReadOnlyList<string> MemitTemplates(LoadedModel loaded, string? path, int seed) =>
        path is not null ? ContextTemplates.Load(path) : MemitEditor.Templates(loaded.Model, loaded.Tokenizer, seed);

    /// <summary>
    /// C of one layer from the statistics folder: --stats, else the default model's shipped one (weights/tiny-world/stats);
    /// the identity when mom2_adjustment is off.
    /// </summary>
    public static SecondMoment SecondMoment(LoadedModel loaded, ValueEditHyperParameters h, int layer, string? statsDir)
    {
        if (!h.Mom2Adjustment) return Editing.Statistics.SecondMoment.Identity(loaded.Model.MlpWidth);
        return SecondMomentLookup.Find(StatsRoot(loaded, statsDir), loaded.Model, layer, h.Mom2NSamples);
    }

    /// <summary>AlphaEdit's projector of one layer, cached beside the statistics it comes from (computed on first use).</summary>
    public static NullSpaceProjector NullSpace(LoadedModel loaded, AlphaEditHyperParameters h, int layer, string? statsDir)
    {
        string root = StatsRoot(loaded, statsDir);
        var key = SecondMomentLookup.FindKey(root, loaded.Model, layer, h.Mom2NSamples);
        return NullSpaceStore.LoadOrCompute(root, key, h.NullspaceThreshold, () => SecondMomentStore.TryLoad(root, key)!,
            new SynchronousProgress<string>(Console.Error.WriteLine));
    }

    private static string StatsRoot(LoadedModel loaded, string? statsDir) =>
        statsDir ?? (IsDefaultModel(loaded) ? Path.Combine(loaded.Source, "stats")
            : throw new ArgumentException("mom2_adjustment is on: pass --stats DIR (made by rawedit stats), or set mom2_adjustment to false"));
}
