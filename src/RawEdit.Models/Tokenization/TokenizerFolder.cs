namespace RawEdit.Models.Tokenization;

/// <summary>
/// Finds a GPT-2-family tokenizer in a folder, in this order: OpenAI's <c>encoder.json</c> + <c>vocab.bpe</c>;
/// Hugging Face's <c>vocab.json</c> + <c>merges.txt</c>; Hugging Face's <c>tokenizer.json</c> alone. Added tokens
/// come from <c>added_tokens.json</c> and the <c>added_tokens</c> of <c>tokenizer.json</c> wherever present (a
/// GPT-J checkpoint lists its 143 <c>&lt;|extratoken_N|&gt;</c> there).
/// </summary>
internal static class TokenizerFolder
{
    private static readonly (string Vocabulary, string Merges)[] SeparateFiles =
        [("encoder.json", "vocab.bpe"), ("vocab.json", "merges.txt")];

    private const string FastTokenizerFile = "tokenizer.json", AddedTokensFile = "added_tokens.json";

    public static bool HasTokenizerFiles(string dir) =>
        FindSeparateFiles(dir) is not null || File.Exists(Path.Combine(dir, FastTokenizerFile));

    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">It holds none of the tokenizer files.</exception>
    /// <exception cref="InvalidDataException">A file is malformed; the message names it.</exception>
    public static TokenizerDefinition Read(string dir)
    {
        if (!Directory.Exists(dir))
            throw new DirectoryNotFoundException($"Tokenizer folder not found: {dir}");
        string fastTokenizer = Path.Combine(dir, FastTokenizerFile), addedTokens = Path.Combine(dir, AddedTokensFile);

        TokenizerDefinition definition;
        if (FindSeparateFiles(dir) is var (vocabularyPath, mergesPath))
        {
            definition = TokenizerDefinition.FromFiles(vocabularyPath, mergesPath);
            if (File.Exists(fastTokenizer))
                definition.AddTokens(HuggingFaceTokenizerJson.ReadAddedTokens(fastTokenizer), fastTokenizer);
        }
        else if (File.Exists(fastTokenizer))
            definition = HuggingFaceTokenizerJson.Read(fastTokenizer);
        else
            throw new FileNotFoundException($"No GPT-2 tokenizer files in {dir}: expected encoder.json + vocab.bpe, " +
                                            "vocab.json + merges.txt, or tokenizer.json");

        if (File.Exists(addedTokens))
            definition.AddTokens(TokenTableJson.Parse(File.ReadAllBytes(addedTokens), addedTokens), addedTokens);
        return definition;
    }

    private static (string Vocabulary, string Merges)? FindSeparateFiles(string dir)
    {
        foreach (var (vocabularyName, mergesName) in SeparateFiles)
        {
            string vocabularyPath = Path.Combine(dir, vocabularyName), mergesPath = Path.Combine(dir, mergesName);
            if (File.Exists(vocabularyPath) && File.Exists(mergesPath))
                return (vocabularyPath, mergesPath);
        }
        return null;
    }
}
