using RawEdit.Tensors.Cpu;

namespace RawEdit.Tensors.Backend;

/// <summary>The backend new tensors are created on (thread-local so tests can switch devices safely).</summary>
public static class Backends
{
    public static readonly IBackend Cpu = new CpuBackend();

    [ThreadStatic] private static IBackend? current;

    public static IBackend Default
    {
        get => current ?? Cpu;
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
