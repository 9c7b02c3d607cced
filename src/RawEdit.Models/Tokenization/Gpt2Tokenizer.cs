using System.Buffers;
using System.Text;

namespace RawEdit.Models.Tokenization;

/// <summary>
/// GPT-2's byte-level BPE tokenizer, giving the same ids as OpenAI's original encoder: pre-tokenise with
/// GPT-2's pattern (<see cref="Gpt2PreTokenizer"/>), take each piece's UTF-8 bytes, merge them by rank.
/// Instances are immutable and safe to use from several threads.
/// </summary>
public sealed class Gpt2Tokenizer
{
    /// <summary>The end-of-text marker GPT-2 was trained with.</summary>
    public const string EndOfTextToken = "<|endoftext|>";

    private const string ResourcePrefix = "RawEdit.Models.Tokenizer.";
    private const int CacheCapacity = 100_000;

    private static readonly Lazy<Gpt2Tokenizer> LazyDefault = new(LoadEmbedded);

    private readonly Gpt2Vocabulary _vocabulary;
    private readonly BytePairEncoder _bytePairEncoder;
    private readonly PieceCache _cache = new(CacheCapacity);

    private Gpt2Tokenizer(Gpt2Vocabulary vocabulary, BpeMergeTable merges, string vocabularyName)
    {
        _vocabulary = vocabulary;
        var idOfByte = new int[256];
        for (int b = 0; b < 256; b++)
        {
            if (!vocabulary.TryGetId(ByteLevelAlphabet.ToChar((byte)b).ToString(), out idOfByte[b]))
                throw new InvalidDataException($"{vocabularyName}: no token for the single byte 0x{b:X2}");
        }
        _bytePairEncoder = new BytePairEncoder(idOfByte, merges);
        EndOfTextId = vocabulary.TryGetId(EndOfTextToken, out int endOfText)
            ? endOfText
            : throw new InvalidDataException($"{vocabularyName}: no {EndOfTextToken} token");
    }

    /// <summary>The GPT-2 vocabulary embedded in this assembly (the same for GPT-2 of every size).</summary>
    public static Gpt2Tokenizer Default => LazyDefault.Value;

    /// <summary>Number of ids (one more than the largest); 50,257 for GPT-2.</summary>
    public int VocabSize => _vocabulary.Size;

    /// <summary>Id of <c>&lt;|endoftext|&gt;</c>; 50256 for GPT-2.</summary>
    public int EndOfTextId { get; }

    /// <summary>Loads a vocabulary (<c>encoder.json</c> / <c>vocab.json</c>) and merges (<c>vocab.bpe</c> / <c>merges.txt</c>).</summary>
    /// <exception cref="InvalidDataException">Either file is malformed; the message names the file and line.</exception>
    public static Gpt2Tokenizer FromFiles(string encoderJsonPath, string vocabBpePath)
    {
        var vocabulary = Gpt2Vocabulary.Parse(File.ReadAllBytes(encoderJsonPath), encoderJsonPath);
        using var merges = new StreamReader(vocabBpePath, Encoding.UTF8);
        return new Gpt2Tokenizer(vocabulary, BpeMergeTable.Parse(merges, vocabBpePath, vocabulary), encoderJsonPath);
    }

