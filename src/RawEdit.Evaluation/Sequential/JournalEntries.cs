using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using RawEdit.Editing;

namespace RawEdit.Evaluation.Sequential;

/// <summary>float32 vectors as the journal stores them: their bits, little-endian, base64.</summary>
internal static class Float32Base64
{
    public static string Encode(float[] values) => Convert.ToBase64String(MemoryMarshal.AsBytes(values.AsSpan()));

    public static float[] Decode(string base64)
    {
        byte[] bytes = Convert.FromBase64String(base64);
        if (bytes.Length % sizeof(float) != 0) throw new InvalidDataException("a journaled vector is not a whole number of float32 values");
        return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }
}

/// <summary>A rank-one term as stored: the factors' float32 bits.</summary>
internal sealed record StoredTerm(string Weight, bool OutByIn, string U, string R)
{
    public static StoredTerm From(RankOneEdit term) => new(term.WeightName, term.OutByIn, Float32Base64.Encode(term.U), Float32Base64.Encode(term.R));

    public RankOneEdit ToEdit() => new(Weight, Float32Base64.Decode(U), Float32Base64.Decode(R), OutByIn);
}

/// <summary>
/// A preserved key as stored (AlphaEdit's K_p): its float32 bits. The journal keeps the keys, not K_pK_pᵀ [F, F]: a
/// resume adds them again in journal order, which gives the same sums bit for bit (<c>PreservedKeySums</c>).
/// </summary>
internal sealed record StoredKey(int Layer, string Key)
{
    public static StoredKey From(PreservedKey key) => new(key.Layer, Float32Base64.Encode(key.Key));

    public PreservedKey ToKey() => new(Layer, Float32Base64.Decode(Key));
}

/// <summary>How an edit scored right after it was made (editing-methods.md §2, §5).</summary>
/// <param name="ES">Efficacy: fraction of rewrite prompts with NLL_new &lt; NLL_true (0..1).</param>
/// <param name="PS">Paraphrase success, NaN without paraphrase prompts.</param>
/// <param name="NS">Neighbourhood success, NaN without neighbourhood prompts.</param>
/// <param name="RewriteCorrect">Every target token of every rewrite prompt is the argmax (the forgetting study's "learnt").</param>
/// <param name="EditMagnitude">This edit's own ‖ΔW‖_F / numel(W), per weight.</param>
/// <param name="DistanceFromOriginal">‖W − W₀‖_F / numel(W) against the pristine weights, per weight: r-ROME's |Δ| and the forgetting study's distance.</param>
/// <param name="GenerationEntropy">Unigram entropy (bits) of the probe texts.</param>
/// <param name="NormalizedEntropy">The same over log₂ of the distinct-word count.</param>
/// <param name="NgramFluency">ROME's H₂/3 + 2H₃/3 (bits, not ×100).</param>
/// <param name="ProbeTexts">The probe generations the last three were measured on.</param>
internal sealed record EditMeasurement(
    double ES, double PS, double NS, bool RewriteCorrect,
    IReadOnlyDictionary<string, double> EditMagnitude,
    IReadOnlyDictionary<string, double> DistanceFromOriginal,
    double GenerationEntropy, double NormalizedEntropy, double NgramFluency,
    IReadOnlyList<string> ProbeTexts);

/// <summary>
/// One edit of the run. Applied is false when the guard refused it (its terms are kept for inspection and never
/// replayed). ComputeSeconds is the method's share of Seconds (the rest is measuring). WeightsSha256 fingerprints the edited weights after this record, so a resume can prove its replay.
/// PreservedKeys are what an <see cref="IPreservingEditMethod"/> keeps of an applied edit (absent for other methods).
/// </summary>
internal sealed record EditEntry(
    int Index, string CaseId, string Prompt, string TargetNew, bool Applied, GuardVerdict? Guard,
    IReadOnlyList<StoredTerm> Terms, IReadOnlyDictionary<string, double> MethodFigures,
    EditMeasurement Measurement, string WeightsSha256, double ComputeSeconds, double Seconds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<StoredKey>? PreservedKeys = null);

/// <summary>Re-scoring of the earlier edits and the downstream tasks after <see cref="AfterEdits"/> edits (0: the unedited model).</summary>
internal sealed record EvaluationEntry(int AfterEdits, ForgettingScores? Forgetting, IReadOnlyDictionary<string, Downstream.ClassificationScores>? Downstream, double Seconds);

/// <summary>The journal's records as typed entries (a "kind" field tells them apart).</summary>
internal static class JournalEntries
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DictionaryKeyPolicy = null,
    };

    public static JsonObject ToRecord(EditEntry entry) => Tagged("edit", JsonSerializer.SerializeToNode(entry, Json)!.AsObject());

    public static JsonObject ToRecord(EvaluationEntry entry) => Tagged("evaluation", JsonSerializer.SerializeToNode(entry, Json)!.AsObject());

    /// <summary>Splits records into edits (in index order, contiguous from 0) and evaluations.</summary>
    public static (List<EditEntry> Edits, List<EvaluationEntry> Evaluations) Parse(IReadOnlyList<JsonObject> records, string source)
    {
        var edits = new List<EditEntry>();
        var evaluations = new List<EvaluationEntry>();
        foreach (var record in records)
        {
            string kind = record["kind"]?.GetValue<string>() ?? throw new InvalidDataException($"{source}: a journal record has no kind");
            switch (kind)
            {
                case "edit":
                    var edit = record.Deserialize<EditEntry>(Json) ?? throw new InvalidDataException($"{source}: empty edit record");
                    if (edit.Index != edits.Count) throw new InvalidDataException($"{source}: edit record {edit.Index} follows {edits.Count - 1}; the journal is out of order");
                    edits.Add(edit);
                    break;
                case "evaluation":
                    evaluations.Add(record.Deserialize<EvaluationEntry>(Json) ?? throw new InvalidDataException($"{source}: empty evaluation record"));
                    break;
                default:
                    throw new InvalidDataException($"{source}: unknown journal record kind '{kind}'");
            }
        }
        return (edits, evaluations);
    }

    private static JsonObject Tagged(string kind, JsonObject body)
    {
        var record = new JsonObject { ["kind"] = kind };
        foreach (var (key, value) in body.ToList())
        {
            body.Remove(key);
            record[key] = value;
        }
        return record;
    }
}
