namespace RawEdit.Editing;

/// <summary>
/// Where an editing method finds what it needs beyond the model. Every value may stay null for the shipped default model
/// ("tiny-world"), and for GPT-2 XL and GPT-J 6B, whose upstream hyperparameters are built in (their statistics are not:
/// make them with <c>rawedit stats</c>).
/// </summary>
/// <param name="Hparams">A hyperparameters JSON file with upstream's keys (as <c>hparams/ROME/gpt2-xl.json</c>, <c>hparams/MEMIT/gpt2-xl.json</c>).</param>
/// <param name="Stats">The second-moment statistics folder (<c>rawedit stats --out</c>), needed when <c>mom2_adjustment</c> is on.</param>
/// <param name="Templates">A JSON list of context templates ("{}" first); null generates them from the model, seeded by <paramref name="Seed"/>.</param>
/// <param name="Seed">Seed for generating context templates.</param>
/// <param name="Editor">A trained MEND editor folder (<c>rawedit mend-train --out</c>), for MEND only.</param>
public sealed record EditOptions(string? Hparams = null, string? Stats = null, string? Templates = null, int Seed = 0, string? Editor = null);
