using DbRecovery.Engine.Secrets;
using DbRecovery.TestSupport;

namespace DbRecovery.Engine.Tests.Secrets;

/// <summary>
/// For every rule of a rule set: values generated from the rule's own regex, on a line with one of its keywords (in a
/// file its path regex accepts), are found under that rule's id with the whole set loaded whenever the rule alone finds
/// them, and at least one of them is; no other rule hides it.
/// </summary>
public sealed class RuleSetPropertyTests : IDisposable
{
    private const int Samples = 6;

    private readonly string _folder = Directory.CreateTempSubdirectory("dbr-rules-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string> RuleSets => ["built-in", "generated"];

    [Theory]
    [MemberData(nameof(RuleSets))]
    public void Every_rule_finds_values_generated_from_its_own_regex_under_its_own_id(string name)
    {
        var rules =
            name == "built-in"
                ? SecretRuleSet.BuiltIn
                : SecretRuleSet.Parse(GeneratedRuleFile.Text(), "generated.toml");
        var key = FingerprintKey.LoadOrCreate(Path.Combine(_folder, "fingerprint.key"));
        var whole = new SecretScanner(rules, key);
        var failures = new List<string>();
        var checkedRules = 0;
        foreach (var rule in rules.Rules.Where(r => r.Regex is not null))
        {
            checkedRules++;
            var alone = new SecretScanner(rules.Only(rule), key);
            var foundAlone = 0;
            // The generator ignores \b and the like: values the regex itself does not match are drawn again.
            var samples = Enumerable
                .Range(0, 400)
                .Select(seed => Sample(rule, seed))
                .Where(s => s.Secret is not null)
                .Take(Samples);
            foreach (var (text, path, secret) in samples)
            {
                if (!alone.ScanText(new StringReader(text), path).Any(f => f.Fingerprint == key.Fingerprint(secret!)))
                {
                    continue; // the rule's own allowlist or entropy turns this value down
                }

                foundAlone++;
                var findings = whole.ScanText(new StringReader(text), path).ToList();
                if (!findings.Any(f => f.Kind == rule.Id && f.Fingerprint == key.Fingerprint(secret!)))
                {
                    failures.Add(
                        $"{rule.Id}: {text.ReplaceLineEndings("⏎")} gave "
                            + $"[{string.Join(", ", findings.Select(f => f.Kind))}]"
                    );
                }
            }

            if (foundAlone == 0)
            {
                failures.Add(
                    $"{rule.Id}: none of the values generated from its regex was found even by the rule alone"
                );
            }
        }

        Assert.True(
            checkedRules >= (name == "generated" ? GeneratedRuleFile.Count : 10),
            $"{checkedRules} rules checked"
        );
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>A value from the rule's regex on a line with a keyword, a path its path regex accepts, and the secret
    /// the rule itself reads out of the line.</summary>
    private static (string Text, string Path, string? Secret) Sample(SecretRule rule, int seed)
    {
        var value = RegexSample.Generate(rule.Regex!.ToString(), seed);
        var keyword = rule.Keywords.FirstOrDefault(k => !value.Contains(k, StringComparison.OrdinalIgnoreCase));
        var text =
            keyword is null || rule.Keywords.Any(k => value.Contains(k, StringComparison.OrdinalIgnoreCase))
                ? value + "\n"
                : $"{keyword}\n{value}\n";
        var path = rule.Path is null
            ? "notes.txt"
            : RegexSample.Generate(rule.Path.ToString(), seed).TrimStart('/', '\\');
        var secret = rule.Find(text).Select(f => f.Secret).FirstOrDefault();
        return (text, path.Length == 0 ? "pgpass" : path, secret);
    }
}
