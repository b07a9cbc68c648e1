using DbRecovery.Engine.Backup;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.TestSupport;

namespace DbRecovery.Engine.Tests.Backup;

public sealed class BackupTests : DatabaseTest, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dbr-backup-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private ConnectionTarget Target => ConnectionTarget.Parse(Database.Url);

    private string BackupPath => Path.Combine(_root, "backup");

    private Task<BackupInfo> BackupAsync(string format = "directory") =>
        DatabaseBackup.BackupAsync(Target, BackupPath, format, 2, includeGlobals: false, PgTools.Locate(null), Log, CancellationToken.None);

    private async Task<BackupVerification> VerifyAsync(TestDatabase scratch) =>
        await BackupVerifier.VerifyAsync(BackupPath, ConnectionTarget.Parse(scratch.Url), 2, keep: false, PgTools.Locate(null), Log, CancellationToken.None);

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
        Assert.Equal(await Database.ScalarAsync<long>("SELECT (SELECT count(*) FROM deals) + (SELECT count(*) FROM users)"), Manifest().RowCounts["public.deals"] + Manifest().RowCounts["public.users"]);
        Assert.Contains(Manifest().Files, f => f.Sha256.Length == 64);
        Assert.Empty(Directory.GetDirectories(_root, "backup.partial-*"));
        Assert.Equal(0L, await scratch.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"));
        Assert.DoesNotContain(Database.Settings.Password!, File.ReadAllText(Path.Combine(BackupPath, BackupManifest.FileName)), StringComparison.Ordinal);
        Assert.DoesNotContain(Database.Settings.Password!, Log.All, StringComparison.Ordinal);
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
        Assert.Contains($"file {file.Name} does not match its checksum (the backup is corrupted)", verification.Differences);
    }

    [Fact]
    public async Task Refuses_to_overwrite_a_backup_and_to_restore_into_a_database_that_is_not_empty()
    {
        await Database.ExecuteAsync(IncidentSchema.Sql);
        await BackupAsync();

        var exists = await Assert.ThrowsAsync<RecoveryException>(() => BackupAsync());
        var notEmpty = await Assert.ThrowsAsync<RecoveryException>(() => BackupVerifier.VerifyAsync(BackupPath, Target, 2, false, PgTools.Locate(null), Log, CancellationToken.None));

        Assert.Equal("BackupExists", exists.ErrorId);
        Assert.Equal("ScratchNotEmpty", notEmpty.ErrorId);
    }

    [Fact]
    public async Task An_interrupted_backup_leaves_no_folder_that_looks_complete()
    {
        await Database.ExecuteAsync("CREATE TABLE big AS SELECT g AS id, repeat('x', 200) AS filler FROM generate_series(1, 300000) g", timeoutSeconds: 120);
        using var cancel = new CancellationTokenSource();
        var log = new CancelOnProgress(cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            DatabaseBackup.BackupAsync(Target, BackupPath, "directory", 1, false, PgTools.Locate(null), log, cancel.Token));

        Assert.False(Directory.Exists(BackupPath));
        Assert.Empty(Directory.GetFileSystemEntries(_root));
    }

    private BackupManifest Manifest() => BackupManifest.Load(BackupPath);

    /// <summary>Cancels the backup as soon as pg_dump reports its first table, as Ctrl+C would.</summary>
    private sealed class CancelOnProgress(CancellationTokenSource cancel) : IRecoveryLog
    {
        public void Verbose(string message)
        {
        }

        public void Warning(string message)
        {
        }

        public void Progress(ProgressReport report) => cancel.Cancel();
    }
}
