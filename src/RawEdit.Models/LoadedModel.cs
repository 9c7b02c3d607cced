using RawEdit.Models.Checkpoints;
using RawEdit.Models.Gpt2;
using RawEdit.Models.Generation;
using RawEdit.Models.Tokenization;

namespace RawEdit.Models;

/// <summary>
/// A GPT-2 or GPT-J model ready to use: the network, its tokenizer, where it came from and how it was stored (which
/// decides how an edited copy is saved: <c>EditedModelSaver.Save</c> in RawEdit.Editing). Made by <see cref="ModelLocator.Load"/>. Edits change its weights in
/// place; an edit's handle reverts them.
/// </summary>
public sealed class LoadedModel
{
    internal LoadedModel(ICausalLanguageModel model, Gpt2Tokenizer tokenizer, string source, KeyLayout layout,
        IReadOnlyDictionary<string, TensorDType> storedTypes)
    {
        Model = model;
        Tokenizer = tokenizer;
        Source = source;
        Layout = layout;
        StoredTypes = storedTypes;
    }

    internal ICausalLanguageModel Model { get; }
    internal KeyLayout Layout { get; }
    internal IReadOnlyDictionary<string, TensorDType> StoredTypes { get; }

    /// <summary>The model's tokenizer (GPT-2's byte-level BPE, or the checkpoint folder's own files).</summary>
    public Gpt2Tokenizer Tokenizer { get; }

    /// <summary>The full path of the folder the model was loaded from.</summary>
    public string Source { get; }

    /// <summary>"gpt2" or "gptj".</summary>
    public string Architecture => Model.Architecture;

    /// <summary>Whether <paramref name="folder"/> is the folder the model was loaded from (which nothing may overwrite).</summary>
    internal bool IsSourceFolder(string folder) => Path.GetFullPath(folder).TrimEnd('/', '\\') == Source.TrimEnd('/', '\\');

    /// <summary>Number of transformer blocks.</summary>
    public int Layers => Model.Layers;

    /// <summary>Width of the residual stream.</summary>
    public int Embedding => Model.Embedding;

    /// <summary>Size of the output vocabulary.</summary>
    public int VocabSize => Model.VocabSize;

    /// <summary>
    /// Continues <paramref name="prompt"/> greedily (or from the <paramref name="topK"/> most likely tokens, seeded) and
    /// returns only the new text, stopping early at the end-of-text token.
    /// </summary>
    public string Generate(string prompt, int maxNewTokens = 10, int topK = 1, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxNewTokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(topK);
        int[] ids = Tokenizer.Encode(prompt);
        if (ids.Length == 0) throw new ArgumentException("the prompt is empty", nameof(prompt));
        var generated = TextGenerator.Generate(Model, [ids], new GenerationOptions(maxNewTokens, topK, seed))[0];
        return Tokenizer.Decode(generated);
    }
}
