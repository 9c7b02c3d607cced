using System.Text.Json;
using System.Text.Json.Nodes;

namespace RawEdit.Evaluation.Sequential;

/// <summary>What the disabling-edit guard does with an edit it predicts to be disabling.</summary>
internal enum GuardMode { Off, Flag, Refuse }

/// <summary>
/// Guard thresholds: an edit is predicted disabling when its |Δ| exceeds <see cref="MagnitudeRatio"/> × the median
/// |Δ| of the accepted edits so far (judged once <see cref="Warmup"/> edits are in), or when the normalised
/// entropy of the post-edit probe texts falls below <see cref="EntropyFloor"/>.
/// </summary>
internal sealed record GuardOptions(GuardMode Mode = GuardMode.Off, double MagnitudeRatio = 10, double EntropyFloor = 0.5, int Warmup = 5);

/// <summary>
/// Everything that decides a run's results, stored in RUN/run.json. A resume must present the same settings
/// (the number of edits may grow) and the same thread count, because only then is the replay bit-exact.
/// </summary>
internal sealed record RunSettings
{
    public required string Model { get; init; }
    public required string ModelSha256 { get; init; }
    public required string Method { get; init; }
    public required string Data { get; init; }
    public required string DataSha256 { get; init; }
    public required int Edits { get; init; }
    public required int EvalEvery { get; init; }
    public int Seed { get; init; }
    public int ProbePrompts { get; init; } = 3;
    public int ProbeTokens { get; init; } = 20;
    /// <summary>Top-k of the probe generations (ROME's generate_fast samples with top-k 5).</summary>
    public int ProbeTopK { get; init; } = 5;
    public string? Glue { get; init; }
    public int GlueExamples { get; init; } = 200;
    public GuardOptions Guard { get; init; } = new();
    public required JsonNode MethodSettings { get; init; }
    /// <summary>The MEND editor's path (its SHA-256 is in <see cref="MethodSettings"/>); null for the other methods.</summary>
    public string? Editor { get; init; }
    public int Threads { get; init; } = Environment.ProcessorCount;

    public const string FileName = "run.json";

    public void Validate()
    {
        if (Edits < 1) throw new ArgumentException($"--edits must be at least 1, got {Edits}");
        if (EvalEvery < 1) throw new ArgumentException($"--eval-every must be at least 1, got {EvalEvery}");
        if (ProbePrompts < 1 || ProbeTokens < 1) throw new ArgumentException("--probe-prompts and --probe-tokens must be at least 1");
        if (Guard.MagnitudeRatio <= 1 || Guard.EntropyFloor < 0 || Guard.Warmup < 1)
            throw new ArgumentException("guard thresholds: the |Δ| ratio must exceed 1, the entropy floor be ≥ 0, the warm-up be at least 1 edit");
    }

    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions(JournalEntries.Json) { WriteIndented = true });

    public static RunSettings Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<RunSettings>(File.ReadAllText(path), JournalEntries.Json) ?? throw new InvalidDataException($"{path}: empty");
        }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a run's settings ({e.Message})", e); }
    }

    /// <summary>Why <paramref name="resumed"/> cannot continue this stored run, or null when it can.</summary>
    public string? Mismatch(RunSettings resumed)
    {
        var stored = JsonNode.Parse(ToJson())!.AsObject();
        var asked = JsonNode.Parse((resumed with { Edits = Edits }).ToJson())!.AsObject();
        // Paths may differ between machines and builds; the model's, the data's and the editor's hashes say whether they are the same.
        foreach (var (key, value) in stored.Where(p => p.Key is not ("model" or "data" or "editor")))
            if (!JsonNode.DeepEquals(value, asked[key]))
                return key == "threads"
                    ? $"the run was made with {Threads} threads and this process has {resumed.Threads}; replay is bit-exact only with the same count (set DOTNET_PROCESSOR_COUNT={Threads})"
                    : $"'{key}' differs from the stored run ({Compact(value)} stored, {Compact(asked[key])} now)";
        return null;
    }

    private static string Compact(JsonNode? node)
    {
        string text = node?.ToJsonString() ?? "null";
        return text.Length > 80 ? text[..77] + "..." : text;
    }

    public static string HashFile(string path) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant();
}
