namespace RawEdit.Editing.Rome;

/// <summary>Which key and value the rank-one update uses (see editing-methods.md §1–2).</summary>
public enum RomeMode
{
    /// <summary>The original implementation: u from the prefix-averaged key k̄, r from the unprefixed key k_s and value.</summary>
    Rome,
    /// <summary>"Rebuilding ROME": the prefix-averaged key and value everywhere.</summary>
    RRome,
    /// <summary>Prompt keys: the unprefixed k_s everywhere.</summary>
    PRome,
}
