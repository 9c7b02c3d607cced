using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace RawEdit.Evaluation.Sequential;

/// <summary>
/// An append-only journal of JSON records, one per line: <c>payload TAB sha256(payload)[..16] LF</c>.
/// Every append is flushed to disk before it returns, so a process killed at any moment leaves whole records
/// and at most one torn last line. Reading drops a torn or unterminated last line (the write it belonged to
/// never finished) and refuses a damaged line anywhere else, naming it.
/// </summary>
internal sealed class EditJournal : IDisposable
{
    private const char Separator = '\t';
    private readonly FileStream stream;

    private EditJournal(FileStream stream) => this.stream = stream;

    /// <summary>Reads the whole records of <paramref name="path"/>, cuts a torn tail off the file, and opens it for appending.</summary>
    public static EditJournal Open(string path, out IReadOnlyList<JsonObject> records, out bool droppedTornRecord)
    {
        var (read, goodLength, torn) = File.Exists(path) ? Read(path) : ([], 0L, false);
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        if (stream.Length != goodLength) stream.SetLength(goodLength);
        stream.Seek(0, SeekOrigin.End);
        records = read;
        droppedTornRecord = torn;
        return new EditJournal(stream);
    }

    /// <summary>The whole records, the byte length they span, and whether a torn last line followed them.</summary>
    public static (List<JsonObject> Records, long Length, bool Torn) Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var records = new List<JsonObject>();
        long offset = 0;
        int lineNumber = 0;
        while (offset < bytes.Length)
        {
            lineNumber++;
            int end = Array.IndexOf(bytes, (byte)'\n', (int)offset);
            bool last = end < 0 || end == bytes.Length - 1;
            if (end < 0) return (records, offset, true);
            var record = Parse(bytes.AsSpan((int)offset, end - (int)offset));
            if (record is null)
            {
                if (last) return (records, offset, true);
                throw new InvalidDataException($"{path}: journal line {lineNumber} is damaged (checksum or JSON) and more records follow it");
            }
            records.Add(record);
            offset = end + 1;
        }
        return (records, offset, false);
    }

    public void Append(JsonObject record)
    {
        string payload = record.ToJsonString();
        if (payload.Contains('\n')) throw new ArgumentException("a journal record must serialise to one line");
        var line = Encoding.UTF8.GetBytes(payload + Separator + Checksum(payload) + "\n");
        stream.Write(line);
        stream.Flush(flushToDisk: true);
    }

    public void Dispose() => stream.Dispose();

    private static JsonObject? Parse(ReadOnlySpan<byte> line)
    {
        string text = Encoding.UTF8.GetString(line);
        int tab = text.LastIndexOf(Separator);
        if (tab < 0 || text[(tab + 1)..] != Checksum(text[..tab])) return null;
        try { return JsonNode.Parse(text[..tab]) as JsonObject; }
        catch (System.Text.Json.JsonException) { return null; }
    }

    private static string Checksum(string payload) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(payload)))[..16].ToLowerInvariant();
}
