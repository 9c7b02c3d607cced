using System.Text;
using RawEdit.Models.Tokenization;

namespace RawEdit.Tests.Models.Tokenization;

/// <summary>
/// A small vocabulary + merges pair written to a temporary folder: GPT-2's 256 byte tokens (ids 0..255),
/// <c>&lt;|endoftext|&gt;</c> as 256, then <paramref name="extraTokens"/>. The JSON has one entry per line so
/// that tests can aim errors at known line numbers.
/// </summary>
internal sealed class TokenizerFiles : IDisposable
{
    public TokenizerFiles(IEnumerable<string> extraTokens, IEnumerable<string> mergeLines)
    {
        Folder = Path.Combine(Path.GetTempPath(), "rawedit-tokenizer-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        var tokens = Enumerable.Range(0, 256).Select(Gpt2Tokenizer.Default.GetVocabularyEntry)
            .Append(Gpt2Tokenizer.EndOfTextToken).Concat(extraTokens).ToList();
        VocabularyLines = ["{", .. tokens.Select((token, id) => $"  {Quote(token)}: {id}" + (id < tokens.Count - 1 ? "," : "")), "}"];
        MergeLines = ["#version: 0.2", .. mergeLines];
        Write();
    }

    public string Folder { get; }

    public string EncoderPath => Path.Combine(Folder, "encoder.json");

    public string MergesPath => Path.Combine(Folder, "vocab.bpe");

    /// <summary>Lines of encoder.json; line k of the file is element k - 1. Call <see cref="Write"/> after changes.</summary>
    public List<string> VocabularyLines { get; }

    /// <summary>Lines of vocab.bpe, starting with its #version header.</summary>
    public List<string> MergeLines { get; }

    public void Write()
    {
        File.WriteAllText(EncoderPath, string.Join("\n", VocabularyLines) + "\n", new UTF8Encoding(false));
        File.WriteAllText(MergesPath, string.Join("\n", MergeLines) + "\n", new UTF8Encoding(false));
    }

    public Gpt2Tokenizer Load() => Gpt2Tokenizer.FromFiles(EncoderPath, MergesPath);

    public void Dispose() => Directory.Delete(Folder, recursive: true);

    private static string Quote(string token) => System.Text.Json.JsonSerializer.Serialize(token);
}
