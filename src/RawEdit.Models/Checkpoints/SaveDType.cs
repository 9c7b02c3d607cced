namespace RawEdit.Models.Checkpoints;

/// <summary>
/// The element type a saved checkpoint stores its floating-point tensors in. <see cref="Same"/> keeps each tensor's
/// dtype as loaded (F16/BF16 stay half, everything else F32); the others store every floating-point tensor in that one
/// dtype. RawEdit never writes a mixed checkpoint (edited matrices F32 inside a BF16 file): Hugging Face
/// <c>transformers</c> builds the model in one dtype and converts each stored tensor to it, so such a file loaded with
/// <c>torch_dtype=torch.bfloat16</c>, or with <c>"auto"</c> (which takes the checkpoint's dtype), rounds the edit at load
/// exactly as a BF16 save would have, only silently. A uniform F32 file keeps the edit for every way of loading it.
/// </summary>
public enum SaveDType
{
    /// <summary>Each tensor in the dtype it was loaded from (the default).</summary>
    Same,
    /// <summary>Every floating-point tensor as F32 (4 bytes per parameter; keeps any update exactly).</summary>
    F32,
    /// <summary>Every floating-point tensor as F16 (10 mantissa bits).</summary>
    F16,
    /// <summary>Every floating-point tensor as BF16 (7 mantissa bits).</summary>
    BF16,
}

/// <summary>Parsing and resolving <see cref="SaveDType"/>.</summary>
internal static class SaveDTypes
{
    /// <summary>The spellings the CLI's <c>--save-dtype</c> accepts.</summary>
    public const string Choices = "same | f32 | f16 | bf16";

    /// <summary>Parses same, f32, f16 or bf16 (case-insensitive), or throws an error naming <paramref name="source"/>.</summary>
    public static SaveDType Parse(string? text, string source = "--save-dtype") => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "same" => SaveDType.Same,
        "f32" or "fp32" or "float32" => SaveDType.F32,
        "f16" or "fp16" or "float16" => SaveDType.F16,
        "bf16" or "bfloat16" => SaveDType.BF16,
        _ => throw new ArgumentException($"{source}: '{text}' is not one of {Choices}"),
    };

    /// <summary>The lower-case spelling <see cref="Parse"/> reads.</summary>
    public static string Name(this SaveDType dtype) => dtype.ToString().ToLowerInvariant();

    /// <summary>
    /// The dtype a tensor loaded as <paramref name="loaded"/> (null when unknown, e.g. a model built in memory) is
    /// stored in: for <see cref="SaveDType.Same"/> F16/BF16 stay so and anything else is F32.
    /// </summary>
    public static TensorDType StorageFor(this SaveDType dtype, TensorDType? loaded) => dtype switch
    {
        SaveDType.F32 => TensorDType.F32,
        SaveDType.F16 => TensorDType.F16,
        SaveDType.BF16 => TensorDType.BF16,
        _ => loaded is TensorDType.F16 or TensorDType.BF16 ? loaded.Value : TensorDType.F32,
    };

    /// <summary>The stored dtype of every named parameter under <paramref name="dtype"/>.</summary>
    public static Dictionary<string, TensorDType> StorageTypes(this SaveDType dtype, IEnumerable<string> names,
        IReadOnlyDictionary<string, TensorDType>? loaded) =>
        names.ToDictionary(n => n, n => dtype.StorageFor(loaded is not null && loaded.TryGetValue(n, out var t) ? t : null));
}
