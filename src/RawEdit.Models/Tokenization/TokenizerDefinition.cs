using System.Text;

namespace RawEdit.Models.Tokenization;

/// <summary>
/// What a GPT-2-family tokenizer is made of, as read from its files: the byte-level BPE vocabulary and ranked
/// merges (handed to Microsoft.ML.Tokenizers) and the added tokens a checkpoint declares beside them (GPT-J's
/// <c>&lt;|extratoken_1|&gt;</c>… ids 50257–50399), which BPE never produces.
/// </summary>
/// <param name="Vocabulary">Token string → id, as in encoder.json / vocab.json.</param>
/// <param name="Merges">The merges, highest priority first ("left right").</param>
/// <param name="AddedTokens">Declared tokens outside the BPE vocabulary, by string.</param>
/// <param name="Source">The file the vocabulary came from, for error messages.</param>
internal sealed record TokenizerDefinition(
    Dictionary<string, int> Vocabulary, List<string> Merges, Dictionary<string, int> AddedTokens, string Source)
{
    /// <summary>A vocabulary file (<c>encoder.json</c> / <c>vocab.json</c>) and a merges file (<c>vocab.bpe</c> / <c>merges.txt</c>).</summary>
    public static TokenizerDefinition FromFiles(string vocabularyPath, string mergesPath)
    {
        using var vocabulary = File.OpenRead(vocabularyPath);
        using var merges = File.OpenRead(mergesPath);
        return FromStreams(vocabulary, vocabularyPath, merges, mergesPath);
    }

    public static TokenizerDefinition FromStreams(Stream vocabularyJson, string vocabularyName, Stream merges, string mergesName)
    {
        using var copy = new MemoryStream();
        vocabularyJson.CopyTo(copy);
        var vocabulary = TokenTableJson.Parse(copy.ToArray(), vocabularyName);
        using var mergesReader = new StreamReader(merges, Encoding.UTF8);
        return new TokenizerDefinition(vocabulary, MergeList.Read(mergesReader, mergesName, vocabulary), [], vocabularyName);
    }

    /// <summary>
    /// Adds tokens declared beside the vocabulary (Hugging Face lists <c>&lt;|endoftext|&gt;</c> there too); one that
    /// is already in the vocabulary or declared before must keep its id.
    /// </summary>
    /// <exception cref="InvalidDataException">A token is given two ids.</exception>
    public void AddTokens(IReadOnlyDictionary<string, int> tokens, string fileName)
    {
        foreach (var (token, id) in tokens)
        {
            if ((Vocabulary.TryGetValue(token, out int earlierId) || AddedTokens.TryGetValue(token, out earlierId)) && earlierId != id)
                throw new InvalidDataException($"{fileName}: added token \"{token}\" has id {id}, but {Source} gives it {earlierId}");
            AddedTokens[token] = id;
        }
    }
}
