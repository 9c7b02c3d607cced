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
            ["mean_clean"] = a.MeanClean,
            ["mean_corrupted"] = a.MeanCorrupted,
            ["peak_layer_mlp_last_subject_token"] = a.PeakLayer(TraceKind.Mlp, TokenRole.LastSubject),
            ["peak_layer_hidden_last_subject_token"] = a.PeakLayer(TraceKind.HiddenState, TokenRole.LastSubject),
            ["mean_indirect_effect"] = kinds,
        };
    }

    private static JsonArray Matrix(double[][] rows) =>
        new(rows.Select(r => (JsonNode)new JsonArray(r.Select(v => (JsonNode)v!).ToArray())).ToArray());
}
