using System.Reflection;
using System.Text.RegularExpressions;
using DbRecovery.Engine.Diagnostics;
using Tomlyn;
using Tomlyn.Model;

namespace DbRecovery.Engine.Secrets;

/// <summary>
/// The rules a scan runs, read from a rule file in gitleaks' TOML format (<c>[[rules]]</c> with <c>id</c>,
/// <c>description</c>, <c>regex</c>, <c>secretGroup</c>, <c>keywords</c>, <c>entropy</c>, <c>path</c> and allowlists;
/// a top-level <c>[allowlist]</c>; <c>[extend] useDefault = true</c> adds the built-in rules). The built-in rules
/// are a rule file of the same format shipped in the engine. Regexes are RE2 syntax as in gitleaks and run with
/// .NET's linear-time engine.
/// </summary>
public sealed partial class SecretRuleSet
{
    private const string AutomataSize = "REGEX_NONBACKTRACKING_MAX_AUTOMATA_SIZE";

    private static readonly Lazy<SecretRuleSet> Default = new(() =>
    {
        using var stream = typeof(SecretRuleSet).Assembly.GetManifestResourceStream(
            "DbRecovery.Engine.Secrets.BuiltInRules.toml"
        )!;
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "the built-in rules");
    });

    static SecretRuleSet()
    {
        // .NET stops a linear-time automaton at 10,000 nodes; a union of a team's few hundred rules needs more, and one
        // automaton searches text once (the limit is read when the first such regex of the process is built).
        if (AppContext.GetData(AutomataSize) is null)
        {
            AppContext.SetData(AutomataSize, 200_000);
        }
    }

    private SecretRuleSet(IReadOnlyList<SecretRule> rules, IReadOnlyList<RuleAllowlist> allowlists)
    {
        Rules = rules;
        Allowlists = allowlists;
        Candidates = rules.Any(r => r.Keywords.Count == 0 && r.Path is null)
            ? null
            : CandidatesOf(rules.Where(r => r.Regex is not null).ToList());
    }

    /// <summary>The built-in rules.</summary>
    public static SecretRuleSet BuiltIn => Default.Value;

    /// <summary>The rules, each reporting on its own (only a <c>generic</c> rule gives way, as in gitleaks).</summary>
    public IReadOnlyList<SecretRule> Rules { get; }

    /// <summary>What every rule lets pass.</summary>
    public IReadOnlyList<RuleAllowlist> Allowlists { get; }

    /// <summary>
    /// Patterns that together match wherever a rule can, searched across whole blocks of text before any rule runs;
    /// null when a rule without keywords or path must see every line.
    /// </summary>
    public IReadOnlyList<Regex>? Candidates { get; }

    /// <summary>
    /// The union of every rule's (loosened) regex as linear-time automata, so a block of text is searched once an
    /// automaton and a line becomes a candidate only if some rule can match it. A union too large for one automaton is
    /// split in halves; a rule whose regex no automaton takes (a backreference) is found by its keywords.
    /// </summary>
    private static List<Regex> CandidatesOf(IReadOnlyList<SecretRule> rules)
    {
        const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;
        try
        {
            var union = string.Join("|", rules.Select(r => $"(?:{Loosened(r.Regex!.ToString())})"));
            return [new Regex(union, Options | RegexOptions.ExplicitCapture | RegexOptions.Multiline)];
        }
        catch (NotSupportedException) when (rules.Count > 1)
        {
            var half = rules.Count / 2;
            return [.. CandidatesOf(rules.Take(half).ToList()), .. CandidatesOf(rules.Skip(half).ToList())];
        }
        catch (NotSupportedException)
        {
            var keywords = string.Join("|", rules[0].Keywords.Select(Regex.Escape));
            return [new Regex(keywords, Options | RegexOptions.IgnoreCase)];
        }
    }

    /// <summary>
    /// A rule's pattern as the candidate search uses it: <c>$</c> (outside classes, unescaped) also before a
    /// <c>\r\n</c>, and every counted repetition loosened to <c>*</c> or <c>+</c>. It matches wherever the rule does
    /// (and sometimes more), and stays small: counted repetitions are what make a union of hundreds of rules too large
    /// for one automaton.
    /// </summary>
    private static string Loosened(string pattern)
    {
        var result = new System.Text.StringBuilder(pattern.Length + 8);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                result.Append(c).Append(pattern[++i]);
                continue;
            }

            if (!inClass && c == '{' && CountedRepetition().Match(pattern, i) is { Success: true } counted)
            {
                result.Append(counted.Groups[1].Value is "0" or "" ? '*' : '+');
                i += counted.Length - 1;
                continue;
            }

            inClass =
                c == '[' ? true
                : c == ']' ? false
                : inClass;
            result.Append(c == '$' && !inClass ? @"\r?$" : c.ToString());
        }

        return result.ToString();
    }

    /// <summary>One of the rules alone, with the allowlists every rule has.</summary>
    internal SecretRuleSet Only(SecretRule rule) => new([rule], Allowlists);

    /// <summary>
    /// Rules that look for the given values in every form they are pasted in: verbatim, URL-encoded, base64 (and base64
    /// of user:value).
    /// </summary>
    public static SecretRuleSet ForValues(IReadOnlyList<(string? User, string Value)> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var rules = new List<SecretRule>();
        foreach (var (user, value) in secrets.Where(s => s.Value.Length > 0))
        {
            var forms = new List<(string Form, string Text)>
            {
                ("verbatim", value),
                ("url-encoded", Uri.EscapeDataString(value)),
                ("base64", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(value))),
            };
            if (user is not null)
            {
                forms.Add(
                    ("basic-auth", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{value}")))
                );
            }

            rules.AddRange(
                forms
                    .DistinctBy(f => f.Text)
                    .Select(f => new SecretRule
                    {
                        Id = $"known-secret-{f.Form}",
                        Description = $"A value given with -Secret or -Credential, {f.Form}",
                        Regex = new Regex(
                            Regex.Escape(f.Text),
                            RegexOptions.CultureInvariant | RegexOptions.NonBacktracking
                        ),
                        Keywords = [f.Text.ToLowerInvariant()],
                    })
            );
        }

        return new SecretRuleSet(rules, []);
    }

    /// <summary>Reads a rule file.</summary>
    /// <exception cref="RecoveryException">It cannot be read or is not a valid rule file (<c>SecretRulesInvalid</c>,
    /// naming the rule and line).</exception>
    public static SecretRuleSet Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RecoveryException(
                "SecretRulesInvalid",
                FailureKind.InvalidArgument,
                $"The rule file '{path}' cannot be read: {ex.Message}",
                path,
                ex
            );
        }

        return Parse(text, path);
    }

    /// <summary>Reads rules from TOML text; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="RecoveryException">Not a valid rule file (<c>SecretRulesInvalid</c>).</exception>
    public static SecretRuleSet Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        TomlTable document;
        try
        {
            document = TomlSerializer.Deserialize<TomlTable>(text, TomlSerializerOptions.Default)!;
        }
        catch (TomlException ex)
        {
            throw Invalid(source, (ex.Line ?? 0) + 1, null, $"not valid TOML: {ex.Message}");
        }

        var lines = RuleHeader().Matches(text).Select(m => 1 + text.AsSpan(0, m.Index).Count('\n')).ToList();
        var rules = new List<SecretRule>();
        if (document.TryGetValue("rules", out var value))
        {
            if (value is not TomlTableArray tables)
            {
                throw Invalid(source, 0, null, "'rules' must be an array of tables ([[rules]])");
            }

            for (var i = 0; i < tables.Count; i++)
            {
                rules.Add(Rule(tables[i], source, i < lines.Count ? lines[i] : 0));
            }
        }

        var allowlists = ReadAllowlists(document, source, 0, null);
        if (
            document.TryGetValue("extend", out var extend)
            && extend is TomlTable extension
            && extension.TryGetValue("useDefault", out var useDefault)
            && useDefault is true
        )
        {
            var builtIn = BuiltIn;
            rules = [.. rules, .. builtIn.Rules.Where(b => rules.All(r => r.Id != b.Id))];
            allowlists = [.. allowlists, .. builtIn.Allowlists];
        }

        return rules.Count == 0
            ? throw Invalid(source, 0, null, "it declares no [[rules]]")
            : new SecretRuleSet(rules, allowlists);
    }

    private static SecretRule Rule(TomlTable table, string source, int line)
    {
        var id =
            table.TryGetValue("id", out var given) && given is string text && text.Length > 0
                ? text
                : throw Invalid(source, line, null, "a rule has no id");
        var regex = OptionalString(table, "regex", source, line, id);
        var path = OptionalString(table, "path", source, line, id);
        if (regex is null && path is null)
        {
            throw Invalid(source, line, id, "a rule needs a regex or a path");
        }

        return new SecretRule
        {
            Id = id,
            Description = OptionalString(table, "description", source, line, id) ?? string.Empty,
            Regex = regex is null ? null : Compile(regex, source, line, id),
            SecretGroup = table.TryGetValue("secretGroup", out var group)
                ? group is long number and >= 0
                    ? (int)number
                    : throw Invalid(source, line, id, "secretGroup must be a whole number")
                : 0,
            Keywords = Strings(table, "keywords", source, line, id).Select(k => k.ToLowerInvariant()).ToList(),
            Entropy = table.TryGetValue("entropy", out var entropy)
                ? entropy switch
                {
                    double d => d,
                    long l => l,
                    _ => throw Invalid(source, line, id, "entropy must be a number"),
                }
                : null,
            Path = path is null ? null : Compile(path, source, line, id),
            Allowlists = ReadAllowlists(table, source, line, id),
            SourceLine = line,
        };
    }

    /// <summary>gitleaks' allowlist tables: <c>allowlist</c> (one) and <c>allowlists</c> (an array).</summary>
    private static List<RuleAllowlist> ReadAllowlists(TomlTable owner, string source, int line, string? id)
    {
        var tables = new List<TomlTable>();
        if (owner.TryGetValue("allowlist", out var single) && single is TomlTable one)
        {
            tables.Add(one);
        }

        if (owner.TryGetValue("allowlists", out var many) && many is TomlTableArray array)
        {
            tables.AddRange(array);
        }

        return tables
            .Select(t => new RuleAllowlist
            {
                Regexes = Strings(t, "regexes", source, line, id).Select(r => Compile(r, source, line, id)).ToList(),
                RegexTarget = OptionalString(t, "regexTarget", source, line, id) is { } target
                    ? target is "secret" or "match" or "line"
                        ? target
                        : throw Invalid(source, line, id, $"regexTarget '{target}' is not secret, match or line")
                    : "secret",
                Paths = Strings(t, "paths", source, line, id).Select(r => Compile(r, source, line, id)).ToList(),
                Stopwords = Strings(t, "stopwords", source, line, id).Select(w => w.ToLowerInvariant()).ToList(),
                RequireAll = OptionalString(t, "condition", source, line, id)?.ToUpperInvariant() switch
                {
                    null or "OR" => false,
                    "AND" => true,
                    var other => throw Invalid(source, line, id, $"condition '{other}' is not OR or AND"),
                },
            })
            .ToList();
    }

    private static string? OptionalString(TomlTable table, string key, string source, int line, string? id) =>
        !table.TryGetValue(key, out var value)
            ? null
            : value as string ?? throw Invalid(source, line, id, $"'{key}' must be a string");

    private static List<string> Strings(TomlTable table, string key, string source, int line, string? id) =>
        !table.TryGetValue(key, out var value) ? []
        : value is TomlArray array && array.All(v => v is string) ? array.Cast<string>().ToList()
        : throw Invalid(source, line, id, $"'{key}' must be an array of strings");

    // ^ and $ match at line ends: rules run on several lines at once, and the built-in ones are written for lines.
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.Multiline;

    /// <summary>
    /// An RE2 (Go) regex as .NET reads it: <c>(?P&lt;name&gt;</c> groups and POSIX classes translated; linear-time
    /// where it can be.
    /// </summary>
    private static Regex Compile(string pattern, string source, int line, string? id)
    {
        var translated = PosixClass()
            .Replace(pattern.Replace("(?P<", "(?<", StringComparison.Ordinal), m => m.Groups[1].Value switch
                {
                    "alnum" => "a-zA-Z0-9",
                    "alpha" => "a-zA-Z",
                    "digit" => "0-9",
                    "lower" => "a-z",
                    "upper" => "A-Z",
                    "space" => @"\s",
                    "xdigit" => "0-9A-Fa-f",
                    "punct" => @"!-/:-@\[-`{-~",
                    "word" => @"\w",
                    _ => m.Value,
                });
        try
        {
            try
            {
                return new Regex(translated, Options | RegexOptions.NonBacktracking);
            }
            catch (NotSupportedException)
            {
                return new Regex(translated, Options, TimeSpan.FromSeconds(1));
            }
        }
        catch (ArgumentException ex)
        {
            throw Invalid(source, line, id, $"the regex '{pattern}' is not valid: {ex.Message}");
        }
    }

    private static RecoveryException Invalid(string source, int line, string? id, string message) =>
        new(
            "SecretRulesInvalid",
            FailureKind.InvalidArgument,
            $"{source}{(line > 0 ? $" line {line}" : string.Empty)}{(id is null ? string.Empty : $", rule '{id}'")}: "
                + $"{message}.",
            source
        );

    [GeneratedRegex(@"^[ \t]*\[\[[ \t]*rules[ \t]*\]\]", RegexOptions.Multiline)]
    private static partial Regex RuleHeader();

    [GeneratedRegex(@"\G\{(\d*)(?:,\d*)?\}")]
    private static partial Regex CountedRepetition();

    [GeneratedRegex(@"\[:(\w+):\]")]
    private static partial Regex PosixClass();
}
