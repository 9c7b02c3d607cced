namespace RawEdit.Benchmarks.Checkpoints;

/// <summary>The process's memory as Linux reports it in /proc/self/status (KiB), and GiB rounding for the reports.</summary>
internal static class ProcessMemory
{
    public static long Status(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0]);
        return 0;
    }

    public static double Gib(long kib) => Math.Round(kib / (1024.0 * 1024.0), 2);

    /// <summary>Peak resident set (VmHWM) in GiB.</summary>
    public static double PeakGib() => Gib(Status("VmHWM"));
}
