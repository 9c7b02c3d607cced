using RawEdit.Models;

namespace RawEdit.Cli.Commands;

internal static class PromptIds
{
    /// <summary>Tokenises a prompt, refusing an empty one or one longer than the model's context.</summary>
    public static int[] Encode(LoadedModel loaded, string prompt)
    {
        var ids = loaded.Tokenizer.Encode(prompt);
        if (ids.Length == 0) throw new ArgumentException("the prompt is empty");
        if (ids.Length > loaded.Model.MaxPositions)
            throw new ArgumentException($"the prompt has {ids.Length} tokens; the model takes at most {loaded.Model.MaxPositions}");
        return ids;
    }
}
