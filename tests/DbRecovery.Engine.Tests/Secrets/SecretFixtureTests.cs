using DbRecovery.Engine.Secrets;

namespace DbRecovery.Engine.Tests.Secrets;

/// <summary>
/// Secrets written the way people write them, each fixture with its planted secrets (invented values) and its
/// decoys: the incident's phase 5 as a Markdown plan, docker-compose YAML, .env, INI, JSON, a Markdown table,
/// connection strings, a .pgpass file, URLs of several schemes and a chat transcript.
/// </summary>
public sealed class SecretFixtureTests : IDisposable
{
    private const string DbPassword = "Qm7vX2pL9sK4tR8wZ1yB6nC3dF5gH0jT";
    private const string HostingKey = "rnd_Hq4Zt8Wm2Xc6Vb9Nk3Lp7Rs1";

    private readonly string _root = Directory.CreateTempSubdirectory("dbr-fixtures-").FullName;

    /// <summary>Each file, its text, and the secrets planted in it (every other value is a decoy).</summary>
    public static readonly (string File, string Text, string[] Planted)[] Fixtures =
    [
        (
            "incident-plan.md",
            $$"""
            ## Phase 5: Rotate exposed credentials

            The following were pasted in the team chat and must be rotated:

            1. **Test DB Password**: `{{DbPassword}}`
            2. **Hosting API Key**: `{{HostingKey}}`
            3. Connection string used by the API: `postgresql://app_user:{{DbPassword}}@db.internal:5432/app`

            After rotation the documents say `<new_key>` and `${DB_PASSWORD}`.
            - Old key: [REDACTED-ROTATED-2025-11-11]
            - Check: `curl -H "Authorization: Bearer <old key>" https://api.hosting.example/v1/services` must answer 401.
            - The password policy requires 16 characters; tokens rotate every ninety days.
            """,
            [DbPassword, HostingKey, DbPassword]
        ),
        (
            "docker-compose.yml",
            """
            services:
              db:
                image: postgres:15
                environment:
                  POSTGRES_USER: app
                  POSTGRES_PASSWORD: Zr8Kp3Wq6Ty1Um4Vx9Ns2Lb7
              api:
                environment:
                  DATABASE_URL: "postgresql://app:Zr8Kp3Wq6Ty1Um4Vx9Ns2Lb7@db:5432/app"
                  SECRET_KEY: ${SECRET_KEY}
                  API_TOKEN: changeme
                  GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}
            """,
            ["Zr8Kp3Wq6Ty1Um4Vx9Ns2Lb7", "Zr8Kp3Wq6Ty1Um4Vx9Ns2Lb7"]
        ),
        (
            ".env",
            """
            DB_PASSWORD=Hv5Jc8Qe2Rm6Ty0Wn3Kx7Pa
            export PGPASSWORD=Hv5Jc8Qe2Rm6Ty0Wn3Kx7Pa
            STRIPE_TOKEN=
            API_KEY=PASSWORD
            SESSION_SECRET=aaaaaaaaaaaaaaaaaaaa
            DB_PASSWORD_FILE=/run/secrets/db_password
            """,
            ["Hv5Jc8Qe2Rm6Ty0Wn3Kx7Pa", "Hv5Jc8Qe2Rm6Ty0Wn3Kx7Pa"]
        ),
        (
            "app.ini",
            """
            [database]
            host = db.internal
            password = Lm4Nq7Rs0Tu3Vw6Xy9Za2Bc
            [cache]
            url = redis://:Ds5Fg8Hj1Kl4Zx7Cv0Bn3Mq@cache.internal:6379/0
            password = ********
            """,
            ["Lm4Nq7Rs0Tu3Vw6Xy9Za2Bc", "Ds5Fg8Hj1Kl4Zx7Cv0Bn3Mq"]
        ),
        (
            "settings.json",
            """
            { "db": { "user": "app", "password": "Gf4Hd7Js0Ka3Lq6Mw9Ne2Rb" },
              "build": { "id": "8d3c1a4e-1111-4222-8333-944455556666", "integrity": "sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ" },
              "password_hint": "ask the on-call engineer" }
            """,
            ["Gf4Hd7Js0Ka3Lq6Mw9Ne2Rb"]
        ),
        (
            "handover.md",
            """
            | Service | Credential | Value |
            |---|---|---|
            | staging db password | app | `Wq2Er5Ty8Ui1Op4As7Df0Gh` |
            | prod db password | app | [REDACTED-ROTATED-2025-11-11] |
            """,
            ["Wq2Er5Ty8Ui1Op4As7Df0Gh"]
        ),
        (
            "connections.txt",
            """
            jdbc:postgresql://db:5432/app?user=app&password=Tz5Xc8Vb1Nm4Qa7Ws0Ed3Rf
            Host=db;Username=app;Password=Uj6Ik9Ol2Pm5Qn8Rb1Sc4Td;Database=app
            psql "postgresql://ops:Wd3Ef6Rg9Th2Yj5Uk8Il1Om@db/app"
            curl https://deploy:Vb8Nc1Md4Le7Kf0Jg3Ih6Gh@ci.example.test/hook
            amqp://guest:Xs2Cd5Vf8Bg1Nh4Mj7Kl0Op@mq:5672/
            mongodb+srv://svc:Pl0Ok9Ij8Uh7Yg6Tf5Rd4Es@cluster0.example.test/db
            https://example.test/search?q=password&page=2
            password = os.environ["DB_PASSWORD"]
            password = settings.DATABASES.default
            """,
            [
                "Tz5Xc8Vb1Nm4Qa7Ws0Ed3Rf",
                "Uj6Ik9Ol2Pm5Qn8Rb1Sc4Td",
                "Wd3Ef6Rg9Th2Yj5Uk8Il1Om",
                "Vb8Nc1Md4Le7Kf0Jg3Ih6Gh",
                "Xs2Cd5Vf8Bg1Nh4Mj7Kl0Op",
                "Pl0Ok9Ij8Uh7Yg6Tf5Rd4Es",
            ]
        ),
        (
            ".pgpass",
            """
            # hostname:port:database:username:password
            db.internal:5432:app:app_user:Ck7Dl0Em3Fn6Go9Hp2Iq5Jr
            """,
            ["Ck7Dl0Em3Fn6Go9Hp2Iq5Jr"]
        ),
        (
            "chat.txt",
            """
            [10:42] alice: the password is Pk9Lm2Nb5Vc8Xz1Qw4Er7Ty
            [10:43] bob: thanks, and the new api key for hosting is rnd_Bn6Mk9Lj2Hg5Fd8Sa1Qw4Er
            [10:44] alice: db password for staging: Yt3Re6Wq9Po2Iu5Ly8Kj1Hg
            [10:45] bob: ok, I'll put PASSWORD in the vault; the password is rotated-quarterly anyway
            [10:46] alice: token: <redacted>
            """,
            ["Pk9Lm2Nb5Vc8Xz1Qw4Er7Ty", "rnd_Bn6Mk9Lj2Hg5Fd8Sa1Qw4Er", "Yt3Re6Wq9Po2Iu5Ly8Kj1Hg"]
        ),
    ];

