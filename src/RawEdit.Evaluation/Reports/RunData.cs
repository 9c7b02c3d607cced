using RawEdit.Evaluation.Sequential;

namespace RawEdit.Evaluation.Reports;

/// <summary>A run folder as the report reads it: its settings and its journal's whole records.</summary>
internal sealed record RunData(string Folder, RunSettings Settings, IReadOnlyList<EditEntry> Edits, IReadOnlyList<EvaluationEntry> Evaluations)
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

    /// <summary>
    /// The forgetting study's cumulative count (fact_forgetting.py): a learnt edit counts from the first re-score that
    /// finds it wrong, even if it recovers later; as a percentage of the edits learnt so far.
    /// </summary>
    public IEnumerable<(double AfterEdits, double Percent)> EverForgotten()
    {
        var learnt = Edits.Where(e => e.Measurement.RewriteCorrect).Select(e => e.Index).ToHashSet();
        var forgotten = new HashSet<int>();
        foreach (var v in Evaluations.Where(v => v.Forgetting is not null))
        {
            var f = v.Forgetting!;
            for (int j = 0; j < f.EditIndices.Count; j++)
                if (learnt.Contains(f.EditIndices[j]) && !f.PerEditCorrect[j]) forgotten.Add(f.EditIndices[j]);
            yield return (v.AfterEdits, f.Learnt == 0 ? double.NaN : 100.0 * forgotten.Count / f.Learnt);
        }
    }
}
