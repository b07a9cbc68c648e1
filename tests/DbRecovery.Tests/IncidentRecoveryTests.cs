using DbRecovery.TestSupport;

namespace DbRecovery.Tests;

/// <summary>
/// The incident recovered end to end, as a runbook does it: real Alembic builds a database whose ids are uuid
/// up to the true revision, data goes into every table, alembic_version is set to head by hand; then the
/// example runbook runs in the hosted PowerShell engine. Run alone with
/// <c>dotnet test tests/DbRecovery.Tests --filter FullyQualifiedName~IncidentRecoveryTests</c>.
/// </summary>
[Collection(PowerShellCollection.Name)]
public sealed class IncidentRecoveryTests(PowerShellSession shell) : IAsyncLifetime
{
    private const string Data = """
        INSERT INTO organizations (name) SELECT 'org ' || g FROM generate_series(1, 3) g;
        INSERT INTO users (organization_id, email) SELECT o.id, 'user' || g || '@' || replace(o.name, ' ', '') || '.test' FROM organizations o, generate_series(1, 4) g;
        INSERT INTO deals (id, organization_id, created_by, owner_id, title) SELECT gen_random_uuid(), organization_id, id, id, 'deal' FROM users;
        INSERT INTO documents (id, uploaded_by, name) SELECT gen_random_uuid(), id, 'doc' FROM users;
        INSERT INTO comments (id, author_id, deal_id, body) SELECT gen_random_uuid(), owner_id, id, 'hi' FROM deals;
        """;

    private const string Ids = """
        SELECT md5(string_agg(v, ',' ORDER BY v)) FROM (
            SELECT id::text v FROM users UNION ALL SELECT id::text FROM organizations UNION ALL SELECT id::text || owner_id::text FROM deals
            UNION ALL SELECT uploaded_by::text FROM documents UNION ALL SELECT author_id::text || deal_id::text FROM comments) x
        """;

    private readonly AlembicTestProject _history = AlembicHistories.Incident(new AlembicTestProject());
    private readonly string _root = Directory.CreateTempSubdirectory("dbr-incident-").FullName;
    private TestDatabase? _database;
    private TestDatabase? _scratch;

    public async Task InitializeAsync()
    {
        var server = await PostgresServer.GetAsync();
        _database = await server.CreateDatabaseAsync();
        _scratch = await server.CreateDatabaseAsync();
        using var drifted = AlembicHistories.Incident(new AlembicTestProject(), "postgresql.UUID(as_uuid=True)");
        drifted.Upgrade(_database.Url, AlembicHistories.IncidentTrueRevision);
        await _database.ExecuteAsync(Data + $"UPDATE alembic_version SET version_num = '{AlembicHistories.IncidentHead}';");
    }

    public async Task DisposeAsync()
    {
        await _database!.DisposeAsync();
        await _scratch!.DisposeAsync();
        _history.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task The_example_runbook_recovers_the_incident()
    {
        var database = _database!;
        var ids = await database.ScalarAsync<string>(Ids);
        var rows = await database.ScalarAsync<long>("SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM deals) + (SELECT count(*) FROM comments)");
        Assert.Equal(0, _history.Run(database.Url, "upgrade", "head").ExitCode);
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE tablename = 'folders'"));
        var runbook = Path.Combine(RepositoryPaths.ModuleDirectory, "Examples", "Repair-DriftedDatabase.ps1");
        var vars = new Dictionary<string, object?>
        {
            ["runbook"] = runbook,
            ["project"] = _history.Root,
            ["url"] = database.Url,
            ["scratch"] = _scratch!.Url,
            ["backup"] = Path.Combine(_root, "backup"),
            ["journal"] = Path.Combine(_root, "journal.jsonl"),
            ["alembic"] = AlembicTestProject.AlembicCommand,
        };

        var preview = shell.Run("& $runbook -Path $project -ConnectionString $url -ScratchConnectionString $scratch -BackupPath $backup -AlembicCommand $alembic -JournalPath $journal -WhatIf", vars).ThrowOnError();
        Assert.Equal("uuid", await database.ScalarAsync<string>("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'id'"));
        Assert.False(Directory.Exists(Path.Combine(_root, "backup")));
        Assert.Empty(preview.Output);

        var result = shell.Run("& $runbook -Path $project -ConnectionString $url -ScratchConnectionString $scratch -BackupPath $backup -AlembicCommand $alembic -JournalPath $journal -Verbose", vars).ThrowOnError();

        var checks = result.Output.Select(o => (Name: o.Properties["Name"].Value.ToString(), Status: o.Properties["Status"].Value.ToString(), Detail: o.Properties["Detail"].Value.ToString())).ToList();
        Assert.All(checks, c => Assert.True(c.Status == "Pass", $"{c.Name}: {c.Detail}"));
        Assert.Contains(checks, c => c.Name == "SchemaMatchesHead");
        Assert.Contains(checks, c => c.Name == "ColumnType public.users.id");
        Assert.Contains(result.Verbose, v => v.StartsWith("alembic_version says dc2c0f69c1b1, but the schema comes closest to c3a7b4bbf913", StringComparison.Ordinal) && v.Contains("differ only in type", StringComparison.Ordinal));
        Assert.NotEmpty(result.Progress);
        Assert.Equal(ids, await database.ScalarAsync<string>(Ids));
        Assert.Equal(rows, await database.ScalarAsync<long>("SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM deals) + (SELECT count(*) FROM comments)"));
        Assert.Equal(AlembicHistories.IncidentHead, await database.ScalarAsync<string>("SELECT version_num FROM alembic_version"));
        Assert.Equal(4L, await database.ScalarAsync<long>($"SELECT count(*) FROM pg_tables WHERE tablename IN ('{string.Join("','", AlembicHistories.IncidentLaterTables)}')"));
        Assert.Equal(0, _history.Run(database.Url, "upgrade", "head").ExitCode);
        Assert.DoesNotContain(database.Settings.Password!, result.AllText, StringComparison.Ordinal);
        var journal = shell.Run("Get-RecoveryJournal -JournalPath $journal | ForEach-Object { '{0} {1}' -f $_.Operation, $_.Outcome }", vars).ThrowOnError();
        Assert.Equal(["Convert-IdColumns Committed", "Set-AlembicVersion Committed", "Invoke-AlembicUpgrade Committed"], journal.Output.Select(o => o.ToString()));
    }
}
