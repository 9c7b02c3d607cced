using RawEdit.Models;

namespace RawEdit.Editing.Statistics;

/// <summary>Finds the statistics an edit needs in a statistics folder, whatever corpus they were computed on.</summary>
internal static class SecondMomentLookup
{
    public static SecondMoment Find(string root, ICausalLanguageModel model, int layer, int samples) =>
        SecondMomentStore.TryLoad(root, FindKey(root, model, layer, samples))!;

    /// <summary>What the one statistics file for this model, layer and sample count under root was computed from (its cache key).</summary>
    public static SecondMomentKey FindKey(string root, ICausalLanguageModel model, int layer, int samples)
    {
        string modelHash = ModelFingerprint.Compute(model);
        string path = FindFile(root, modelHash, layer, samples);
        using var file = Models.Checkpoints.SafetensorsFile.Open(path);
        string corpusHash = file.Metadata.GetValueOrDefault("corpus_hash") ?? throw new InvalidDataException($"{path}: no corpus_hash in its metadata");
        return new SecondMomentKey(modelHash, layer, corpusHash, samples);
    }

    /// <summary>The one statistics file for this model (by its fingerprint), layer and sample count under root, or a clear error.</summary>
    public static string FindFile(string root, string modelHash, int layer, int samples)
    {
        string folder = Path.Combine(root, modelHash[..16]);
        var candidates = Directory.Exists(folder) ? Directory.GetFiles(folder, $"mom2-layer{layer}-*-{samples}.safetensors") : [];
        if (candidates.Length == 0)
            throw new FileNotFoundException($"no second-moment statistics for layer {layer} with {samples} samples of this model in {root}; " +
                                            $"compute them with: rawedit stats --model <model> --layer {layer} --corpus <text> --samples {samples} --out {root}");
        if (candidates.Length > 1)
            throw new InvalidDataException($"{folder} holds statistics from {candidates.Length} corpora for layer {layer}; keep one");
        return candidates[0];
    }
}
