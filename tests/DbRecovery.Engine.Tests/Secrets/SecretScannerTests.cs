using DbRecovery.Engine.Secrets;
using DbRecovery.TestSupport;

namespace DbRecovery.Engine.Tests.Secrets;

public sealed class SecretScannerTests : IDisposable
{
    private readonly string _keyFile = Path.Combine(
        Path.GetTempPath(),
        $"dbr-key-{Guid.NewGuid():N}",
        "fingerprint.key"
    );

    private FingerprintKey Key => FingerprintKey.LoadOrCreate(_keyFile);

    public void Dispose()
    {
        if (Directory.Exists(Path.GetDirectoryName(_keyFile)))
        {
            Directory.Delete(Path.GetDirectoryName(_keyFile)!, recursive: true);
        }
    }

    private SecretScanner Scanner(IEnumerable<string>? known = null) => new(SecretRuleSet.BuiltIn, Key, known);

    private List<SecretFinding> Scan(string text) => Scanner().ScanText(new StringReader(text), "chat.txt").ToList();

    [Theory]
    [InlineData(
        "DATABASE_URL=postgresql://app:Fak3-Pass-4-Tests@db.example.test:5432/app",
        "url-password",
        "Fak3-Pass-4-Tests"
    )]
    [InlineData("export DB=postgres://ops:n0t%2Freal-value@10.0.0.5/prod", "url-password", "n0t%2Freal-value")]
    [InlineData(
        "Host=db;Username=app;Password=Fak3Pw4Tests;Database=app",
        "connection-string-password",
        "Fak3Pw4Tests"
    )]
    [InlineData("render key: rnd_FakeKeyForUnitTestsOnly123", "hosting-api-key", "rnd_FakeKeyForUnitTestsOnly123")]
    [InlineData("aws_access_key_id = AKIAFAKEFAKEFAKE1234", "aws-access-key-id", "AKIAFAKEFAKEFAKE1234")]
    [InlineData(
        "aws_secret_access_key = Fak3Secr3tKeyF0rT3stsOnly/AbCdEfGhIjKlMn",
        "aws-secret-access-key",
        "Fak3Secr3tKeyF0rT3stsOnly/AbCdEfGhIjKlMn"
    )]
    [InlineData(
        "token ghp_FakeTokenForTestsOnly0123456789abcde",
        "github-token",
        "ghp_FakeTokenForTestsOnly0123456789abcde"
    )]
    [InlineData("slack: xoxb-0000000000-FakeSlackToken", "slack-token", "xoxb-0000000000-FakeSlackToken")]
    [InlineData("-----BEGIN OPENSSH PRIVATE KEY-----", "private-key", "-----BEGIN OPENSSH PRIVATE KEY-----")]
    [InlineData(
        "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0LW9ubHkifQ.ZmFrZS1zaWduYXR1cmUtZm9yLXRlc3Rz",
        "json-web-token",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0LW9ubHkifQ.ZmFrZS1zaWduYXR1cmUtZm9yLXRlc3Rz"
    )]
    [InlineData("SECRET_KEY = \"k9Zq2Lw8Xv4Rt7Yp1Mn6\"", "generic-labelled-secret", "k9Zq2Lw8Xv4Rt7Yp1Mn6")]
    public void Finds_each_kind_and_keeps_only_a_preview_and_a_fingerprint(string line, string kind, string secret)
    {
        var finding = Assert.Single(Scan("first line\n" + line));

        Assert.Equal(kind, finding.Kind);
        Assert.Equal(2, finding.Line);
        Assert.Equal(line.IndexOf(secret, StringComparison.Ordinal) + 1, finding.Column);
        Assert.Equal(secret[..Math.Min(4, secret.Length / 4)] + "********", finding.Preview);
        Assert.Equal(Key.Fingerprint(secret), finding.Fingerprint);
        Assert.DoesNotContain(secret, finding.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("**DB Password**: `s3cr3t-Example-9`", "s3cr3t-Example-9")]
    [InlineData("DATABASE_URL=postgresql://app:s3cr3t-Sample-9@db:5432/app", "s3cr3t-Sample-9")]
    [InlineData("password = \"TestPassword-77x\"", "TestPassword-77x")]
    public void A_secret_that_merely_contains_a_placeholder_word_is_still_a_secret(string line, string secret) =>
        Assert.Equal(Key.Fingerprint(secret), Assert.Single(Scan(line)).Fingerprint);

    [Theory]
    [InlineData("psql \"postgresql://app_user:PASSWORD@db.example.internal/app\"")]
    [InlineData("DATABASE_URL=postgresql://app:CHANGE_ME@db/app")]
    [InlineData("DATABASE_URL=postgresql://app:xxxxxxxx@db/app")]
    [InlineData("DATABASE_URL=postgresql://app:%(password)s@db/app")]
    [InlineData("DATABASE_URL=postgresql://app:{{ db_password }}@db/app")]
    [InlineData("password: [REDACTED]")]
    [InlineData("password = your_password")]
    public void A_placeholder_by_the_shape_of_the_whole_value_is_not_a_secret(string line) => Assert.Empty(Scan(line));

    [Theory]
    [InlineData("id = \"8d3c1a4e-1111-4222-8333-944455556666\"")]
    [InlineData("\"integrity\": \"sha512-9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"")]
    [InlineData("checksum token = \"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"")]
    [InlineData("password = \"PASSWORD\"")]
    [InlineData("DATABASE_URL=postgresql://user:<password>@host/db")]
    [InlineData("DATABASE_URL=postgresql://user:${DB_PASSWORD}@host/db")]
    [InlineData("api_key: \"<new_key>\"")]
    [InlineData("token = \"***\"")]
    [InlineData("Password=changeme")]
    [InlineData("secret = \"aaaaaaaaaaaaaaaa\"")]
    [InlineData("The password policy requires 12 characters.")]
    [InlineData("aws_secret_access_key = <your secret key here>")]
    public void Ignores_placeholders_hashes_and_uuids(string line) => Assert.Empty(Scan(line));

    [Fact]
    public void Marks_known_fingerprints_and_scans_folders_skipping_binary_and_git()
    {
        var root = Directory.CreateTempSubdirectory("dbr-secrets-").FullName;
        try
        {
            const string Url = "postgresql://app:Fak3-Pass-4-Tests@db/app";
            File.WriteAllText(Path.Combine(root, "notes.md"), $"recovery\n{Url}\n");
            File.WriteAllText(Path.Combine(root, "other.txt"), Url);
            File.WriteAllBytes(Path.Combine(root, "image.bin"), [0, 1, 2, .. System.Text.Encoding.UTF8.GetBytes(Url)]);
            Directory.CreateDirectory(Path.Combine(root, ".git"));
            File.WriteAllText(Path.Combine(root, ".git", "config"), Url);

            var scanner = Scanner([Key.Fingerprint("Fak3-Pass-4-Tests")]);
            var findings = scanner.ScanPaths([root], ["*.md", "*.txt", "*.bin", "config"], ["other.*"]).ToList();

            var finding = Assert.Single(findings);
            Assert.EndsWith("notes.md", finding.Path, StringComparison.Ordinal);
            Assert.True(finding.IsKnown);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Scans_the_lines_git_history_added()
    {
        var root = Directory.CreateTempSubdirectory("dbr-git-").FullName;
        try
        {
            void Git(params string[] args) => GitRepository.Run(root, args);

            Git("init", "-q");
            File.WriteAllText(
                Path.Combine(root, "plan.md"),
                "step 1\nexport DATABASE_URL=postgresql://app:Fak3-Pass-4-Tests@db/app\n"
            );
            Git("add", ".");
            Git("commit", "-q", "-m", "plan");
            File.WriteAllText(Path.Combine(root, "plan.md"), "step 1\nexport DATABASE_URL=$DATABASE_URL\n");
            Git("commit", "-q", "-am", "remove the password");

            Assert.Empty(Scanner().ScanPaths([root], [], []));
            var finding = Assert.Single(Scanner().ScanGitHistory(root));
            Assert.EndsWith(":plan.md", finding.Path, StringComparison.Ordinal);
            Assert.Equal(2, finding.Line);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Entropy_separates_random_values_from_words() =>
        Assert.True(
            SecretRule.ShannonEntropy("k9Zq2Lw8Xv4Rt7Yp1Mn6") > 4 && SecretRule.ShannonEntropy("aaaaaaaabbbb") < 1
        );

    [Fact]
    public void Fingerprints_are_keyed_so_a_dictionary_cannot_undo_them()
    {
        var finding = Assert.Single(Scan("DATABASE_URL=postgresql://app:postgres@db/app"));
        Assert.NotEqual(
            Convert.ToHexString(System.Security.Cryptography.SHA256.HashData("postgres"u8)).ToLowerInvariant(),
            finding.Fingerprint
        );
        Assert.Equal(Key.Fingerprint("postgres"), finding.Fingerprint);
        using var other = new TemporaryKey();
        Assert.NotEqual(finding.Fingerprint, FingerprintKey.LoadOrCreate(other.Path).Fingerprint("postgres"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_keyFile));
        }
    }

    private sealed class TemporaryKey : IDisposable
    {
        public string Path { get; } =
            System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"dbr-key-{Guid.NewGuid():N}.key");

        public void Dispose() => File.Delete(Path);
    }
}
