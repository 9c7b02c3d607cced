using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace RawEdit.Models.Tokenization;

/// <summary>
/// GPT-2's byte-level BPE tokenizer (GPT-J's too), giving the same ids as OpenAI's original encoder.
/// The byte-level BPE itself (UTF-8 bytes in GPT-2's alphabet, ranked merges, decoding) is Microsoft.ML.Tokenizers'
/// <see cref="BpeTokenizer"/>; what stays here is what the library does not do the reference's way:
/// <list type="bullet">
/// <item>splitting the text into pieces by code point (<see cref="Gpt2PreTokenizer"/>): the library's regex
/// pre-tokenizer classifies UTF-16 code units, so a letter or digit outside the BMP next to an apostrophe or a
/// letter splits differently from the reference;</item>
/// <item>a lone surrogate becomes U+FFFD before its bytes are taken, as in the reference (JavaScript's
/// TextEncoder); the library would take the surrogate's own three bytes (ED A0 80 for U+D800);</item>
/// <item>a memo of piece → ids in front of the library (its own cache keeps only words up to 15 characters and
/// costs a byte-level conversion and a lock per lookup; with ours, warm encoding is as fast as before);</item>
/// <item>loading from a checkpoint folder with its added tokens (<see cref="TokenizerFolder"/>), and errors that
/// name the file and line.</item>
/// </list>
/// <para><b>Special tokens.</b> <see cref="Encode(string)"/> treats a literal "&lt;|endoftext|&gt;" (and any added
/// token such as GPT-J's "&lt;|extratoken_1|&gt;") as plain text, as the reference encoder does, so text from a user
/// or a dataset can never inject a control token. Who means the marker says so with
/// <see cref="EncodeWithSpecialTokens"/> (the CLI: <c>rawedit tokenize --special-tokens</c>).</para>
/// Instances are immutable and safe to use from several threads.
/// </summary>
public sealed class Gpt2Tokenizer
{
    /// <summary>The end-of-text marker GPT-2 was trained with.</summary>
    public const string EndOfTextToken = "<|endoftext|>";

    private const string ResourcePrefix = "RawEdit.Models.Tokenizer.";
    private const int CacheCapacity = 100_000;

    private static readonly Lazy<Gpt2Tokenizer> LazyDefault = new(LoadEmbedded);

    private readonly BpeTokenizer _bpe;
    private readonly Dictionary<string, int> _idOfToken;
    private readonly string?[] _tokenOfId;
    private readonly Dictionary<int, string> _addedTokenOfId;
    private readonly Dictionary<string, int> _specialTokens;
    private readonly Regex _specialTokenPattern;
    private readonly PieceCache _cache = new(CacheCapacity);

    private Gpt2Tokenizer(TokenizerDefinition definition)
    {
        _idOfToken = new Dictionary<string, int>(definition.Vocabulary, StringComparer.Ordinal);
        _addedTokenOfId = [];
        foreach (var (token, id) in definition.AddedTokens)
        {
            if (_idOfToken.TryAdd(token, id))
                _addedTokenOfId.Add(id, token);
        }
        _tokenOfId = TokensById(_idOfToken, definition.Source);
        _bpe = BpeTokenizer.Create(new BpeOptions(definition.Vocabulary) { Merges = definition.Merges, ByteLevel = true });

        EndOfTextId = _idOfToken.TryGetValue(EndOfTextToken, out int endOfText)
            ? endOfText
            : throw new InvalidDataException($"{definition.Source}: no {EndOfTextToken} token");
        _specialTokens = new Dictionary<string, int>(definition.AddedTokens, StringComparer.Ordinal) { [EndOfTextToken] = EndOfTextId };
        // Longest first, so that a marker that begins with another marker wins.
        _specialTokenPattern = new Regex(string.Join('|', _specialTokens.Keys.OrderByDescending(t => t.Length).Select(Regex.Escape)));
    }

    /// <summary>The GPT-2 vocabulary embedded in this assembly (the same for GPT-2 of every size).</summary>
    public static Gpt2Tokenizer Default => LazyDefault.Value;

    /// <summary>Number of ids (one more than the largest); 50,257 for GPT-2, 50,400 for GPT-J with its added tokens.</summary>
    public int VocabSize => _tokenOfId.Length;

