using System.Text.Json;
using System.Text.Json.Nodes;

namespace RawEdit.Evaluation.Tracing;

/// <summary>
/// The JSON form of traces: per prompt its tokens, subject span, target, clean / corrupted p, and per kind the restored
/// p and the indirect effect [token][layer]; for an average, the mean effect per kind, role and layer and the peak layers.
/// </summary>
internal static class TraceJson
{
    public static string Render(string model, IReadOnlyList<CausalTrace> traces, TraceAverage? average)
    {
        var root = new JsonObject { ["model"] = model, ["traces"] = new JsonArray(traces.Select(Trace).ToArray()) };
        if (average is not null) root["average"] = Average(average);
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static JsonNode Trace(CausalTrace t)
    {
        var kinds = new JsonObject();
        foreach (var kind in TraceKinds.All)
            kinds[TraceKinds.Name(kind)] = new JsonObject
            {
                ["restored"] = Matrix(t.Restored[TraceKinds.Name(kind)]),
                ["indirect_effect"] = Matrix(t.IndirectEffect(kind)),
            };
        return new JsonObject
        {
            ["tokens"] = new JsonArray(t.Tokens.Select(s => (JsonNode)s!).ToArray()),
            ["subject"] = new JsonArray(t.Subject.Start, t.Subject.End),
            ["target_id"] = t.TargetId,
            ["target"] = t.Target,
            ["clean"] = t.Clean,
            ["corrupted"] = t.Corrupted,
            ["noise_scale"] = double.IsNaN(t.NoiseScale) ? null : t.NoiseScale,
            ["samples"] = t.Samples,
            ["window"] = t.Window,
            ["kinds"] = kinds,
        };
    }

    private static JsonNode Average(TraceAverage a)
    {
        var kinds = new JsonObject();
        foreach (var kind in TraceKinds.All)
        {
            var roles = new JsonObject();
            foreach (var role in TokenRoles.Averaged.Where(r => a.PromptsWith(r) > 0))
                roles[TokenRoles.Name(role)] = new JsonArray(a.Mean(kind, role).Select(v => (JsonNode)v!).ToArray());
            kinds[TraceKinds.Name(kind)] = roles;
        }
        return new JsonObject
        {
            ["prompts"] = a.Prompts,
            ["layers"] = a.Layers,
            ["prompts_per_role"] = new JsonObject(TokenRoles.Averaged.Where(r => a.PromptsWith(r) > 0)
                .Select(r => KeyValuePair.Create(TokenRoles.Name(r), (JsonNode?)a.PromptsWith(r)))),
            ["mean_clean"] = a.MeanClean,
            ["mean_corrupted"] = a.MeanCorrupted,
            ["peak_layer_mlp_last_subject_token"] = a.PeakLayer(TraceKind.Mlp, TokenRole.LastSubject),
            ["peak_layer_hidden_last_subject_token"] = a.PeakLayer(TraceKind.HiddenState, TokenRole.LastSubject),
            ["mean_indirect_effect"] = kinds,
        };
    }

    /// <summary>The model name and average of a file written by <see cref="Render"/> (<c>rawedit trace --data … --json FILE</c>).</summary>
    /// <exception cref="InvalidDataException">The file holds no average (a single-prompt trace) or a malformed one.</exception>
    public static (string Model, TraceAverage Average) ReadAverage(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path}: not a JSON object");
        var averageNode = root["average"] as JsonObject
                ?? throw new InvalidDataException($"{path}: no average over prompts (write one with rawedit trace --data FILE --json {Path.GetFileName(path)})");
        if (averageNode["layers"] is null || averageNode["prompts_per_role"] is null)
            throw new InvalidDataException($"{path}: written by an older rawedit trace (no layer count or prompts per role); run rawedit trace --data … --json again");
        try
        {
            var perRole = ((JsonObject)averageNode["prompts_per_role"]!).ToDictionary(e => RoleNamed(e.Key), e => (int)e.Value!);
            var means = new Dictionary<(TraceKind, TokenRole), double[]>();
            foreach (var (kindName, roles) in (JsonObject)averageNode["mean_indirect_effect"]!)
                foreach (var (roleName, values) in (JsonObject)roles!)
                    means[(KindNamed(kindName), RoleNamed(roleName))] = ((JsonArray)values!).Select(v => (double)v!).ToArray();
            var average = TraceAverage.Restore((int)averageNode["layers"]!, (int)averageNode["prompts"]!,
                (double)averageNode["mean_clean"]!, (double)averageNode["mean_corrupted"]!, perRole, means);
            return ((string?)root["model"] ?? "", average);
        }
        catch (Exception e) when (e is NullReferenceException or InvalidCastException or FormatException or InvalidOperationException
                                      or ArgumentException or InvalidDataException)
        {
            throw new InvalidDataException($"{path}: malformed trace average ({e.Message})", e);
        }
    }

    private static TraceKind KindNamed(string name) =>
        TraceKinds.All.FirstOrDefault(k => TraceKinds.Name(k) == name, (TraceKind)(-1)) is var kind && kind >= 0 ? kind
            : throw new InvalidDataException($"unknown trace kind '{name}'");

    private static TokenRole RoleNamed(string name) =>
        TokenRoles.Averaged.FirstOrDefault(r => TokenRoles.Name(r) == name, (TokenRole)(-1)) is var role && role >= 0 ? role
            : throw new InvalidDataException($"unknown token role '{name}'");

    private static JsonArray Matrix(double[][] rows) =>
        new(rows.Select(r => (JsonNode)new JsonArray(r.Select(v => (JsonNode)v!).ToArray())).ToArray());
}
