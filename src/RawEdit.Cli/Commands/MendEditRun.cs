using System.Diagnostics;
using RawEdit.Editing;
using RawEdit.Editing.Mend;
using RawEdit.Editing.Requests;
using RawEdit.Models;

namespace RawEdit.Cli.Commands;

/// <summary><c>rawedit edit --method mend --editor E</c>: each request edited by the editor on the model as edited so far.</summary>
internal static class MendEditRun
{
    public static List<object> Apply(LoadedModel loaded, string? editorPath, IReadOnlyList<EditRequest> requests, List<AppliedEdit> applied)
    {
        var editor = MendEditorFile.Load(editorPath ?? throw new ArgumentException("--method mend needs --editor (a folder made by rawedit mend-train)"), loaded.Model);
        var records = new List<object>();
        foreach (var request in requests)
        {
            var clock = Stopwatch.StartNew();
            var edit = editor.Compute(loaded.Model, [MendEditMethod.EditSequence(loaded.Tokenizer, request)]);
            applied.Add(edit.ApplyTo(loaded.Model));
            records.Add(new
            {
                case_id = request.CaseId, subject = request.Subject, prompt = request.Prompt, target_new = request.TargetNew,
                weights = edit.Updates.Select(u => new { weight = u.WeightName, rows = u.Rows, alpha = u.Alpha, delta_magnitude = u.NormalizedMagnitude }),
                seconds = clock.Elapsed.TotalSeconds,
            });
            Console.WriteLine($"{request.CaseId}: {request.FilledPrompt} → {request.TargetNew}  MEND on {edit.Updates.Count} matrices  {clock.Elapsed.TotalSeconds:F2} s");
        }
        return records;
    }
}