    /// <summary>Id of <c>&lt;|endoftext|&gt;</c>; 50256 for GPT-2.</summary>
    public int EndOfTextId { get; }

    /// <summary>
    /// The markers <see cref="EncodeWithSpecialTokens"/> maps to their ids: <c>&lt;|endoftext|&gt;</c> and every
    /// added token of the checkpoint.
    /// </summary>
    public IReadOnlyDictionary<string, int> SpecialTokens => _specialTokens;

    /// <summary>Loads a vocabulary (<c>encoder.json</c> / <c>vocab.json</c>) and merges (<c>vocab.bpe</c> / <c>merges.txt</c>).</summary>
    /// <exception cref="InvalidDataException">Either file is malformed; the message names the file and line.</exception>
    public static Gpt2Tokenizer FromFiles(string encoderJsonPath, string vocabBpePath) =>
        new(TokenizerDefinition.FromFiles(encoderJsonPath, vocabBpePath));

    /// <summary>
    /// Loads the tokenizer of a checkpoint folder: OpenAI's names (<c>encoder.json</c> + <c>vocab.bpe</c>), Hugging
    /// Face's (<c>vocab.json</c> + <c>merges.txt</c>, or <c>tokenizer.json</c>), with the added tokens of
    /// <c>added_tokens.json</c> and <c>tokenizer.json</c> where present.
    /// </summary>
    public static Gpt2Tokenizer FromDirectory(string dir) => new(TokenizerFolder.Read(dir));

    /// <summary>Whether <see cref="FromDirectory"/> finds tokenizer files in <paramref name="dir"/>.</summary>
    public static bool HasTokenizerFiles(string dir) => TokenizerFolder.HasTokenizerFiles(dir);

