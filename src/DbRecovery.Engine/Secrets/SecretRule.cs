using System.Text.RegularExpressions;

namespace DbRecovery.Engine.Secrets;

/// <summary>
/// One detector, in gitleaks' model: a regex whose <see cref="SecretGroup"/> (or group <c>secret</c>, or first
/// group) is the secret, keywords a line must contain before the regex runs, a minimum Shannon entropy, an
/// optional path regex, and allowlists.
/// </summary>
public sealed record SecretRule
{
    /// <summary>The rule's id, the finding's Kind.</summary>
    public required string Id { get; init; }

    /// <summary>What it finds.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>The pattern; null for a rule that only flags files by path.</summary>
    public Regex? Regex { get; init; }

    /// <summary>
    /// The capture group holding the secret (0: group <c>secret</c>, else the first group that matched, else the whole
    /// match).
    /// </summary>
    public int SecretGroup { get; init; }

    /// <summary>Lower-case words one of which the text must contain for the rule to run on it; empty runs it
    /// everywhere.</summary>
    public IReadOnlyList<string> Keywords { get; init; } = [];

    /// <summary>The minimum Shannon entropy (bits per character) of a secret, or null.</summary>
    public double? Entropy { get; init; }

    /// <summary>Only files whose path matches, or null for every file.</summary>
    public Regex? Path { get; init; }

    /// <summary>What this rule lets pass.</summary>
    public IReadOnlyList<RuleAllowlist> Allowlists { get; init; } = [];

    /// <summary>
    /// The line of the rule file that declares it (0 for built-in rules read from text without lines).
    /// </summary>
    public int SourceLine { get; init; }

    /// <summary>Whether the rule may run on <paramref name="lowerText"/> (the text in lower case) of
    /// <paramref name="path"/>: the text has one of its keywords, the path matches its path regex.</summary>
    public bool AppliesTo(string lowerText, string path) =>
        (Keywords.Count == 0 || Keywords.Any(k => lowerText.Contains(k, StringComparison.Ordinal)))
        && (Path is null || Path.IsMatch(path));

    /// <summary>The secrets the rule finds in <paramref name="text"/> (a match may span its lines): where each starts,
    /// the secret and the whole match.</summary>
    public IEnumerable<(int Index, string Secret, string Match)> Find(string text)
    {
        if (Regex is null)
        {
            yield break;
        }

        foreach (Match match in Regex.Matches(text))
        {
            var group =
                SecretGroup > 0 && SecretGroup < match.Groups.Count ? match.Groups[SecretGroup]
                : match.Groups["secret"] is { Success: true } named ? named
                : match.Groups.Cast<Group>().Skip(1).FirstOrDefault(g => g.Success && g.Length > 0) ?? match.Groups[0];
            // As gitleaks: a secret at or below the rule's entropy is not one.
            if (group.Length > 0 && (Entropy is null || ShannonEntropy(group.Value) > Entropy))
            {
                yield return (group.Index, group.Value, match.Value);
            }
        }
    }

    /// <summary>Shannon entropy in bits per character.</summary>
    public static double ShannonEntropy(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length == 0
            ? 0
            : -text.GroupBy(c => c).Select(g => (double)g.Count() / text.Length).Sum(p => p * Math.Log2(p));
    }
}
