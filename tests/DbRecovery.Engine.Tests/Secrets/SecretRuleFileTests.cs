using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Secrets;

namespace DbRecovery.Engine.Tests.Secrets;

/// <summary>
/// Rule files in gitleaks' format: custom rules and their allowlists are honoured, and a bad file names the rule and
/// line.
/// </summary>
public sealed class SecretRuleFileTests : IDisposable
{
    private const string Rules = """
        title = "team rules"

        [extend]
        useDefault = true

        [allowlist]
        description = "test fixtures"
        paths = ['''(^|/)fixtures/''']

        [[rules]]
        id = "acme-deploy-token"
        description = "ACME deploy token"
        regex = '''\b(acme_[[:alnum:]]{24})\b'''
        secretGroup = 1
        keywords = ["acme_"]
        entropy = 3.5

            [[rules.allowlists]]
            regexes = ['''^acme_0{24}$''']

            [[rules.allowlists]]
            condition = "AND"
            regexTarget = "line"
            regexes = ['''(?i)example''']
            stopwords = ["test"]

        [[rules]]
        id = "internal-password"
        description = "An internal password with a named group"
        regex = '''(?i)int_pw=(?P<pw>\S+)'''
        secretGroup = 1
        keywords = ["int_pw="]
        """;

    private readonly string _root = Directory.CreateTempSubdirectory("dbr-rules-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private List<SecretFinding> Scan(SecretRuleSet rules, string file, string text)
    {
        var path = Path.Combine(_root, file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return new SecretScanner(rules, FingerprintKey.LoadOrCreate(Path.Combine(_root, "key")))
            .ScanFile(path)
            .ToList();
    }

    private SecretRuleSet Load(string text)
    {
        var path = Path.Combine(_root, ".gitleaks.toml");
        File.WriteAllText(path, text);
        return SecretRuleSet.Load(path);
    }

    [Fact]
    public void Custom_rules_keywords_entropy_and_allowlists_are_honoured()
    {
        var rules = Load(Rules);
        var findings = Scan(
            rules,
            "deploy.sh",
            """
            deploy --token acme_Zq8Rm3Tv6Wx1Yb4Nc7Kd2Lf5
            deploy --token acme_000000000000000000000000
            deploy --token acme_aaaaaaaaaaaaaaaaaaaaaaaa
            example: deploy --token acme_Hs6Jt9Ku2TestLv5Mw8Nx1Pq
            example: deploy --token acme_Gr5Hs8It1Ju4Kv7Lw0Mx3Nyz
            INT_PW=Fq2Wd5Ec8Rv1Tb4Yn7Um0Ik3
            DATABASE_URL=postgresql://app:Bv4Nc7Mx0Lz3Ka6Js9Hd2Gf@db/app
            """
        );

        Assert.Equal(
            ["1 acme-deploy-token", "5 acme-deploy-token", "6 internal-password", "7 url-password"],
            findings.Select(f => $"{f.Line} {f.Kind}")
        );
        Assert.Empty(Scan(rules, "fixtures/deploy.sh", "deploy --token acme_Zq8Rm3Tv6Wx1Yb4Nc7Kd2Lf5"));
    }

    [Fact]
    public void Without_use_default_only_the_file_rules_run()
    {
        var rules = Load(Rules.Replace("useDefault = true", "useDefault = false", StringComparison.Ordinal));
        Assert.Equal(["acme-deploy-token", "internal-password"], rules.Rules.Select(r => r.Id));
        Assert.Empty(Scan(rules, "env", "DATABASE_URL=postgresql://app:Bv4Nc7Mx0Lz3Ka6Js9Hd2Gf@db/app"));
    }

    [Theory]
    [InlineData(
        "[[rules]]\nid = \"broken\"\nregex = '''(unclosed'''\n",
        "line 1, rule 'broken': the regex '(unclosed' is not valid"
    )]
    [InlineData(
        "title = \"x\"\n\n[[rules]]\nid = \"a\"\nregex = '''a'''\n\n[[rules]]\nid = \"b\"\nregex = '''b'''\nkeywords "
            + "= \"b\"\n",
        "line 7, rule 'b': 'keywords' must be an array of strings"
    )]
    [InlineData("[[rules]]\ndescription = \"no id\"\nregex = '''x'''\n", "line 1: a rule has no id")]
    [InlineData(
        "[[rules]]\nid = \"c\"\nregex = '''c'''\n[[rules.allowlists]]\ncondition = \"XOR\"\n",
        "line 1, rule 'c': condition 'XOR' is not OR or AND"
    )]
    [InlineData("[[rules]\nid = \"d\"\n", "not valid TOML")]
    public void A_bad_rule_file_names_the_rule_and_line(string text, string expected)
    {
        var error = Assert.Throws<RecoveryException>(() => Load(text));
        Assert.Equal("SecretRulesInvalid", error.ErrorId);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith(Path.Combine(_root, ".gitleaks.toml"), error.Message, StringComparison.Ordinal);
    }
}
