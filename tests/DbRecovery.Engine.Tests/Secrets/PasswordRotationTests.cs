using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Journal;
using DbRecovery.Engine.Secrets;
using DbRecovery.TestSupport;

namespace DbRecovery.Engine.Tests.Secrets;

public sealed class PasswordRotationTests : DatabaseTest, IDisposable
{
    private readonly string _journalPath = Path.Combine(Path.GetTempPath(), $"dbr-journal-{Guid.NewGuid():N}.jsonl");

    public void Dispose() => File.Delete(_journalPath);

    private string Role => "app_" + Database.Name;

    [Fact]
    public async Task The_verifier_matches_what_postgres_computes_for_the_same_salt()
    {
        await Database.ExecuteAsync(
            $"SET password_encryption = 'scram-sha-256'; CREATE ROLE {Role} LOGIN PASSWORD 'Plain-Example-Pass'"
        );
        try
        {
            var stored = await Database.ScalarAsync<string>(
                $"SELECT rolpassword FROM pg_authid WHERE rolname = '{Role}'"
            );
            var parts = stored.Split('$', ':');
            var computed = ScramVerifier.Compute(
                "Plain-Example-Pass",
                Convert.FromBase64String(parts[2]),
                int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)
            );

            Assert.Equal(stored, computed);
        }
        finally
        {
            await Database.ExecuteAsync($"DROP ROLE {Role}");
        }
    }

    [Fact]
    public async Task Rotation_sends_only_the_verifier_and_proves_new_works_and_old_is_dead()
    {
        const string OldPassword = "Old-Example-Pass-1";
        await Database.ExecuteAsync($"CREATE ROLE {Role} LOGIN PASSWORD '{OldPassword}'");
        try
        {
            var admin = ConnectionTarget.Parse(Database.Url);
            var newPassword = PasswordGenerator.Generate(32);
            var journal = new JournalContext(
                new RecoveryJournal(_journalPath),
                "Reset-DatabasePassword",
                new Dictionary<string, string> { ["Role"] = Role }
            );

            var rotated = await PasswordRotation.RotateAsync(
                admin,
                Role,
                newPassword,
                OldPassword,
                journal,
                Log,
                CancellationToken.None
            );

            Assert.Equal("Fail", (await CredentialCheck.TestAsync(rotated, Log, CancellationToken.None)).Status);
            Assert.Equal(
                "Pass",
                (
                    await CredentialCheck.TestAsync(
                        admin.WithCredentials(Role, OldPassword),
                        Log,
                        CancellationToken.None
                    )
                ).Status
            );
            Assert.Equal(32, newPassword.Length);
            Assert.Matches("^[A-Za-z0-9_-]{32}$", newPassword);
            var logFile = Database.Server.Cluster?.LogFile
                ?? throw new InvalidOperationException(
                    "This test reads the server log of the local test cluster: unset "
                        + PostgresServer.UrlVariable
                        + "."
                );
            var serverLog = await File.ReadAllTextAsync(logFile);
            Assert.Contains(
                $"ALTER ROLE \"{Role}\" PASSWORD 'SCRAM-SHA-256$4096:",
                serverLog,
                StringComparison.Ordinal
            );
            Assert.DoesNotContain(newPassword, serverLog, StringComparison.Ordinal);
            Assert.DoesNotContain(newPassword, Log.All, StringComparison.Ordinal);
            var entry = Assert.Single(new RecoveryJournal(_journalPath).Read());
            Assert.Contains(PasswordRotation.VerifierShown, entry.Sql[0], StringComparison.Ordinal);
            Assert.DoesNotContain(newPassword, File.ReadAllText(_journalPath), StringComparison.Ordinal);
        }
        finally
        {
            await Database.ExecuteAsync($"DROP ROLE {Role}");
        }
    }

    [Fact]
    public async Task Credential_check_is_inconclusive_when_the_server_cannot_be_reached()
    {
        var check = await CredentialCheck.TestAsync(
            ConnectionTarget.Parse("postgresql://app:Old-Example-Pass@127.0.0.1:1/app"),
            Log,
            CancellationToken.None
        );

        Assert.Equal("Inconclusive", check.Status);
        Assert.Contains("refused", check.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("Old-Example-Pass", check.Reason + check.Target, StringComparison.Ordinal);
    }

    [Fact]
    public void Generated_passwords_are_url_safe_and_differ()
    {
        var passwords = Enumerable.Range(0, 50).Select(_ => PasswordGenerator.Generate(24)).ToList();

        Assert.All(passwords, p => Assert.Matches("^[A-Za-z0-9_-]{24}$", p));
        Assert.Equal(50, passwords.Distinct().Count());
        Assert.Throws<ArgumentOutOfRangeException>(() => PasswordGenerator.Generate(8));
    }
}
