using RawEdit.Editing.Requests;
using RawEdit.Models.Tokenization;

namespace RawEdit.Editing.Rome;

/// <summary>Token ids of one prompt and the position of the subject's last token in it.</summary>
internal sealed record IndexedPrompt(int[] Ids, int SubjectLast);

/// <summary>
/// Everything ROME runs the model on, at the token level:
/// key prompts (one per context template, the first unprefixed) give k̄, k_s and the r-ROME values;
/// rewrite prompts (key prompt + target[:-1]) carry the target NLL; the KL prompt "{subject} is a"
/// anchors the subject's other predictions.
/// </summary>
internal sealed record RomePrompts(IReadOnlyList<IndexedPrompt> Keys, IReadOnlyList<IndexedPrompt> Rewrites, IndexedPrompt Kl, int[] TargetIds)
{
    public const string KlTemplate = "{} is a";

    /// <summary>Builds the prompts of a request from text context templates ("{}" first, then "prefix. {}" forms).</summary>
    public static RomePrompts Build(Gpt2Tokenizer tokenizer, EditRequest request, IReadOnlyList<string> contextTemplates)
    {
        if (contextTemplates.Count == 0 || contextTemplates[0] != EditRequest.Placeholder)
            throw new ArgumentException("context templates must start with the unprefixed template \"{}\"");
        var targetIds = tokenizer.Encode(" " + request.TargetNew);
        if (targetIds.Length == 0) throw new ArgumentException($"target '{request.TargetNew}' has no tokens");
        string targetPrefix = tokenizer.Decode(targetIds.AsSpan(0, targetIds.Length - 1));
        var keys = new List<IndexedPrompt>();
        var rewrites = new List<IndexedPrompt>();
        foreach (var context in contextTemplates)
        {
            // template.format(prompt): the context's "{}" receives the request prompt, whose "{}" is the subject.
            string template = context.Replace(EditRequest.Placeholder, request.Prompt);
            keys.Add(Index(tokenizer, template, request.Subject, ""));
            rewrites.Add(Index(tokenizer, template, request.Subject, targetPrefix));
        }
        return new RomePrompts(keys, rewrites, Index(tokenizer, KlTemplate, request.Subject, ""), targetIds);
    }

    /// <summary>
    /// Tokenises template (with the subject filled in) + suffix as one string, and finds the subject's last
    /// token as upstream does: the text before "{}" loses its trailing space and the subject gains a leading
    /// one, each part tokenised alone; index = |prefix tokens| + |subject tokens| − 1.
    /// </summary>
    public static IndexedPrompt Index(Gpt2Tokenizer tokenizer, string template, string subject, string suffix)
    {
        int at = template.IndexOf(EditRequest.Placeholder, StringComparison.Ordinal);
        if (at < 0) throw new ArgumentException($"template '{template}' has no '{{}}' for the subject");
        string prefix = template[..at];
        var ids = tokenizer.Encode(template.Replace(EditRequest.Placeholder, subject) + suffix);
        int subjectLast;
        if (prefix.Length == 0) subjectLast = tokenizer.Encode(subject).Length - 1;
        else if (prefix.EndsWith(' ')) subjectLast = tokenizer.Encode(prefix[..^1]).Length + tokenizer.Encode(" " + subject.Trim()).Length - 1;
        else subjectLast = tokenizer.Encode(prefix + subject).Length - 1; // upstream asserts a space here; joint tokenisation is the faithful fallback
        if (subjectLast < 0 || subjectLast >= ids.Length)
            throw new ArgumentException($"subject '{subject}' not found as tokens of '{template}'");
        return new IndexedPrompt(ids, subjectLast);
    }
}
