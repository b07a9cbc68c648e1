using DbRecovery.Engine.Secrets;

namespace DbRecovery.Engine.Tests.Secrets;

/// <summary>
/// A rule file means what it means to gitleaks: rules report independently under their own ids, a generic rule gives
/// way to a specific one on the same line, a regex matches across lines, a path-only rule reports the file, and
/// <c>gitleaks:allow</c> silences a line. All values here are invented.
/// </summary>
public sealed class GitleaksSemanticsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dbr-gitleaks-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private FingerprintKey Key => FingerprintKey.LoadOrCreate(Path.Combine(_folder, "key", "fingerprint.key"));

    private List<SecretFinding> Scan(SecretRuleSet rules, string text, string path = "notes.txt") =>
        new SecretScanner(rules, Key).ScanText(new StringReader(text), path).ToList();

    private List<SecretFinding> Scan(string text) => Scan(SecretRuleSet.BuiltIn, text);

    [Fact]
    public void Overlapping_rules_each_report_under_their_own_id_and_a_generic_rule_gives_way()
    {
        var rules = SecretRuleSet.Parse(
            """
            [[rules]]
            id = "generic-api-key"
            regex = '''(?i)(?:key|token)[ \t]*[:=][ \t]*([A-Za-z0-9_]{16,})'''
            keywords = ["key", "token"]

            [[rules]]
            id = "stripe-access-token"
            regex = '''\b(sk_live_[A-Za-z0-9]{20,})\b'''
            keywords = ["sk_live_"]

            [[rules]]
            id = "twin-a"
            regex = '''\b(tw_[a-z0-9]{12})\b'''
            keywords = ["tw_"]

            [[rules]]
            id = "twin-b"
            regex = '''\b(tw_[a-z0-9]{12})\b'''
            keywords = ["tw_"]
            """,
            "team.toml"
        );

        var findings = Scan(
            rules,
            "STRIPE_KEY=sk_live_Inv3ntedF0rTests0nly99\nplain tw_a1b2c3d4e5f6 here\nAPI_TOKEN=Inv3ntedGener1cValue77\n"
        );

        Assert.Equal(
            ["1 stripe-access-token", "2 twin-a", "2 twin-b", "3 generic-api-key"],
            findings.Select(f => $"{f.Line} {f.Kind}")
        );
    }

    [Fact]
    public void A_pem_private_key_is_one_finding_from_its_first_line_to_its_end()
    {
        var findings = Scan(
            """
            deploy notes
            -----BEGIN RSA PRIVATE KEY-----
            MIIEowIBAAKCAQEAInventedKeyMaterialForTestsOnly0123456789abcdefghij
            klmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/InventedOnly==
            -----END RSA PRIVATE KEY-----
            done
            """
        );

        var finding = Assert.Single(findings);
        Assert.Equal(("private-key", 2, 1), (finding.Kind, finding.Line, finding.Column));
    }

    [Theory]
    [InlineData(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ntype: Opaque\ndata:\n  db-url: "
            + "cG9zdGdyZXM6Ly9hcHA6czNjcjN0QGRi\n",
        7
    )]
    [InlineData(
        "apiVersion: v1\ndata:\n  db-url: cG9zdGdyZXM6Ly9hcHA6czNjcjN0QGRi\nkind: Secret\nmetadata:\n  name: app\n",
        3
    )]
    public void A_kubernetes_secrets_data_on_later_lines_is_found(string manifest, int line)
    {
        var finding = Assert.Single(Scan(manifest));
        Assert.Equal(("kubernetes-secret", line, 11), (finding.Kind, finding.Line, finding.Column));
    }

    [Fact]
    public void An_xml_value_on_the_next_line_and_a_continued_curl_command_are_found()
    {
        var findings = Scan(
            """
            <connection>
              <password>
                Xq7-Inv3nted-Pw-91
              </password>
            </connection>
            curl -sS https://api.example.test/v1/deploy \
              -X POST \
              -H "Authorization: Bearer Inv3ntedB3arerT0ken42" \
              -d @body.json
            """
        );

        Assert.Equal(["3 xml-secret-element", "8 curl-credential"], findings.Select(f => $"{f.Line} {f.Kind}"));
        Assert.Equal(Key.Fingerprint("Inv3ntedB3arerT0ken42"), findings[1].Fingerprint);
    }

    [Fact]
    public void A_hex_key_labelled_as_an_api_key_is_found_and_a_labelled_digest_is_not()
    {
        var findings = Scan(
            "x-api-key: 3f7a9c2e8b1d4f6a0c5e7b9d2f4a6c8e\nchecksum token = "
                + "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"
        );

        Assert.Equal(["1 generic-labelled-secret"], findings.Select(f => $"{f.Line} {f.Kind}"));
    }

    [Fact]
    public void Gitleaks_allow_on_a_line_silences_it()
    {
        var findings = Scan(
            "DATABASE_URL=postgresql://app:Inv3nted-Pw-1@db/app # "
                + "gitleaks:allow\nDATABASE_URL=postgresql://app:Inv3nted-Pw-2@db/app\n"
        );

        Assert.Equal([2], findings.Select(f => f.Line));
    }

    [Fact]
    public void A_path_only_rule_reports_the_file_even_when_it_is_binary()
    {
        var rules = SecretRuleSet.Parse(
            """
            [extend]
            useDefault = true

            [[rules]]
            id = "pkcs12-file"
            description = "A PKCS #12 key store"
            path = '''(?i)\.p12$'''
            """,
            "team.toml"
        );
        var store = Path.Combine(_folder, "client.p12");
        File.WriteAllBytes(store, [0x30, 0x82, 0x00, 0x01, 0x02]);
        File.WriteAllText(Path.Combine(_folder, "readme.txt"), "nothing here\n");

        var findings = new SecretScanner(rules, Key).ScanPaths([_folder], [], []).ToList();

        var finding = Assert.Single(findings);
        Assert.Equal(("pkcs12-file", store, 0), (finding.Kind, finding.Path, finding.Line));
    }

    [Fact]
    public void Entropy_at_the_rules_threshold_is_not_enough_as_in_gitleaks()
    {
        // "abab…": entropy exactly 1.0 bit per character.
        var rules = SecretRuleSet.Parse(
            """
            [[rules]]
            id = "low"
            regex = '''value=([a-z]+)'''
            entropy = 1.0
            """,
            "team.toml"
        );

        Assert.Empty(Scan(rules, "value=abababab\n"));
        Assert.Single(Scan(rules, "value=abcabcab\n"));
    }

    [Fact]
    public void The_candidate_search_is_the_union_of_the_rules_regexes_not_their_keywords_even_for_220_rules()
    {
        var builtIn = Assert.Single(SecretRuleSet.BuiltIn.Candidates!);
        Assert.Contains("PRIVATE KEY", builtIn.ToString(), StringComparison.Ordinal);

        var generated = SecretRuleSet.Parse(TestSupport.GeneratedRuleFile.Text(), "generated.toml");
        var parts = generated.Candidates!;
        Assert.InRange(parts.Count, 1, generated.Rules.Count / 8);
        Assert.All(parts, p =>
            Assert.Equal(
                System.Text.RegularExpressions.RegexOptions.NonBacktracking
                    | System.Text.RegularExpressions.RegexOptions.Multiline,
                p.Options
                    & (
                        System.Text.RegularExpressions.RegexOptions.NonBacktracking
                        | System.Text.RegularExpressions.RegexOptions.Multiline
                    )
            )
        );
    }
}
