using RawEdit.Models.Gpt2;
using RawEdit.Models.Training;

namespace RawEdit.Evaluation.World;

/// <summary>
/// A recipe <c>rawedit train --preset NAME</c> follows: the world, the architecture, the initialisation seed and the
/// training settings. The same recipe, seed and thread count give the same weights bit for bit.
/// </summary>
internal sealed record TrainingPreset(string Name, WorldOptions World, Gpt2Config Model, int InitSeed, TrainingOptions Training);

/// <summary>The presets the trainer knows.</summary>
internal static class TrainingPresets
{
    public static IReadOnlyList<TrainingPreset> All { get; } = [TinyWorldPreset.Preset, SmallWorldPreset.Preset];

    /// <exception cref="ArgumentException">No preset has that name.</exception>
    public static TrainingPreset Find(string name) => All.FirstOrDefault(p => p.Name == name)
        ?? throw new ArgumentException($"unknown preset '{name}' (known: {string.Join(", ", All.Select(p => p.Name))})");
}
