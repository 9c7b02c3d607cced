using System.Diagnostics;

namespace RawEdit.Tensors.Profiling;

/// <summary>Seconds charged to one kind of work, in its forward (or plain) or backward part.</summary>
internal sealed record ProfiledKind(string Kind, bool Backward, double Seconds);

/// <summary>
/// A stopwatch breakdown of one thread's time by kind of work ("qkv linear", "GELU", "AdamW", …), for
/// benchmarks/RawEdit.Benchmarks profile. Code marks where a kind of work begins with <see cref="Enter"/>; the time
/// until the next mark is charged to that kind (a lap timer, so marks never nest and every tick lands somewhere).
/// Tape nodes remember the kind their op was recorded under, and <c>Tape.Backward</c> charges each node's closure
/// to that kind's backward part.
/// With no profiler started on the thread a mark costs one thread-static read, and nodes carry a null kind.
/// Wall time of the calling thread: right for the CPU backend, whose ops return when their work is done; on a device
/// that queues work, the time would land on whichever op waits for it.
/// </summary>
internal sealed class OpProfiler : IDisposable
{
    [ThreadStatic] private static OpProfiler? active;

    private readonly Dictionary<(string Kind, bool Backward), double> seconds = new();
    private readonly List<(string Kind, bool Backward)> order = new();
    private (string Kind, bool Backward) current;
    private long lapStart;

    private OpProfiler(string firstKind)
    {
        current = (firstKind, false);
        lapStart = Stopwatch.GetTimestamp();
    }

    /// <summary>Starts profiling this thread; time until the first mark goes to <paramref name="firstKind"/>.</summary>
    public static OpProfiler Start(string firstKind = "other")
    {
        if (active is not null) throw new InvalidOperationException("a profiler is already running on this thread");
        return active = new OpProfiler(firstKind);
    }

    /// <summary>The kind being timed on this thread, or null when no profiler runs.</summary>
    public static string? CurrentKind => active?.current.Kind;

    /// <summary>Charges the time from here to the next mark to <paramref name="kind"/> (nothing when no profiler runs).</summary>
    public static void Enter(string kind) => active?.Switch((kind, false));

    /// <summary>Charges the time from here to the next mark to the backward part of <paramref name="kind"/>.</summary>
    public static void EnterBackward(string? kind) => active?.Switch((kind ?? "unmarked", true));

    private void Switch((string Kind, bool Backward) next)
    {
        long now = Stopwatch.GetTimestamp();
        Charge(now);
        current = next;
        lapStart = now;
    }

    private void Charge(long now)
    {
        if (!seconds.ContainsKey(current)) order.Add(current);
        seconds[current] = seconds.GetValueOrDefault(current) + (double)(now - lapStart) / Stopwatch.Frequency;
    }

    /// <summary>Ends profiling and returns the time of each kind, in the order the kinds were first entered.</summary>
    public IReadOnlyList<ProfiledKind> Stop()
    {
        if (active == this)
        {
            Charge(Stopwatch.GetTimestamp());
            active = null;
        }
        return order.Select(k => new ProfiledKind(k.Kind, k.Backward, seconds[k])).ToList();
    }

    public void Dispose() => Stop();
}
