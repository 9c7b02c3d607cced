namespace RawEdit.Models.Checkpoints;

/// <summary>
/// Builds the exception thrown for malformed checkpoint files. <see cref="InvalidDataException"/>
/// is sealed, so there is no subclass: every message starts with the file it concerns, followed
/// by the problem, so it can be shown to a user as is.
/// </summary>
internal static class CheckpointFormatError
{
    public static InvalidDataException Create(string filePath, string problem, Exception? inner = null) =>
        new($"{filePath}: {problem}", inner);
}
