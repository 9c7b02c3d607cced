namespace RawEdit.Benchmarks;

/// <summary>
/// The loop every benchmark server runs for benchmarks/server_client.py: it greets with "ready", then answers each
/// request line ("command arg …") with one line: the handler's answer, or "error …" for a failed or unknown
/// command; "quit" (or the end of input) ends it. Every server also answers "vector-path" with
/// <see cref="MachineInfo.Describe"/>, for the machine line the scripts print.
/// </summary>
public static class LineProtocol
{
    public static int Serve(TextReader input, TextWriter output, IReadOnlyDictionary<string, Func<string[], string>> handlers)
    {
        output.WriteLine("ready");
        output.Flush();
        while (input.ReadLine() is { } line)
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0) continue;
            if (words[0] == "quit") return 0;
            try
            {
                output.WriteLine(handlers.TryGetValue(words[0], out var handle) ? handle(words)
                    : words[0] == "vector-path" ? MachineInfo.Describe()
                    : $"error unknown command {words[0]}");
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException or IndexOutOfRangeException or ArgumentException or IOException)
            {
                output.WriteLine($"error {e.Message.ReplaceLineEndings(" ")}");
            }
            output.Flush();
        }
        return 0;
    }
}
