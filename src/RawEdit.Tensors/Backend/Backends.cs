using RawEdit.Tensors.Cpu;

namespace RawEdit.Tensors.Backend;

/// <summary>
/// The backend new tensors are created on: the calling thread's choice (<see cref="Use"/>, so tests can switch
/// devices safely), else the process's (<see cref="ProcessDefault"/>, what the CLI's --device sets), else the CPU.
/// </summary>
internal static class Backends
{
    public static readonly IBackend Cpu = new CpuBackend();

    [ThreadStatic] private static IBackend? current;

    /// <summary>The backend of every thread that has not chosen its own (the CPU unless set).</summary>
    public static IBackend ProcessDefault { get; set; } = Cpu;

    public static IBackend Default
    {
        get => current ?? ProcessDefault;
        set => current = value;
    }

    /// <summary>Makes <paramref name="backend"/> the default until disposed.</summary>
    public static IDisposable Use(IBackend backend)
    {
        var previous = current;
        current = backend;
        return new Restore(() => current = previous);
    }

    private sealed class Restore(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
