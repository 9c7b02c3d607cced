using System.Text;

namespace RawEdit.Evaluation.Datasets;

internal enum CasePart
{
    Train,
    Validation,
    HeldOut,
}

/// <summary>
/// A fixed split of edit cases by case id, for methods that learn from edit cases (MEND): FNV-1a of the id's
/// UTF-8 bytes, modulo 20, puts buckets 0–1 in held-out (10%), bucket 2 in validation (5%) and the rest in train.
/// The part of a case depends on its id alone, so adding or reordering records moves no other case.
/// </summary>
internal static class CaseSplit
{
    public static CasePart Of(string caseId)
    {
        uint hash = 2166136261;
        foreach (byte b in Encoding.UTF8.GetBytes(caseId)) hash = (hash ^ b) * 16777619;
        return (hash % 20) switch
        {
            0 or 1 => CasePart.HeldOut,
            2 => CasePart.Validation,
            _ => CasePart.Train,
        };
    }

    public static IReadOnlyList<EditCase> Select(IEnumerable<EditCase> cases, CasePart part) => cases.Where(c => Of(c.CaseId) == part).ToList();
}
