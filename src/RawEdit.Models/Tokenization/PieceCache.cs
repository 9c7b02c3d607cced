using System.Collections.Concurrent;

namespace RawEdit.Models.Tokenization;

/// <summary>
/// Thread-safe memo of piece → ids. Natural text reuses a small set of words, so most pieces skip BPE.
/// Bounded by emptying it when full: cheap, and a warm cache refills within a few thousand words.
/// </summary>
internal sealed class PieceCache
{
    /// <summary>Longer pieces are rare and would mostly waste memory.</summary>
    public const int MaxPieceLength = 64;

    private readonly ConcurrentDictionary<string, int[]> _idsOfPiece = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
    private readonly int _capacity;
    private int _added;

    public PieceCache(int capacity)
    {
        _capacity = capacity;
        _bySpan = _idsOfPiece.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Cached ids for <paramref name="piece"/>; the array is shared and must not be modified.</summary>
    public bool TryGet(ReadOnlySpan<char> piece, out int[] ids) => _bySpan.TryGetValue(piece, out ids!);

    public void Add(ReadOnlySpan<char> piece, int[] ids)
    {
        if (piece.Length > MaxPieceLength)
            return;
        if (Interlocked.Increment(ref _added) > _capacity)
        {
            _idsOfPiece.Clear();
            Interlocked.Exchange(ref _added, 0);
        }
        _bySpan.TryAdd(piece, ids);
    }
}
