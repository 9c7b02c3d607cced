using RawEdit.Models;

namespace RawEdit.Editing.Statistics;

/// <summary>Finds the statistics an edit needs in a statistics folder, whatever corpus they were computed on.</summary>
public static class SecondMomentLookup
{
    public static SecondMoment Find(string root, ICausalLanguageModel model, int layer, int samples)
    {
        string modelHash = ModelFingerprint.Compute(model);
        string folder = Path.Combine(root, modelHash[..16]);
        var candidates = Directory.Exists(folder) ? Directory.GetFiles(folder, $"mom2-layer{layer}-*-{samples}.safetensors") : [];
        if (candidates.Length == 0)
            throw new FileNotFoundException($"no second-moment statistics for layer {layer} with {samples} samples of this model in {root}; " +
                                            $"compute them with: rawedit stats --model <model> --layer {layer} --corpus <text> --samples {samples} --out {root}");
        if (candidates.Length > 1)
            throw new InvalidDataException($"{folder} holds statistics from {candidates.Length} corpora for layer {layer}; keep one");
        string corpusHash;
        using (var file = Models.Checkpoints.SafetensorsFile.Open(candidates[0]))
            corpusHash = file.Metadata.GetValueOrDefault("corpus_hash") ?? throw new InvalidDataException($"{candidates[0]}: no corpus_hash in its metadata");
        return SecondMomentStore.TryLoad(root, new SecondMomentKey(modelHash, layer, corpusHash, samples))!;
    }
}
