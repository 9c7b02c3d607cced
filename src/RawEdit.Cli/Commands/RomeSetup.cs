using RawEdit.Editing.Rome;
using RawEdit.Editing.Statistics;
using RawEdit.Evaluation.World;
using RawEdit.Models;

namespace RawEdit.Cli.Commands;

/// <summary>Resolves what a ROME edit needs beyond the request: hyperparameters, context templates and statistics.</summary>
internal static class RomeSetup
{
    public static bool IsDefaultModel(LoadedModel loaded) => Path.GetFileName(loaded.Source.TrimEnd('/')) == TinyWorldPreset.Name;

    public static RomeHyperParameters Hparams(LoadedModel loaded, string? path)
    {
        if (path is not null) return RomeHyperParameters.Load(path);
        if (IsDefaultModel(loaded)) return RomeHyperParameters.TinyWorld;
        if (loaded.Model is { Architecture: "gpt2", Layers: 48 }) return RomeHyperParameters.Gpt2Xl;
        if (loaded.Model is { Architecture: "gptj", Layers: 28 }) return RomeHyperParameters.GptJ6B;
        throw new ArgumentException($"no default ROME hyperparameters for a {loaded.Model.Layers}-layer model; pass --hparams (keys as upstream hparams/ROME/gpt2-xl.json)");
    }

    public static IReadOnlyList<string> Templates(LoadedModel loaded, RomeHyperParameters h, string? path, int seed) =>
        path is not null ? ContextTemplates.Load(path) : ContextTemplates.Generate(loaded.Model, loaded.Tokenizer, h.ContextTemplateLengthParams, seed);

    /// <summary>The statistics folder: --stats, else the default model's shipped one (weights/tiny-world/stats).</summary>
    public static SecondMoment SecondMoment(LoadedModel loaded, RomeHyperParameters h, string? statsDir)
    {
        if (!h.Mom2Adjustment) return Editing.Statistics.SecondMoment.Identity(loaded.Model.MlpWidth);
        string root = statsDir ?? (IsDefaultModel(loaded) ? Path.Combine(loaded.Source, "stats")
            : throw new ArgumentException("mom2_adjustment is on: pass --stats DIR (made by rawedit stats), or set mom2_adjustment to false"));
        return SecondMomentLookup.Find(root, loaded.Model, h.Layer, h.Mom2NSamples);
    }
}
