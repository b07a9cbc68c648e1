using System.Text.RegularExpressions;

namespace DbRecovery.Engine.Secrets;

/// <summary>The detectors <see cref="SecretScanner"/> runs, and the filters that keep placeholders out.</summary>
internal static partial class SecretDetectors
{
    private static readonly string[] Placeholders =
        ["password", "passwd", "secret", "changeme", "change_me", "example", "redacted", "placeholder", "your", "xxxx", "****", "<", "${", "{{", "%(", "$(", "dummy", "sample", "todo", "test123", "pass123", "hunter2", "null", "none", "true", "false"];

    public static IReadOnlyList<SecretDetector> All { get; } =
    [
        new("PostgresUrlPassword", l => l.Contains("://", StringComparison.Ordinal) && l.Contains('@', StringComparison.Ordinal), PostgresUrl(), NotPlaceholder),
        new("ConnectionStringPassword", l => l.Contains('=', StringComparison.Ordinal), KeyValuePassword(), NotPlaceholder),
        new("HostingApiKey", l => l.Contains("rnd_", StringComparison.Ordinal), HostingApiKey()),
        new("AwsAccessKeyId", l => l.Contains("AKIA", StringComparison.Ordinal) || l.Contains("ASIA", StringComparison.Ordinal), AwsAccessKeyId()),
        new("AwsSecretAccessKey", Assignment, AwsSecretKey(), s => Entropy(s) > 4.0),
        new("GitHubToken", l => l.Contains('_', StringComparison.Ordinal), GitHubToken()),
        new("SlackToken", l => l.Contains("xox", StringComparison.Ordinal), SlackToken()),
        new("PrivateKey", l => l.Contains("-----BEGIN", StringComparison.Ordinal), PrivateKey()),
        new("JsonWebToken", l => l.Contains("eyJ", StringComparison.Ordinal), JsonWebToken()),
        new("GenericSecret", l => Assignment(l) && (l.Contains('"', StringComparison.Ordinal) || l.Contains('\'', StringComparison.Ordinal)), GenericAssignment(),
            s => NotPlaceholder(s) && s.Length >= 12 && Entropy(s) >= 3.5 && !Uuid().IsMatch(s) && !Hex().IsMatch(s)),
    ];

    /// <summary>
    /// A looser union of every detector, searched across whole blocks of text with the linear-time
    /// (automaton) engine, as grep does; only lines it matches are cut out and given to the detectors.
    /// Each detector's matches are a subset of this pattern's.
    /// </summary>
    public static Regex Candidate { get; } = new(
        @"postgres(ql)?(\+\w+)?://[^\s'""]*:[^\s'""]*@|(password|pwd)\s*=|rnd_[a-z0-9]{20}|(akia|asia)[0-9a-z]{16}|aws_?secret_?(access_?)?key" +
        @"|gh[pousr]_[a-z0-9]{36}|github_pat_|xox[baprs]-|-----begin [a-z ]*private key-----|eyj[a-z0-9_-]{8,}\.eyj" +
        @"|(password|passwd|secret|token|api_?key)\w*['""]?\s*[:=]\s*['""][^'""\s]{8,}['""]",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);

    private static bool Assignment(string line) => line.Contains('=', StringComparison.Ordinal) || line.Contains(':', StringComparison.Ordinal);

    private static bool NotPlaceholder(string secret)
    {
        var lower = secret.ToLowerInvariant();
        return secret.Length >= 4 && !Placeholders.Any(p => lower.Contains(p, StringComparison.Ordinal)) && secret.Distinct().Count() > 2;
    }

    /// <summary>Shannon entropy in bits per character.</summary>
    internal static double Entropy(string text) =>
        -text.GroupBy(c => c).Select(g => (double)g.Count() / text.Length).Sum(p => p * Math.Log2(p));

    [GeneratedRegex(@"postgres(?:ql)?(?:\+\w+)?://[^:/@\s'""]+:(?<secret>[^@\s'""]+)@[^\s'""]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PostgresUrl();

    [GeneratedRegex(@"(?:^|[;'""\s])(?:password|pwd)\s*=\s*(?<secret>[^;'""\s]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex KeyValuePassword();

    [GeneratedRegex(@"\b(?<secret>rnd_[A-Za-z0-9]{20,})\b", RegexOptions.CultureInvariant)]
    private static partial Regex HostingApiKey();

    [GeneratedRegex(@"\b(?<secret>(?:AKIA|ASIA)[0-9A-Z]{16})\b", RegexOptions.CultureInvariant)]
    private static partial Regex AwsAccessKeyId();

    [GeneratedRegex(@"aws_?secret_?(?:access_?)?key\S*\s*[:=]\s*['""]?(?<secret>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AwsSecretKey();

    [GeneratedRegex(@"\b(?<secret>(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})\b", RegexOptions.CultureInvariant)]
    private static partial Regex GitHubToken();

    [GeneratedRegex(@"\b(?<secret>xox[baprs]-[A-Za-z0-9-]{10,})\b", RegexOptions.CultureInvariant)]
    private static partial Regex SlackToken();

    [GeneratedRegex(@"(?<secret>-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----)", RegexOptions.CultureInvariant)]
    private static partial Regex PrivateKey();

    [GeneratedRegex(@"\b(?<secret>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,})\b", RegexOptions.CultureInvariant)]
    private static partial Regex JsonWebToken();

    [GeneratedRegex(@"(?:password|passwd|secret|token|api_?key)\w*['""]?\s*[:=]\s*['""](?<secret>[^'""\s]{8,})['""]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex GenericAssignment();

    [GeneratedRegex(@"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")]
    private static partial Regex Uuid();

    [GeneratedRegex(@"^(?:sha\d+[-:])?[0-9a-fA-F]{32,}$")]
    private static partial Regex Hex();
}
