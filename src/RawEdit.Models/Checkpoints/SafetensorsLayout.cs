namespace RawEdit.Models.Checkpoints;

/// <summary>
/// Checks how tensors tile the data section. Like the reference implementation, the data
/// section must be covered exactly: tensors laid end to end from offset 0, with no overlap,
/// no unreferenced gap between tensors and no trailing bytes after the last one.
/// </summary>
internal static class SafetensorsLayout
{
    public static void ValidateCoverage(IEnumerable<TensorEntry> entries, long dataLength, string source)
    {
        var ordered = entries
            .OrderBy(e => e.DataBegin)
            .ThenBy(e => e.DataEnd)
            .ThenBy(e => e.Name, StringComparer.Ordinal)
            .ToList();

        long covered = 0;
        TensorEntry? previous = null;
        foreach (var entry in ordered)
        {
            if (entry.DataBegin < covered)
            {
                throw SafetensorsHeaderParser.Fail(source,
                    $"tensor '{entry.Name}' [{entry.DataBegin}, {entry.DataEnd}] overlaps tensor '{previous!.Name}' [{previous.DataBegin}, {previous.DataEnd}]");
            }
            if (entry.DataBegin > covered)
            {
                throw SafetensorsHeaderParser.Fail(source,
                    $"gap of {entry.DataBegin - covered} unreferenced bytes before tensor '{entry.Name}' at data offset {covered}; data must be contiguous");
            }
            covered = entry.DataEnd;
            previous = entry;
        }
        if (covered != dataLength)
        {
            throw SafetensorsHeaderParser.Fail(source,
                $"data section has {dataLength - covered} trailing bytes not covered by any tensor (covered {covered} of {dataLength})");
        }
    }
}
