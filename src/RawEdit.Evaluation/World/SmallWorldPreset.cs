using RawEdit.Models.Gpt2;
using RawEdit.Models.Training;

namespace RawEdit.Evaluation.World;

/// <summary>
/// The second default model (issue 20): deep enough that ROME's edit layer sits inside the network with layers below it
/// to build the key and above it to read the value, and wide enough for twice tiny-world's facts plus running prose.
/// The plan, the measured step time and the estimated training time are in weights/small-world/README.md.
/// </summary>
internal static class SmallWorldPreset
{
    public const string Name = "small-world";

    public static WorldOptions World => WorldOptions.SmallWorld;

    /// <summary>
    /// GPT-2, 8 layers × 256 wide, 8 heads of 32, MLP 1,024, 128 positions, the full GPT-2 vocabulary (trained through
    /// <see cref="VocabularySubset"/>: rows of tokens the corpus never uses stay zero). 6.3 M block parameters.
    /// </summary>
    public static Gpt2Config Model => new()
    {
        VocabSize = 50257, Positions = 128, Embedding = 256, Layers = 8, Heads = 8,
        BosTokenId = 50256, EosTokenId = 50256,
    };

    public const int InitSeed = 20260120;

    /// <summary>
    /// AdamW with linear warm-up and cosine decay to 5%. Peak 2e-3: tiny-world's 3e-3 scaled by √(128/256) for the wider
    /// model. 12 epochs (tiny-world needed 18 at a quarter of the block parameters); checkpoints every 100 steps so a session
    /// that stops loses little.
    /// </summary>
    public static TrainingOptions Training => new()
    {
        Epochs = 12,
        BatchSequences = 64,
        PeakLearningRate = 2e-3,
        WarmupSteps = 500,
        MinLearningRateRatio = 0.05,
        WeightDecay = 0.01,
        ClipNorm = 1.0,
        Seed = 11,
        CheckpointEvery = 100,
    };

    public static TrainingPreset Preset => new(Name, World, Model, InitSeed, Training);
}
