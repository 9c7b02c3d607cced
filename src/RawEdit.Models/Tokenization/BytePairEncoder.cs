namespace RawEdit.Models.Tokenization;

/// <summary>
/// Byte-pair encoding of one pre-tokenised piece, with the result of the original GPT-2 loop: repeatedly
/// take the lowest-ranked adjacent pair and merge all of its occurrences left to right. Instead of
/// rescanning the word for every merge (quadratic, painful on a long run of spaces or letters), the symbols
/// form a linked list and candidate pairs wait in a heap ordered by (rank, position).
/// </summary>
internal sealed class BytePairEncoder
{
    private readonly int[] _idOfByte;
    private readonly BpeMergeTable _merges;

    private const int MaxPooledLength = 4096;

    [ThreadStatic] private static Workspace? t_workspace;

    public BytePairEncoder(int[] idOfByte, BpeMergeTable merges)
    {
        _idOfByte = idOfByte;
        _merges = merges;
    }

    /// <summary>Vocabulary ids for the UTF-8 bytes of one piece (non-empty).</summary>
    public int[] Encode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 1)
            return [_idOfByte[bytes[0]]];

        // Very long pieces get their own buffers so a thread does not keep them alive afterwards.
        var work = bytes.Length <= MaxPooledLength ? t_workspace ??= new Workspace() : new Workspace();
        work.Reset(bytes.Length);
        int[] ids = work.Ids, next = work.Next, previous = work.Previous;
        for (int i = 0; i < bytes.Length; i++)
        {
            ids[i] = _idOfByte[bytes[i]];
            previous[i] = i - 1;
            next[i] = i + 1 < bytes.Length ? i + 1 : -1;
        }
        for (int i = 0; i + 1 < bytes.Length; i++)
            Offer(work, i, currentRank: -1);

        int remaining = bytes.Length;
        int currentRank = -1;
        while (TryTakeCandidate(work, currentRank, out int position, out int rank))
        {
            if (RankAt(work, position) != rank)
                continue; // stale: one of its symbols was merged away since it was queued
            currentRank = rank;
            int right = next[position];
            ids[position] = _merges.MergedId(rank);
            ids[right] = -1;
            next[position] = next[right];
            if (next[right] >= 0)
                previous[next[right]] = position;
            remaining--;
            if (previous[position] >= 0)
                Offer(work, previous[position], currentRank);
            Offer(work, position, currentRank);
        }

        // Position 0 is never merged away: a merge keeps the left symbol's position.
        var result = new int[remaining];
        for (int position = 0, k = 0; position >= 0; position = next[position])
            result[k++] = ids[position];
        return result;
    }

    /// <summary>Rank of the pair that starts at <paramref name="position"/>, or -1 if it is not a merge.</summary>
    private int RankAt(Workspace work, int position)
    {
        int left = work.Ids[position];
        int right = work.Next[position];
        if (left < 0 || right < 0)
            return -1;
        return _merges.TryGetRank(left, work.Ids[right], out int rank) ? rank : -1;
    }

    /// <summary>
    /// Queues the pair at <paramref name="position"/> if it is a merge. The original merges every occurrence
    /// of the current pair before looking at any other, so a new pair that outranks the current one (only
    /// possible with an unusual merges file) waits until the current rank is exhausted.
    /// </summary>
    private void Offer(Workspace work, int position, int currentRank)
    {
        int rank = RankAt(work, position);
        if (rank < 0)
            return;
        if (rank < currentRank)
            work.Deferred.Add(position);
        else
            work.Queue.Enqueue(position, Priority(rank, position));
    }

    private bool TryTakeCandidate(Workspace work, int currentRank, out int position, out int rank)
    {
        while (true)
        {
            bool any = work.Queue.TryPeek(out position, out long priority);
            rank = (int)(priority >> 32);
            if (work.Deferred.Count > 0 && (!any || rank != currentRank))
            {
                foreach (int deferred in work.Deferred)
                    if (RankAt(work, deferred) is var deferredRank and >= 0)
                        work.Queue.Enqueue(deferred, Priority(deferredRank, deferred));
                work.Deferred.Clear();
                continue;
            }
            if (any)
                work.Queue.Dequeue();
            return any;
        }
    }

    private static long Priority(int rank, int position) => ((long)rank << 32) | (uint)position;

    /// <summary>Per-thread buffers reused across calls, so encoding a piece allocates only its result.</summary>
    private sealed class Workspace
    {
        public int[] Ids = new int[64];
        public int[] Next = new int[64];
        public int[] Previous = new int[64];
        public readonly PriorityQueue<int, long> Queue = new();
        public readonly List<int> Deferred = [];

        public void Reset(int length)
        {
            if (Ids.Length < length)
            {
                int capacity = Math.Max(length, Ids.Length * 2);
                Ids = new int[capacity];
                Next = new int[capacity];
                Previous = new int[capacity];
            }
            Queue.Clear();
            Deferred.Clear();
        }
    }
}
