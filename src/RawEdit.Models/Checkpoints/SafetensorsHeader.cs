namespace RawEdit.Models.Checkpoints;

/// <summary>The validated result of parsing a safetensors header against the file's length.</summary>
internal sealed record SafetensorsHeader(
    IReadOnlyDictionary<string, TensorEntry> Entries,
    IReadOnlyDictionary<string, string> Metadata,
    long HeaderLength,
    long DataSectionOffset,
    long DataSectionLength);
