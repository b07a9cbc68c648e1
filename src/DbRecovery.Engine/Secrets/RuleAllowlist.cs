using System.Text.RegularExpressions;

namespace DbRecovery.Engine.Secrets;

/// <summary>
/// What a rule (or the whole rule set) lets pass, as gitleaks' allowlists say it: regexes on the secret, the
/// match or the line (<c>regexTarget</c>), regexes on the path, and stopwords the secret may not contain.
/// With <c>condition = "AND"</c> every criterion given must hold; by default (<c>OR</c>) any one does.
/// </summary>
public sealed record RuleAllowlist
{
    /// <summary>Regexes that mark a finding as allowed.</summary>
    public IReadOnlyList<Regex> Regexes { get; init; } = [];

    /// <summary>
    /// What <see cref="Regexes"/> are matched against: <c>secret</c> (the default), <c>match</c> or <c>line</c>.
    /// </summary>
    public string RegexTarget { get; init; } = "secret";

    /// <summary>Regexes on the file's path.</summary>
    public IReadOnlyList<Regex> Paths { get; init; } = [];

    /// <summary>Words (lower-case) that mark a secret as a placeholder when it contains one.</summary>
    public IReadOnlyList<string> Stopwords { get; init; } = [];

    /// <summary>Whether every criterion given must hold (<c>AND</c>) rather than any one (<c>OR</c>).</summary>
    public bool RequireAll { get; init; }

    /// <summary>Whether this allowlist lets the finding pass.</summary>
    public bool Allows(string secret, string match, string line, string path)
    {
        var target = RegexTarget switch
        {
            "match" => match,
            "line" => line,
            _ => secret,
        };
        var lower = secret.ToLowerInvariant();
        var results = new List<bool>(3);
        if (Regexes.Count > 0)
        {
            results.Add(Regexes.Any(r => r.IsMatch(target)));
        }

        if (Paths.Count > 0)
        {
            results.Add(Paths.Any(r => r.IsMatch(path)));
        }

        if (Stopwords.Count > 0)
        {
            results.Add(Stopwords.Any(w => lower.Contains(w, StringComparison.Ordinal)));
        }

        return results.Count > 0 && (RequireAll ? results.All(r => r) : results.Any(r => r));
    }
}