    private FingerprintKey Key => FingerprintKey.LoadOrCreate(Path.Combine(_root, "key", "fingerprint.key"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Every_planted_secret_is_found_and_no_decoy()
    {
        var scanner = new SecretScanner(SecretRuleSet.BuiltIn, Key);
        var wrong = new List<string>();
        foreach (var (file, text, planted) in Fixtures)
        {
            var path = Path.Combine(_root, file);
            File.WriteAllText(path, text);
            var found = scanner.ScanFile(path).ToList();
            var expected = planted.Select(Key.Fingerprint).Order().ToList();
            if (!found.Select(f => f.Fingerprint).Order().SequenceEqual(expected))
            {
                wrong.Add(
                    $"{file}: found {string.Join(", ", found.Select(f => $"line {f.Line} {f.Kind} {f.Preview}"))}; "
                        + $"planted {planted.Length}"
                );
            }

            Assert.All(found, f =>
                Assert.DoesNotContain(
                    f.ToString(),
                    planted.Where(p => f.ToString().Contains(p, StringComparison.Ordinal))
                )
            );
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public void A_known_secret_is_found_in_every_form_it_is_pasted_in()
    {
        var encoded = Uri.EscapeDataString("p@ss/w0rd:Kx9");
        File.WriteAllText(
            Path.Combine(_root, "ci.yml"),
            $"""
            env:
              DB_PASSWORD: p@ss/w0rd:Kx9
              DATABASE_URL: postgresql://app:{encoded}@db/app
              AUTH: Basic {Convert.ToBase64String("app:p@ss/w0rd:Kx9"u8)}
              BLOB: {Convert.ToBase64String("p@ss/w0rd:Kx9"u8)}
              OTHER: p@ss/w0rd:Kx8
            """
        );
        var scanner = new SecretScanner(SecretRuleSet.ForValues([("app", "p@ss/w0rd:Kx9")]), Key);
        var found = scanner.ScanPaths([_root], [], []).ToList();

        Assert.Equal(
            ["known-secret-verbatim", "known-secret-url-encoded", "known-secret-basic-auth", "known-secret-base64"],
            found.Select(f => f.Kind)
        );
        Assert.Equal([2, 3, 4, 5], found.Select(f => f.Line));
        Assert.All(found, f => Assert.Equal("********", f.Preview));
    }

    [Fact]
    public void Findings_write_a_sarif_log_without_the_secrets()
    {
        var path = Path.Combine(_root, "incident-plan.md");
        File.WriteAllText(path, Fixtures[0].Text);
        var findings = new SecretScanner(SecretRuleSet.BuiltIn, Key).ScanFile(path).ToList();
        var sarif = Path.Combine(_root, "secrets.sarif");
        SarifReport.Write(sarif, findings, SecretRuleSet.BuiltIn);

        var text = File.ReadAllText(sarif);
        Assert.DoesNotContain(DbPassword, text, StringComparison.Ordinal);
        Assert.DoesNotContain(HostingKey, text, StringComparison.Ordinal);
        using var log = System.Text.Json.JsonDocument.Parse(text);
        Assert.Equal("2.1.0", log.RootElement.GetProperty("version").GetString());
        var results = log.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(findings.Select(f => f.Kind), results.Select(r => r.GetProperty("ruleId").GetString()));
        Assert.Equal(
            findings.Select(f => f.Line),
            results.Select(r =>
                r.GetProperty("locations")[0]
                    .GetProperty("physicalLocation")
                    .GetProperty("region")
                    .GetProperty("startLine")
                    .GetInt32()
            )
        );
        Assert.Equal(
            findings[0].Fingerprint,
            results[0].GetProperty("partialFingerprints").GetProperty("dbrecovery/keyed-sha256/v1").GetString()
        );
        Assert.Contains(
            log.RootElement.GetProperty("runs")[0]
                .GetProperty("tool")
                .GetProperty("driver")
                .GetProperty("rules")
                .EnumerateArray(),
            r => r.GetProperty("id").GetString() == "generic-labelled-secret"
        );
    }
}
