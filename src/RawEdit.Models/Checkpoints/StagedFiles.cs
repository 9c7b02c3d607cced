namespace RawEdit.Models.Checkpoints;

/// <summary>
/// Writes files under temporary names in their target directory and renames them into place
/// only on <see cref="Commit"/>, so an existing file is never left half-written. Temporaries not
/// committed are deleted on dispose (e.g. when writing throws).
/// </summary>
internal sealed class StagedFiles : IDisposable
{
    private readonly List<(string Temporary, string Final)> _staged = new();
    private bool _committed;

    public void Stage(string finalPath, Action<FileStream> writeContent)
    {
        string full = Path.GetFullPath(finalPath);
        string directory = Path.GetDirectoryName(full)
            ?? throw new ArgumentException($"'{finalPath}' has no parent directory.", nameof(finalPath));
        // Same directory as the target, so the final rename never crosses file systems.
        string temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        _staged.Add((temporary, full));
        using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None,
            bufferSize: 1 << 20);
        writeContent(stream);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Renames every staged file over its target, in staging order.</summary>
    public void Commit()
    {
        foreach (var (temporary, final) in _staged)
        {
            File.Move(temporary, final, overwrite: true);
        }
        _committed = true;
    }

    public void Dispose()
    {
        if (_committed)
        {
            return;
        }
        foreach (var (temporary, _) in _staged)
        {
            try
            {
                File.Delete(temporary);
            }
            catch (IOException)
            {
                // Best effort: the original error matters more than a leftover temporary.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
