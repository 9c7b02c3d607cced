namespace RawEdit.Evaluation.Tracing;

/// <summary>Where a token sits relative to the subject: the positions ROME's Figure 2 averages the indirect effect over.</summary>
internal enum TokenRole
{
    BeforeSubject,
    FirstSubject,
    MiddleSubject,
    LastSubject,
    FirstAfterSubject,
    FurtherAfterSubject,
    LastToken,
}

/// <summary>Assigns each prompt token one role.</summary>
internal static class TokenRoles
{
    /// <summary>The roles averaged and plotted, in prompt order (tokens before the subject are left out, as in the paper).</summary>
    public static readonly TokenRole[] Averaged =
    [
        TokenRole.FirstSubject, TokenRole.MiddleSubject, TokenRole.LastSubject,
        TokenRole.FirstAfterSubject, TokenRole.FurtherAfterSubject, TokenRole.LastToken,
    ];

    /// <summary>
    /// The role of token <paramref name="t"/> of a <paramref name="tokens"/>-token prompt. Subject roles come first (a one-token
    /// subject is its last token; a subject ending the prompt keeps its subject role), then the prompt's last token.
    /// </summary>
    public static TokenRole Of(int t, TokenSpan subject, int tokens)
    {
        if (t == subject.Last) return TokenRole.LastSubject;
        if (t == subject.Start) return TokenRole.FirstSubject;
        if (subject.Contains(t)) return TokenRole.MiddleSubject;
        if (t == tokens - 1) return TokenRole.LastToken;
        if (t < subject.Start) return TokenRole.BeforeSubject;
        return t == subject.End ? TokenRole.FirstAfterSubject : TokenRole.FurtherAfterSubject;
    }

    public static string Name(TokenRole role) => role switch
    {
        TokenRole.BeforeSubject => "before the subject",
        TokenRole.FirstSubject => "first subject token",
        TokenRole.MiddleSubject => "middle subject tokens",
        TokenRole.LastSubject => "last subject token",
        TokenRole.FirstAfterSubject => "first subsequent token",
        TokenRole.FurtherAfterSubject => "further tokens",
        TokenRole.LastToken => "last token",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };
}
