using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using RawEdit.Models;
using RawEdit.Models.Generation;
using RawEdit.Models.Tokenization;

namespace RawEdit.Editing.Rome;

/// <summary>
/// ROME's context templates: "{}" plus, for each [length, count] in context_template_length_params, count
/// texts sampled from "&lt;|endoftext|&gt;" with top-k 5 for length − 1 new tokens (upstream's max_out_len counts the
/// prompt token), braces replaced by spaces, then ". {}" appended. Generated once per model, parameters and
/// seed in a process (as upstream caches them), or loaded from a JSON list to use another implementation's.
/// </summary>
public static class ContextTemplates
{
    private static readonly ConditionalWeakTable<ICausalLanguageModel, ConcurrentDictionary<string, IReadOnlyList<string>>> Cache = new();

    public static IReadOnlyList<string> Generate(ICausalLanguageModel model, Gpt2Tokenizer tokenizer, int[][] lengthParams, int seed = 0)
    {
        string key = $"{seed}:{string.Join(";", lengthParams.Select(p => string.Join(",", p)))}";
        return Cache.GetOrCreateValue(model).GetOrAdd(key, _ =>
        {
            var templates = new List<string> { "{}" };
            foreach (var pair in lengthParams)
            {
                var prompts = Enumerable.Repeat(new[] { tokenizer.EndOfTextId }, pair[1]).ToList();
                var samples = TextGenerator.Generate(model, prompts, new GenerationOptions(pair[0] - 1, TopK: 5, Seed: seed + pair[0], StopAtEndOfText: false));
                foreach (var ids in samples)
                {
                    string text = tokenizer.Decode(ids.Where(id => id != tokenizer.EndOfTextId).ToArray());
                    templates.Add(text.Replace("{", " ").Replace("}", " ") + ". {}");
                }
            }
            return templates;
        });
    }

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
