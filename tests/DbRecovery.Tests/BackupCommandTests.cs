using DbRecovery.TestSupport;

namespace DbRecovery.Tests;

[Collection(PowerShellCollection.Name)]
public sealed class BackupCommandTests(PowerShellSession shell) : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("dbr-backup-").FullName;
    private TestDatabase? _database;
    private TestDatabase? _scratch;

    private Dictionary<string, object?> Vars =>
        new()
        {
            ["url"] = _database!.Url,
            ["scratch"] = _scratch!.Url,
            ["path"] = Path.Combine(_root, "app"),
            ["journal"] = Path.Combine(_root, "journal.jsonl"),
        };

    public async Task InitializeAsync()
    {
        var server = await PostgresServer.GetAsync();
        _database = await server.CreateDatabaseAsync();
        _scratch = await server.CreateDatabaseAsync();
        await _database.ExecuteAsync(IncidentSchema.Sql);
    }

    public async Task DisposeAsync()
    {
        await _database!.DisposeAsync();
        await _scratch!.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private string DisplayName() =>
        $"postgresql://{_database!.Settings.Username}@{_database.Settings.Host}:{_database.Settings.Port}/{_database.Name}";

    [Fact]
    public void A_backup_piped_into_Test_DatabaseBackup_passes_and_is_never_overwritten_and_is_journaled()
    {
        var result = shell
            .Run(
                "Backup-Database -ConnectionString $url -Path $path -Jobs 2 -IncludeGlobals -JournalPath $journal | "
                    + "Test-DatabaseBackup -ScratchConnectionString $scratch -Jobs 2",
                Vars
            )
            .ThrowOnError();

        var verification = result.Output.Single();
        Assert.Equal(true, verification.Properties["Passed"].Value);
        Assert.True(File.Exists(Path.Combine(_root, "app", "manifest.json")));
        Assert.True(File.Exists(Path.Combine(_root, "app", "globals.sql")));
        Assert.NotEmpty(result.Progress);
        Assert.DoesNotContain(_database!.Settings.Password!, result.AllText, StringComparison.Ordinal);

        var again = shell.Run("Backup-Database -ConnectionString $url -Path $path -JournalPath $journal", Vars);
        Assert.Equal(
            "BackupExists,DbRecovery.Commands.BackupDatabaseCommand",
            again.SingleError().FullyQualifiedErrorId
        );
        var journal = shell
            .Run(
                "Get-RecoveryJournal -JournalPath $journal -Operation Backup-Database | ForEach-Object { '{0} {1} "
                    + "{2}' -f $_.Operation, $_.Outcome, $_.Target }",
                Vars
            )
            .ThrowOnError();
        Assert.Equal(
            [$"Backup-Database Completed {DisplayName()}", $"Backup-Database Failed {DisplayName()}"],
            journal.Output.Select(o => o.ToString())
        );
        Assert.DoesNotContain(
            _database.Settings.Password!,
            File.ReadAllText(Path.Combine(_root, "journal.jsonl")),
            StringComparison.Ordinal
        );
        var notEmpty = shell.Run("Test-DatabaseBackup -Path $path -ScratchConnectionString $url", Vars);
        Assert.Equal(
            "ScratchNotEmpty,DbRecovery.Commands.TestDatabaseBackupCommand",
            notEmpty.SingleError().FullyQualifiedErrorId
        );
        var restore = shell.Run("Restore-Database -Path $path -ConnectionString $url -Confirm:$false", Vars);
        Assert.Equal(
            "TargetNotEmpty,DbRecovery.Commands.RestoreDatabaseCommand",
            restore.SingleError().FullyQualifiedErrorId
        );
    }

    [Fact]
    public void Test_RecoveryState_emits_every_check_and_FailOnError_stops_a_runbook()
    {
        var result = shell.Run(
            "Test-RecoveryState -ConnectionString $url -ExpectTable users, folders -ExpectColumnType 'users.id=uuid' "
                + "-FailOnError",
            Vars
        );

        Assert.Equal(
            "RecoveryCheckFailed,DbRecovery.Commands.TestRecoveryStateCommand",
            result.SingleError().FullyQualifiedErrorId
        );
        Assert.Contains("Table folders: missing", result.SingleError().Exception.Message, StringComparison.Ordinal);
        var statuses = result.Output.ToDictionary(
            o => o.Properties["Name"].Value.ToString()!,
            o => o.Properties["Status"].Value.ToString()
        );
        Assert.Equal("Pass", statuses["Table users"]);
        Assert.Equal("Fail", statuses["Table folders"]);
        Assert.Equal("Pass", statuses["ColumnType users.id"]);
        Assert.Equal("Fail", statuses["ForeignKeysValidated"]);
    }
}
