using System.CommandLine;
using System.Text.Json.Nodes;
using RawEdit.Editing.Saving;
using RawEdit.Evaluation.Saving;
using RawEdit.Models.Checkpoints;

namespace RawEdit.Cli.Commands;

/// <summary>
/// The <c>--save-dtype</c> option and how a save's precision report and saved-model check are shown: one line per save
/// (worst tensor first), a plain warning when a stored update lost more than 1%, and the same figures as JSON.
/// </summary>
internal static class SavePrecisionOutput
{
    public static Option<string> Option() => new("--save-dtype")
    {
        Description = $"Storage dtype of the saved model: {SaveDTypes.Choices} (same: as loaded)", DefaultValueFactory = _ => "same",
    };

    /// <summary>"saved as bf16: 6 edited tensors keep ‖ΔŜ‖/‖ΔW‖ 0.98–1.01, worst relative error 3.1e-2 (h.47.mlp.c_fc.weight)", then a warning when due.</summary>
    public static void Print(SaveReport report)
    {
        if (report.Updates.Count == 0)
        {
            Console.WriteLine($"saved as {report.DType.Name()}: no weight was changed");
            return;
        }
        var worst = report.Updates.MaxBy(u => u.RelativeError)!;
        var ratios = report.Updates.Select(u => u.UpdateNorm == 0 ? 1 : u.StoredUpdateNorm / u.UpdateNorm).ToList();
        string types = string.Join("/", report.Updates.Select(u => u.DType.HeaderName()).Distinct());
        Console.WriteLine(($"saved as {report.DType.Name()} ({types}): {report.Updates.Count} edited tensor(s), stored ‖ΔW‖ / computed ‖ΔW‖ " +
                                    $"{ratios.Min():F4}–{ratios.Max():F4}, worst relative error of the stored update {worst.RelativeError:0.00e+00} " +
                                    $"(cosine {worst.Cosine:F5}, {worst.Name})"));
        if (report.LosesUpdate)
            Console.WriteLine(($"warning: the saved file loses {worst.RelativeError:P1} of the edit to {worst.Name} to {worst.DType.HeaderName()} rounding " +
                                        $"(more than {StoredUpdate.LossThreshold:P0}); --save-dtype f32 keeps it exactly"));
    }

    /// <summary>Target probability per request in memory and as saved, one line each.</summary>
    public static void Print(IReadOnlyList<SavedEditScore> scores)
    {
        foreach (var s in scores)
            Console.WriteLine(($"{s.CaseId ?? "edit"}: P({s.Target.Trim()} | {s.Prompt}) in memory {s.InMemoryProbability:F4}, as saved {s.SavedProbability:F4}"));
    }

    public static JsonObject Json(SaveReport report) => new()
    {
        ["save_dtype"] = report.DType.Name(),
        ["loses_more_than_1_percent"] = report.LosesUpdate,
        ["tensors"] = new JsonArray(report.Updates.Select(u => (JsonNode)new JsonObject
        {
            ["weight"] = u.Name, ["stored_dtype"] = u.DType.HeaderName(), ["update_norm"] = u.UpdateNorm,
            ["stored_update_norm"] = u.StoredUpdateNorm, ["relative_error"] = u.RelativeError, ["cosine"] = u.Cosine,
        }).ToArray()),
    };

    public static JsonArray Json(IReadOnlyList<SavedEditScore> scores) => new(scores.Select(s => (JsonNode)new JsonObject
    {
        ["case_id"] = s.CaseId, ["prompt"] = s.Prompt, ["target_new"] = s.Target,
        ["probability_in_memory"] = s.InMemoryProbability, ["probability_as_saved"] = s.SavedProbability,
    }).ToArray());
}
