using RawEdit.Evaluation.Sequential;

namespace RawEdit.Evaluation.Reports;

/// <summary>A run folder as the report reads it: its settings and its journal's whole records.</summary>
public sealed record RunData(string Folder, RunSettings Settings, IReadOnlyList<EditEntry> Edits, IReadOnlyList<EvaluationEntry> Evaluations)
{
    public string Label => $"{Settings.Method} ({Path.GetFileName(Folder)})";

    public static RunData Load(string folder)
    {
        string settingsPath = Path.Combine(folder, RunSettings.FileName), journalPath = Path.Combine(folder, SequentialRunner.JournalFile);
        if (!File.Exists(settingsPath)) throw new FileNotFoundException($"{folder} is not a run folder: {RunSettings.FileName} is missing", settingsPath);
        var records = File.Exists(journalPath) ? EditJournal.Read(journalPath).Records : [];
        var (edits, evaluations) = JournalEntries.Parse(records, journalPath);
        return new RunData(Path.GetFullPath(folder), RunSettings.Load(settingsPath), edits, evaluations.OrderBy(e => e.AfterEdits).ToList());
    }

    /// <summary>The largest |Δ| over the weights an edit changed.</summary>
    public static double Magnitude(EditEntry e) => EditedWeights.Largest(e.Measurement.EditMagnitude);

    public static double Distance(EditEntry e) => EditedWeights.Largest(e.Measurement.DistanceFromOriginal);
}
