using System.Text.Encodings.Web;
using System.Text.Json;

namespace RawEdit.Tests.Models.Tokenization;

/// <summary>
/// The committed oracle fixture: sample lines and, for each, the ids that gpt-3-encoder gives
/// (regenerate with tools/tokenizer-oracle). Loaded once per test run.
/// </summary>
internal static class OracleFixture
{
    private const string Folder = "tests/RawEdit.Tests/Models/Tokenization/Fixtures";

    private static readonly Lazy<(string[] Lines, int[][] Ids)> Loaded = new(Load);

    public static string[] Lines => Loaded.Value.Lines;

    public static int[][] ExpectedIds => Loaded.Value.Ids;

    /// <summary>Splits on "\n" only: a line may contain "\r", U+2028 and other breaks that are part of the case.</summary>
    public static string[] ReadLines(string path)
    {
        string text = File.ReadAllText(TestPaths.InRepo(path));
        if (!text.EndsWith('\n'))
            throw new InvalidDataException($"{path} must end with a newline");
        return text[..^1].Split('\n');
    }

    private static (string[], int[][]) Load()
    {
        string[] lines = ReadLines($"{Folder}/tokenizer-sample.txt");
        int[][] ids = ReadLines($"{Folder}/tokenizer-expected.jsonl")
            .Select(json => JsonSerializer.Deserialize<int[]>(json)!)
            .ToArray();
        if (ids.Length != lines.Length)
            throw new InvalidDataException($"{lines.Length} sample lines but {ids.Length} lines of expected ids");
        return (lines, ids);
    }

    /// <summary>A line shortened for failure messages, with invisible characters made visible.</summary>
    public static string Show(string line) =>
        JsonSerializer.Serialize(line.Length > 120 ? line[..120] + "…" : line, ReadableJson);

    private static readonly JsonSerializerOptions ReadableJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Show(IEnumerable<int> ids) => "[" + string.Join(", ", ids) + "]";
}