    /// <summary>
    /// Loads from a folder holding either OpenAI's names (<c>encoder.json</c> + <c>vocab.bpe</c>) or
    /// Hugging Face's (<c>vocab.json</c> + <c>merges.txt</c>, as in a downloaded checkpoint).
    /// </summary>
    public static Gpt2Tokenizer FromDirectory(string dir)
    {
        if (!Directory.Exists(dir))
            throw new DirectoryNotFoundException($"Tokenizer folder not found: {dir}");
        foreach (var (vocabularyName, mergesName) in new[] { ("encoder.json", "vocab.bpe"), ("vocab.json", "merges.txt") })
        {
            string vocabularyPath = Path.Combine(dir, vocabularyName), mergesPath = Path.Combine(dir, mergesName);
            if (File.Exists(vocabularyPath) && File.Exists(mergesPath))
                return FromFiles(vocabularyPath, mergesPath);
        }
        throw new FileNotFoundException(
            $"No GPT-2 tokenizer files in {dir}: expected encoder.json + vocab.bpe, or vocab.json + merges.txt");
    }

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
    /// Like <see cref="Encode(string)"/>, but each literal "&lt;|endoftext|&gt;" becomes <see cref="EndOfTextId"/>
    /// and the text between markers is encoded on its own; for building training-style sequences such as
    /// "document&lt;|endoftext|&gt;document". Never use it on untrusted text you mean to treat as plain text.
    /// </summary>
    public int[] EncodeWithSpecialTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 4);
        ReadOnlySpan<char> rest = text;
        for (int marker; (marker = rest.IndexOf(EndOfTextToken, StringComparison.Ordinal)) >= 0;)
        {
            Encode(rest[..marker], ids);
            ids.Add(EndOfTextId);
            rest = rest[(marker + EndOfTextToken.Length)..];
        }
        Encode(rest, ids);
        return ids.ToArray();
    }

    /// <summary>
    /// Text of a token sequence: the tokens' bytes joined, then read as UTF-8 with invalid or cut-off
    /// sequences replaced by U+FFFD (Python's <c>errors="replace"</c>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is not in the vocabulary.</exception>
    public string Decode(ReadOnlySpan<int> ids)
    {
        int byteCount = 0;
        foreach (int id in ids)
            byteCount += BytesOf(id).Length;

        byte[] buffer = ArrayPool<byte>.Shared.Rent(byteCount);
        try
        {
            int offset = 0;
            foreach (int id in ids)
            {
                byte[] bytes = BytesOf(id);
                bytes.CopyTo(buffer, offset);
                offset += bytes.Length;
            }
            return Encoding.UTF8.GetString(buffer, 0, byteCount);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Text of one token for display, e.g. " Paris" for 6342. A token holding part of a multi-byte
    /// character shows U+FFFD; <see cref="Decode"/> of the whole sequence gives the real text.
    /// </summary>
    public string DecodeToken(int id) => Encoding.UTF8.GetString(BytesOf(id));

    /// <summary>
    /// Id of a vocabulary entry spelled as in <c>encoder.json</c>, i.e. in GPT-2's byte-level alphabet:
    /// "ĠParis" for " Paris", "<c>&lt;|endoftext|&gt;</c>" for the end-of-text marker.
    /// </summary>
    public bool TryGetId(string token, out int id)
    {
        ArgumentNullException.ThrowIfNull(token);
        return _vocabulary.TryGetId(token, out id);
    }

    /// <summary>The vocabulary entry of <paramref name="id"/> as spelled in <c>encoder.json</c> (e.g. "ĠParis").</summary>
    /// <exception cref="ArgumentOutOfRangeException">The id is not in the vocabulary.</exception>
    public string GetVocabularyEntry(int id) =>
        _vocabulary.TryGetToken(id, out string? token) ? token : throw UnknownId(id);

    private int[] EncodePiece(ReadOnlySpan<char> piece)
    {
        if (_cache.TryGet(piece, out int[] cached))
            return cached;

        int maxBytes = Encoding.UTF8.GetMaxByteCount(piece.Length);
        byte[]? rented = maxBytes > 256 ? ArrayPool<byte>.Shared.Rent(maxBytes) : null;
        try
        {
            Span<byte> buffer = rented ?? stackalloc byte[256];
            // Encoding.UTF8 writes U+FFFD for a lone surrogate, as JavaScript's TextEncoder does.
            int byteCount = Encoding.UTF8.GetBytes(piece, buffer);
            int[] ids = _bytePairEncoder.Encode(buffer[..byteCount]);
            _cache.Add(piece, ids);
            return ids;
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private byte[] BytesOf(int id) => _vocabulary.BytesOf(id) ?? throw UnknownId(id);

    private ArgumentOutOfRangeException UnknownId(int id) =>
        new("ids", id, $"Token id {id} is not in the vocabulary (ids 0..{VocabSize - 1}).");

    /// <summary>Builds a tokenizer from the embedded files; <see cref="Default"/> caches one.</summary>
    internal static Gpt2Tokenizer LoadEmbedded()
    {
        var assembly = typeof(Gpt2Tokenizer).Assembly;
        Stream Open(string name) => assembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException($"Embedded resource {ResourcePrefix + name} is missing from {assembly.GetName().Name}");

        const string vocabularyName = "embedded encoder.json", mergesName = "embedded vocab.bpe";
        byte[] json;
        using (var stream = Open("encoder.json"))
        using (var copy = new MemoryStream())
        {
            stream.CopyTo(copy);
            json = copy.ToArray();
        }
        var vocabulary = Gpt2Vocabulary.Parse(json, vocabularyName);
        using var merges = new StreamReader(Open("vocab.bpe"), Encoding.UTF8);
        return new Gpt2Tokenizer(vocabulary, BpeMergeTable.Parse(merges, mergesName, vocabulary), vocabularyName);
    }
}
