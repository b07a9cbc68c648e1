using System.Runtime.Versioning;
using DbRecovery.Engine.Backup;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Journal;
using DbRecovery.Engine.Plans;
using DbRecovery.TestSupport;

namespace DbRecovery.Engine.Tests.Backup;

public sealed class BackupTests : DatabaseTest, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dbr-backup-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private ConnectionTarget Target => ConnectionTarget.Parse(Database.Url);

    private string BackupPath => Path.Combine(_root, "backup");

    private Task<BackupInfo> BackupAsync(string format = "directory") =>
        DatabaseBackup.BackupAsync(
            Target,
            BackupPath,
            format,
            2,
            includeGlobals: false,
            PgTools.Locate(null),
            Log,
            CancellationToken.None
        );

    private async Task<BackupVerification> VerifyAsync(TestDatabase scratch) =>
        await BackupVerifier.VerifyAsync(
            BackupPath,
            ConnectionTarget.Parse(scratch.Url),
            2,
            keep: false,
            PgTools.Locate(null),
            Log,
            CancellationToken.None
        );

    [Fact]
    public async Task A_restore_that_fails_after_Clean_is_journaled_as_leaving_the_target_emptied()
    {
        var owner = "dbr_gone_" + Guid.NewGuid().ToString("N")[..8];
        await Database.ExecuteAsync(
            $"CREATE ROLE {owner}; CREATE TABLE ledger (id int PRIMARY KEY); INSERT INTO ledger VALUES (1), (2); "
                + $"ALTER TABLE ledger OWNER TO {owner}"
        );
        await BackupAsync("custom");
        await Database.ExecuteAsync($"DROP TABLE ledger; DROP ROLE {owner}");
        await using var copy = await Database.Server.CreateDatabaseAsync();
        await copy.ExecuteAsync("CREATE TABLE keepsake (id int)");
        var target = ConnectionTarget.Parse(copy.Url);
        var journalPath = Path.Combine(_root, "journal.jsonl");
        var journal = new JournalContext(
            new RecoveryJournal(journalPath),
            "Restore-Database",
            new Dictionary<string, string> { ["Clean"] = "True" }
        );

        var plan = await DatabaseRestore.PlanAsync(
            BackupPath,
            target,
            1,
            clean: true,
            PgTools.Locate(null),
            Log,
            CancellationToken.None
        );
        var error = await Assert.ThrowsAsync<RecoveryException>(() =>
            DatabaseRestore.RestoreAsync(
                BackupPath,
                plan,
                target,
                1,
                PgTools.Locate(null),
                journal,
                Log,
                CancellationToken.None
            )
        );

        Assert.Equal([StepKind.Destroy, StepKind.Command], plan.Steps.Select(s => s.Kind));
        Assert.Equal("DROP SCHEMA \"public\" CASCADE;\nCREATE SCHEMA \"public\"", plan.Steps[0].Sql);
        Assert.Equal("RestoreFailed", error.ErrorId);
        Assert.Contains($"role \"{owner}\" does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains(
            "was emptied by -Clean and the restore did not complete",
            error.Message,
            StringComparison.Ordinal
        );
        var entry = Assert.Single(new RecoveryJournal(journalPath).Read());
        Assert.StartsWith(
            "External step failed (exit 1); database state: postgresql://",
            entry.Outcome,
            StringComparison.Ordinal
        );
        Assert.Contains("was emptied by -Clean", entry.Outcome, StringComparison.Ordinal);
        Assert.Equal(0L, await copy.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE tablename = 'keepsake'"));
    }

    [Theory]
    [InlineData("directory")]
    [InlineData("custom")]
    public async Task A_backup_restores_and_matches_its_manifest(string format)
    {
        await Database.ExecuteAsync(IncidentSchema.Sql);

        var info = await BackupAsync(format);
        await using var scratch = await Database.Server.CreateDatabaseAsync();
        var verification = await VerifyAsync(scratch);

        Assert.Empty(verification.Differences);
        Assert.True(verification.Passed);
        Assert.Equal(10, info.Tables);
        Assert.Equal(
            await Database.ScalarAsync<long>("SELECT (SELECT count(*) FROM deals) + (SELECT count(*) FROM users)"),
            Manifest().RowCounts["public.deals"] + Manifest().RowCounts["public.users"]
        );
        Assert.Contains(Manifest().Files, f => f.Sha256.Length == 64);
        Assert.Empty(Directory.GetDirectories(_root, "backup.partial-*"));
        Assert.Equal(
            0L,
            await scratch.ScalarAsync<long>(
                "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            )
        );
        Assert.DoesNotContain(
            Database.Settings.Password!,
            File.ReadAllText(Path.Combine(BackupPath, BackupManifest.FileName)),
            StringComparison.Ordinal
        );
        Assert.DoesNotContain(Database.Settings.Password!, Log.All, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("directory")]
    [InlineData("custom")]
    [UnsupportedOSPlatform("windows")]
    public async Task A_backup_is_private_its_folder_0700_and_every_file_0600(string format)
    {
        await Database.ExecuteAsync(IncidentSchema.Sql);

        await BackupAsync(format);

        const UnixFileMode Owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(Owner | UnixFileMode.UserExecute, File.GetUnixFileMode(BackupPath));
        var files = Directory.GetFiles(BackupPath, "*", SearchOption.AllDirectories);
        Assert.Contains(files, f => Path.GetFileName(f) == BackupManifest.FileName);
        Assert.All(files, f => Assert.True(File.GetUnixFileMode(f) == Owner, $"{f} is {File.GetUnixFileMode(f)}"));
    }

    [Fact]
    public async Task A_corrupted_byte_is_caught()
    {
        await Database.ExecuteAsync(IncidentSchema.Sql);
        await BackupAsync();
        var file = Manifest().Files.OrderByDescending(f => f.Size).First();
        var bytes = File.ReadAllBytes(Path.Combine(BackupPath, file.Name));
        bytes[bytes.Length / 2] ^= 0x5A;
        File.WriteAllBytes(Path.Combine(BackupPath, file.Name), bytes);
        await using var scratch = await Database.Server.CreateDatabaseAsync();

        var verification = await VerifyAsync(scratch);

        Assert.False(verification.Passed);
        Assert.Contains(
            $"file {file.Name} does not match its checksum (the backup is corrupted)",
            verification.Differences
        );
    }

    [Fact]
    public async Task Refuses_to_overwrite_a_backup_and_to_restore_into_a_database_that_is_not_empty()
    {
        await Database.ExecuteAsync(IncidentSchema.Sql);
        await BackupAsync();

        var exists = await Assert.ThrowsAsync<RecoveryException>(() => BackupAsync());
        var notEmpty = await Assert.ThrowsAsync<RecoveryException>(() =>
            BackupVerifier.VerifyAsync(BackupPath, Target, 2, false, PgTools.Locate(null), Log, CancellationToken.None)
        );

        Assert.Equal("BackupExists", exists.ErrorId);
        Assert.Equal("ScratchNotEmpty", notEmpty.ErrorId);
    }

    [Fact]
    public async Task An_interrupted_backup_leaves_no_folder_that_looks_complete()
    {
        await Database.ExecuteAsync(
            "CREATE TABLE big AS SELECT g AS id, repeat('x', 200) AS filler FROM generate_series(1, 300000) g",
            timeoutSeconds: 120
        );
        using var cancel = new CancellationTokenSource();
        var log = new CancelOnProgress(cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            DatabaseBackup.BackupAsync(
                Target,
                BackupPath,
                "directory",
                1,
                false,
                PgTools.Locate(null),
                log,
                cancel.Token
            )
        );

        Assert.False(Directory.Exists(BackupPath));
        Assert.Empty(Directory.GetFileSystemEntries(_root));
    }

    private BackupManifest Manifest() => BackupManifest.Load(BackupPath);

    /// <summary>Cancels the backup as soon as pg_dump reports its first table, as Ctrl+C would.</summary>
    private sealed class CancelOnProgress(CancellationTokenSource cancel) : IRecoveryLog
    {
        public void Verbose(string message) { }

        public void Warning(string message) { }

        public void Progress(ProgressReport report) => cancel.Cancel();
    }
}
