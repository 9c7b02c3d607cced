using RawEdit.Models.Gpt2;
using RawEdit.Models.Training;

namespace RawEdit.Evaluation.World;

/// <summary>
/// The recipe of the embedded default model: the world, the architecture and the training settings.
/// Training with it from the same seed and thread count reproduces the shipped weights bit for bit.
/// </summary>
internal static class TinyWorldPreset
{
    public const string Name = "tiny-world";

    public static WorldOptions World => WorldOptions.TinyWorld;

    /// <summary>GPT-2 with the full 50,257-token vocabulary; 4 layers give MEMIT a layer range.</summary>
    public static Gpt2Config Model => new()
    {
        VocabSize = 50257, Positions = 128, Embedding = 128, Layers = 4, Heads = 4,
        BosTokenId = 50256, EosTokenId = 50256,
    };

    public const int InitSeed = 20251122;

    public static TrainingOptions Training => new()
    {
        Epochs = 18,
        BatchSequences = 64,
        PeakLearningRate = 3e-3,
        WarmupSteps = 300,
        MinLearningRateRatio = 0.05,
        WeightDecay = 0.01,
        ClipNorm = 1.0,
        Seed = 7,
        CheckpointEvery = 250,
    };

    public static TrainingPreset Preset => new(Name, World, Model, InitSeed, Training);
}