    /// <summary>
    /// Token ids of <paramref name="text"/>, exactly as GPT-2's encoder gives them. A literal
    /// "&lt;|endoftext|&gt;" in the text is ordinary text here, as in the original; see
    /// <see cref="EncodeWithSpecialTokens"/>.
    /// </summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 4);
        Encode(text, ids);
        return ids.ToArray();
    }

    /// <summary>Appends the token ids of <paramref name="text"/> to <paramref name="ids"/>.</summary>
    public void Encode(ReadOnlySpan<char> text, List<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        for (int start = 0; start < text.Length;)
        {
            int length = Gpt2PreTokenizer.PieceLength(text, start);
            ids.AddRange(EncodePiece(text.Slice(start, length)));
            start += length;
        }
    }

    /// <summary>
    /// Like <see cref="Encode(string)"/>, but each literal marker of <see cref="SpecialTokens"/> (such as
    /// "&lt;|endoftext|&gt;") becomes its id and the text between markers is encoded on its own; for building
    /// training-style sequences such as "document&lt;|endoftext|&gt;document". Never use it on untrusted text you
    /// mean to treat as plain text.
    /// </summary>
    public int[] EncodeWithSpecialTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 4);
        var idOfMarker = _specialTokens.GetAlternateLookup<ReadOnlySpan<char>>();
        int end = 0;
        foreach (var marker in _specialTokenPattern.EnumerateMatches(text))
        {
            Encode(text.AsSpan(end, marker.Index - end), ids);
            ids.Add(idOfMarker[text.AsSpan(marker.Index, marker.Length)]);
            end = marker.Index + marker.Length;
        }
        Encode(text.AsSpan(end), ids);
        return ids.ToArray();
    }

    /// <summary>
    /// Text of a token sequence: the tokens' bytes joined, then read as UTF-8 with invalid or cut-off
    /// sequences replaced by U+FFFD (Python's <c>errors="replace"</c>); an added token gives its own text.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is not in the vocabulary.</exception>
    public string Decode(ReadOnlySpan<int> ids)
    {
        foreach (int id in ids)
            RequireKnown(id);
        if (_addedTokenOfId.Count == 0)
            return _bpe.Decode(ids.ToArray());

        // Added tokens are not byte-level BPE tokens: decode the runs between them on their own, as Hugging Face does.
        var text = new StringBuilder();
        int runStart = 0;
        for (int i = 0; i < ids.Length; i++)
        {
            if (!_addedTokenOfId.TryGetValue(ids[i], out string? added))
                continue;
            text.Append(_bpe.Decode(ids[runStart..i].ToArray())).Append(added);
            runStart = i + 1;
        }
        return text.Append(_bpe.Decode(ids[runStart..].ToArray())).ToString();
    }

    /// <summary>
    /// Text of one token for display, e.g. " Paris" for 6342. A token holding part of a multi-byte
    /// character shows U+FFFD; <see cref="Decode"/> of the whole sequence gives the real text.
    /// </summary>
    public string DecodeToken(int id) => Decode([id]);

    /// <summary>
    /// Id of a vocabulary entry spelled as in <c>encoder.json</c>, i.e. in GPT-2's byte-level alphabet:
    /// "ĠParis" for " Paris", "<c>&lt;|endoftext|&gt;</c>" for the end-of-text marker; or of an added token.
    /// </summary>
    public bool TryGetId(string token, out int id)
    {
        ArgumentNullException.ThrowIfNull(token);
        return _idOfToken.TryGetValue(token, out id);
    }

    /// <summary>The vocabulary entry of <paramref name="id"/> as spelled in <c>encoder.json</c> (e.g. "ĠParis").</summary>
    /// <exception cref="ArgumentOutOfRangeException">The id is not in the vocabulary.</exception>
    public string GetVocabularyEntry(int id) => _tokenOfId[RequireKnown(id)]!;

    private int[] EncodePiece(ReadOnlySpan<char> piece)
    {
        if (_cache.TryGet(piece, out int[] cached))
            return cached;
        int[] ids = [.. _bpe.EncodeToIds(WithLoneSurrogatesReplaced(piece), considerPreTokenization: false, considerNormalization: false)];
        _cache.Add(piece, ids);
        return ids;
    }

    /// <summary>
    /// The piece with each unpaired surrogate replaced by U+FFFD, whose UTF-8 bytes EF BF BD are what the
    /// reference encoder (JavaScript's TextEncoder) takes for it. Pre-tokenisation is unchanged by this: both
    /// characters are "other".
    /// </summary>
    private static ReadOnlySpan<char> WithLoneSurrogatesReplaced(ReadOnlySpan<char> piece)
    {
        if (piece.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
            return piece;
        char[] copy = piece.ToArray();
        for (int i = 0; i < copy.Length; i++)
        {
            if (char.IsHighSurrogate(copy[i]) && i + 1 < copy.Length && char.IsLowSurrogate(copy[i + 1]))
                i++;
            else if (char.IsSurrogate(copy[i]))
                copy[i] = '\uFFFD';
        }
        return copy;
    }

    private int RequireKnown(int id) =>
        (uint)id < (uint)_tokenOfId.Length && _tokenOfId[id] is not null
            ? id
            : throw new ArgumentOutOfRangeException("ids", id, $"Token id {id} is not in the vocabulary (ids 0..{VocabSize - 1}).");

    private static string?[] TokensById(Dictionary<string, int> idOfToken, string source)
    {
        if (idOfToken.Count == 0)
            throw new InvalidDataException($"{source}: the vocabulary is empty");
        var tokenOfId = new string?[idOfToken.Values.Max() + 1];
        foreach (var (token, id) in idOfToken)
        {
            if (tokenOfId[id] is { } other)
                throw new InvalidDataException($"{source}: id {id} is given to both \"{other}\" and \"{token}\"");
            tokenOfId[id] = token;
        }
        return tokenOfId;
    }

    /// <summary>Builds a tokenizer from the embedded files; <see cref="Default"/> caches one.</summary>
    internal static Gpt2Tokenizer LoadEmbedded()
    {
        var assembly = typeof(Gpt2Tokenizer).Assembly;
        Stream Open(string name) => assembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException($"Embedded resource {ResourcePrefix + name} is missing from {assembly.GetName().Name}");

        using var vocabulary = Open("encoder.json");
        using var merges = Open("vocab.bpe");
        return new Gpt2Tokenizer(TokenizerDefinition.FromStreams(vocabulary, "embedded encoder.json", merges, "embedded vocab.bpe"));
    }
}
