using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using RawEdit.Editing.Requests;
using RawEdit.Models;
using RawEdit.Models.Generation;
using RawEdit.Models.Tokenization;

namespace RawEdit.Editing.Rome;

/// <summary>
/// ROME's context templates: "{}" plus, for each [length, count] in context_template_length_params, count
/// texts sampled from "&lt;|endoftext|&gt;" with top-k 5 for length − 1 new tokens (upstream's max_out_len counts the
/// prompt token), braces replaced by spaces, then ". {}" appended. Generated once per model, parameters and
/// seed in a process (as upstream caches them), or loaded from a JSON list to use another implementation's.
/// MEMIT's variant (<see cref="GenerateFromWords"/>) continues the words "The", "Therefore", … instead.
/// </summary>
internal static class ContextTemplates
{
    private static readonly ConditionalWeakTable<ICausalLanguageModel, ConcurrentDictionary<string, IReadOnlyList<string>>> Cache = new();

    /// <summary>The words MEMIT's templates start from (memit_main.py; EasyEdit uses them for ROME too).</summary>
    public static readonly IReadOnlyList<string> MemitWords = ["The", "Therefore", "Because", "I", "You"];

    public static IReadOnlyList<string> Generate(ICausalLanguageModel model, Gpt2Tokenizer tokenizer, int[][] lengthParams, int seed = 0)
    {
        string key = $"{seed}:{string.Join(";", lengthParams.Select(p => string.Join(",", p)))}";
        return Cache.GetOrCreateValue(model).GetOrAdd(key, _ =>
        {
            var templates = new List<string> { EditRequest.Placeholder };
            foreach (var pair in lengthParams)
            {
                var prompts = Enumerable.Repeat(new[] { tokenizer.EndOfTextId }, pair[1]).ToList();
                var samples = TextGenerator.Generate(model, prompts, new GenerationOptions(pair[0] - 1, TopK: 5, Seed: seed + pair[0], StopAtEndOfText: false));
                templates.AddRange(samples.Select(ids => Template(tokenizer, ids)));
            }
            return templates;
        });
    }

    /// <summary>
    /// "{}" plus, for each word, one text of <paramref name="length"/> tokens (the word's own included, as upstream's
    /// max_out_len) continued with top-k 5, braces replaced by spaces, then ". {}" appended: MEMIT's templates.
    /// </summary>
    public static IReadOnlyList<string> GenerateFromWords(ICausalLanguageModel model, Gpt2Tokenizer tokenizer, IReadOnlyList<string> words, int length, int seed = 0)
    {
        string key = $"words:{seed}:{length}:{string.Join("\u0001", words)}";
        return Cache.GetOrCreateValue(model).GetOrAdd(key, _ =>
        {
            var templates = new List<string> { EditRequest.Placeholder };
            for (int w = 0; w < words.Count; w++)
            {
                var prompt = tokenizer.Encode(words[w]);
                if (prompt.Length == 0 || prompt.Length >= length) throw new ArgumentException($"template word '{words[w]}' must have between 1 and {length - 1} tokens");
                var sample = TextGenerator.Generate(model, [prompt], new GenerationOptions(length - prompt.Length, TopK: 5, Seed: seed + w, StopAtEndOfText: false))[0];
                templates.Add(Template(tokenizer, [.. prompt, .. sample]));
            }
            return templates;
        });
    }

    private static string Template(Gpt2Tokenizer tokenizer, int[] ids) =>
        tokenizer.Decode(ids.Where(id => id != tokenizer.EndOfTextId).ToArray()).Replace("{", " ").Replace("}", " ") + ". {}";

    public static IReadOnlyList<string> Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"context templates file not found: {path}", path);
        List<string>? templates;
        try { templates = JsonSerializer.Deserialize<List<string>>(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: expected a JSON list of strings ({e.Message})", e); }
        if (templates is null || templates.Count == 0) throw new InvalidDataException($"{path}: no templates");
        if (templates.Any(t => t.Split("{}").Length != 2)) throw new InvalidDataException($"{path}: every template needs exactly one '{{}}'");
        if (templates[0] != "{}") throw new InvalidDataException($"{path}: the first template must be \"{{}}\" (the unprefixed prompt)");
        return templates;
    }
}
