using DbRecovery.TestSupport;

namespace DbRecovery.Tests;

/// <summary>
/// Drifted databases built by real Alembic from public projects' histories (Debian's gnocchi, mistral, ironic and
/// manila), recovered unattended by the shipped runbook in the hosted PowerShell engine, then judged by real Alembic
/// and the catalog alone: alembic current is the heads, alembic upgrade heads runs nothing, the catalog equals a
/// database real Alembic built at head, the next plan is empty and Test-RecoveryState passes on its own.
/// Run alone with <c>dotnet test tests/DbRecovery.Tests --filter FullyQualifiedName~PublicHistoryRecoveryTests</c>.
/// </summary>
[Collection(PowerShellCollection.Name)]
public sealed class PublicHistoryRecoveryTests(PowerShellSession shell) : IAsyncLifetime
{
    private const string RowCounts = """
        SELECT coalesce(string_agg(relname || '=' || (xpath('/row/c/text()',
            query_to_xml(format('SELECT count(*) AS c FROM %I.%I', schemaname, relname), false, true, '')))[1]::text, ',' ORDER BY relname), '')
        FROM pg_stat_user_tables WHERE relname <> 'alembic_version'
        """;

    private readonly string _root = Directory.CreateTempSubdirectory("dbr-public-").FullName;
    private readonly List<TestDatabase> _databases = [];
    private PostgresServer? _server;

    public static TheoryData<string, PublicDrift> Cases()
    {
        var cases = new TheoryData<string, PublicDrift>();
        foreach (var history in PublicHistory.All)
        {
            foreach (var drift in Enum.GetValues<PublicDrift>())
            {
                cases.Add(history.Name, drift);
            }
        }

        return cases;
    }

    public async Task InitializeAsync() => _server = await PostgresServer.GetAsync();

    public async Task DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }

        Directory.Delete(_root, recursive: true);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_drifted_database_of_a_public_history_is_recovered_to_exactly_what_real_Alembic_builds(
        string name,
        PublicDrift drift
    )
    {
        var history = PublicHistory.All.Single(h => h.Name == name);
        using var project = history.CreateProject();
        var database = await DatabaseAsync();
        var scratch = await DatabaseAsync();
        var head = await DatabaseAsync();
        project.Upgrade(head.Url, "heads");
        var revisions = await PublicDrifts.BuildAsync(history, project, database, drift);
        var rows = await database.ScalarAsync<string>(RowCounts);
        Assert.Contains(rows.Split(','), r => r.EndsWith("=2", StringComparison.Ordinal));
        var vars = Variables(project, database, head, scratch);

        var result = shell
            .Run(
                "& $runbook -Path $project -ConnectionString $url -ScratchConnectionString $scratch -BackupPath "
                    + "$backup -AlembicCommand $alembic -JournalPath $journal",
                vars
            )
            .ThrowOnError();
        Assert.Contains(result.Output, c => c.Properties["Name"].Value.ToString() == "SchemaMatchesHead");
        Assert.All(result.Output, c => Assert.True(c.Properties["Status"].Value.ToString() == "Pass", c.ToString()));

        var heads = project
            .Run(database.Url, "current")
            .Output.Split('\n')
            .Where(l => l.Contains("(head)", StringComparison.Ordinal));
        Assert.Equal([revisions[^1]], heads.Select(l => l.Split(' ')[0]));
        var again = project.Run(database.Url, "upgrade", "heads");
        Assert.Equal(0, again.ExitCode);
        Assert.DoesNotContain("Running upgrade", again.Output, StringComparison.Ordinal);
        // Every table the later revisions keep keeps its rows (Manila's drops and renames some tables on the way).
        var after = (await database.ScalarAsync<string>(RowCounts)).Split(',');
        var kept = after.Select(t => t.Split('=')[0]).ToHashSet(StringComparer.Ordinal);
        Assert.All(
            rows.Split(',', StringSplitOptions.RemoveEmptyEntries).Where(t => kept.Contains(t.Split('=')[0])),
            table => Assert.Contains(table, after)
        );
        Assert.Contains(after, t => t.EndsWith("=2", StringComparison.Ordinal));

        var differences = shell
            .Run(
                "Compare-SchemaState -Reference (Get-SchemaState -ConnectionString $head) -Difference "
                    + "(Get-SchemaState -ConnectionString $url)",
                vars
            )
            .ThrowOnError();
        Assert.True(differences.Output.Count == 0, string.Join("; ", differences.Output));

        var next = Assert.Single(
            shell
                .Run(
                    "Get-RecoveryPlan -Path $project -ConnectionString $url -ScratchConnectionString $scratch "
                        + "-AlembicCommand $alembic",
                    vars
                )
                .ThrowOnError()
                .Output
        );
        Assert.True((bool)next.Properties["IsEmpty"].Value, next.ToString());
        var alone = shell
            .Run(
                "Test-RecoveryState -Path $project -ConnectionString $url -ScratchConnectionString $scratch "
                    + "-AlembicCommand $alembic -FailOnError",
                vars
            )
            .ThrowOnError();
        Assert.Contains(alone.Output, c =>
            c.Properties["Detail"].Value.ToString() == "The schema is the end state real Alembic built"
        );
        Assert.Equal(
            0L,
            await scratch.ScalarAsync<long>(
                "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            )
        );

        // The static replay equals real Alembic on these histories (ReplayDifferentialTests), so the checklist needs
        // nothing but -Path.
        var predicted = shell
            .Run("Test-RecoveryState -Path $project -ConnectionString $url -FailOnError", vars)
            .ThrowOnError();
        Assert.Contains(predicted.Output, c => c.Properties["Detail"].Value.ToString() == "The schema is the head's");
    }

    [Fact]
    public async Task A_public_history_edited_to_contradict_itself_is_reported_resolved_and_recovered_to_a_fixed_point()
    {
        using var project = PublicHistory.Mistral.CreateProject(PublicHistory.MistralUuidDefinitions);
        using var original = PublicHistory.Mistral.CreateProject();
        var database = await DatabaseAsync();
        var scratch = await DatabaseAsync();
        var head = await DatabaseAsync();
        original.Upgrade(head.Url, "heads");
        project.Upgrade(database.Url, "011");
        await database.ExecuteAsync("UPDATE alembic_version SET version_num = '041'");
        Assert.NotEqual(0, project.Run(scratch.Url, "upgrade", "heads").ExitCode);
        await scratch.ExecuteAsync("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
        var vars = Variables(project, database, head, scratch);
        const string Plan =
            "Get-RecoveryPlan -Path $project -ConnectionString $url -ScratchConnectionString $scratch "
            + "-AlembicCommand $alembic";

        var plan = Assert.Single(shell.Run(Plan, vars).ThrowOnError().Output);
        var contradiction = Assert.Single((IEnumerable<object>)plan.Properties["Contradictions"].Value).ToString();
        Assert.Equal(
            "this history cannot build a database from empty: revision 001 creates public.workflow_definitions_v2.id "
                + "uuid, "
                + "revision 012 references it from public.event_triggers_v2.workflow_id as character varying(36); "
                + "the recovery gives the key character varying(36), the type the later reference needs",
            contradiction
        );
        Assert.Equal(
            "public.workflow_definitions_v2.id: uuid -> character varying(36)",
            Assert.Single((IEnumerable<object>)plan.Properties["Conversions"].Value).ToString()
        );

        var result = shell
            .Run(
                "& $runbook -Path $project -ConnectionString $url -ScratchConnectionString $scratch -BackupPath "
                    + "$backup -AlembicCommand $alembic -JournalPath $journal",
                vars
            )
            .ThrowOnError();
        Assert.All(result.Output, c => Assert.True(c.Properties["Status"].Value.ToString() == "Pass", c.ToString()));
        var again = project.Run(database.Url, "upgrade", "heads");
        Assert.Equal(0, again.ExitCode);
        Assert.DoesNotContain("Running upgrade", again.Output, StringComparison.Ordinal);

        // Resolved to the type the later reference needs, the end state is the unedited history's head.
        var differences = shell
            .Run(
                "Compare-SchemaState -Reference (Get-SchemaState -ConnectionString $head) -Difference "
                    + "(Get-SchemaState -ConnectionString $url)",
                vars
            )
            .ThrowOnError();
        Assert.True(differences.Output.Count == 0, string.Join("; ", differences.Output));
        var next = Assert.Single(shell.Run(Plan, vars).ThrowOnError().Output);
        Assert.True(
            (bool)next.Properties["IsEmpty"].Value,
            $"{next}: {string.Join("; ", (IEnumerable<object>)next.Properties["Conversions"].Value)}"
        );
        var alone = shell
            .Run(
                "Test-RecoveryState -Path $project -ConnectionString $url -ScratchConnectionString $scratch "
                    + "-AlembicCommand $alembic -FailOnError",
                vars
            )
            .ThrowOnError();
        Assert.Contains(alone.Output, c =>
            c.Properties["Detail"].Value.ToString() == "The schema is the end state real Alembic built"
        );
    }

    /// <summary>
    /// Ironic's integer keys, as its own migrations made them (serials), widened to bigint in the hosted engine: the
    /// chassis key -Online while rows are inserted, the nodes key (referenced from a dozen tables) offline. Every
    /// reference follows, rows and sequences carry on, and real Alembic finds the database at its head.
    /// </summary>
    [Fact]
    public async Task Integer_keys_a_public_history_made_widen_to_bigint_with_every_reference()
    {
        const string References = """
            SELECT string_agg(format('%s.%s %s', c.conrelid::regclass, a.attname, format_type(a.atttypid, a.atttypmod)),
                ', ' ORDER BY c.conrelid::regclass::text, a.attname)
            FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
            WHERE c.contype = 'f' AND c.confrelid IN ('nodes'::regclass, 'chassis'::regclass)
            """;
        const string Values = """
            SELECT string_agg(v, ',' ORDER BY v) FROM (SELECT 'c' || id v FROM chassis UNION ALL
                SELECT 'n' || id || '-' || chassis_id FROM nodes UNION ALL SELECT 'p' || id || '-' || node_id FROM ports) x
            """;
        using var project = PublicHistory.Ironic.CreateProject();
        var database = await DatabaseAsync();
        project.Upgrade(database.Url, "heads");
        await database.ExecuteAsync(
            PublicHistory.Ironic.Seed
                + """
                ;
                SELECT setval(pg_get_serial_sequence('chassis', 'id'), 2);
                INSERT INTO nodes (uuid, chassis_id) SELECT gen_random_uuid()::text, 1 + n % 2 FROM generate_series(1, 20) n;
                INSERT INTO ports (uuid, address, node_id) SELECT gen_random_uuid()::text, 'aa:bb:cc:00:00:' || lpad(id::text, 2, '0'), id
                FROM nodes;
                """
        );
        var before = await database.ScalarAsync<string>(Values);
        var references = await database.ScalarAsync<string>(References);
        Assert.Contains("ports.node_id integer", references, StringComparison.Ordinal);
        Assert.Contains("nodes.chassis_id integer", references, StringComparison.Ordinal);
        var vars = new Dictionary<string, object?> { ["url"] = database.Url };

        var capacity = shell
            .Run("Get-KeyCapacity -ConnectionString $url | Where-Object { $_.Key.Table -eq 'nodes' }", vars)
            .ThrowOnError();
        var nodes = Assert.Single(capacity.Output);
        Assert.Equal("integer", nodes.Properties["Type"].Value);
        Assert.Contains("public.ports.node_id (integer)", (IEnumerable<string>)nodes.Properties["Referencing"].Value);

        var writer = InsertLoop.Start(
            database,
            "INSERT INTO chassis (description) VALUES ('during')",
            TimeSpan.FromMilliseconds(20)
        );
        shell
            .Run(
                "Convert-IdColumns -ConnectionString $url -Table chassis -To bigint -Online -BatchSize 5 -Confirm:$false",
                vars
            )
            .ThrowOnError();
        await writer.StopAsync();
        Assert.Empty(writer.Errors);
        var inserted = writer.Inserted;
        shell
            .Run("Convert-IdColumns -ConnectionString $url -Table nodes -To bigint -Confirm:$false", vars)
            .ThrowOnError();

        Assert.Equal(
            references.Replace(" integer", " bigint", StringComparison.Ordinal),
            await database.ScalarAsync<string>(References)
        );
        Assert.Equal(
            "bigint bigint",
            await database.ScalarAsync<string>(
                "SELECT string_agg(format_type(seqtypid, NULL), ' ') FROM pg_sequence WHERE seqrelid IN "
                    + "(pg_get_serial_sequence('chassis', 'id')::regclass, pg_get_serial_sequence('nodes', 'id')::regclass)"
            )
        );
        Assert.Equal(2L + inserted, await database.ScalarAsync<long>("SELECT count(*) FROM chassis"));
        await database.ExecuteAsync("DELETE FROM chassis WHERE description = 'during'");
        Assert.Equal(before, await database.ScalarAsync<string>(Values));
        await database.ExecuteAsync(
            "SELECT setval(pg_get_serial_sequence('nodes', 'id'), 3000000000); "
                + "INSERT INTO nodes (uuid, chassis_id) VALUES (gen_random_uuid()::text, 1)"
        );
        var again = project.Run(database.Url, "upgrade", "heads");
        Assert.Equal(0, again.ExitCode);
        Assert.DoesNotContain("Running upgrade", again.Output, StringComparison.Ordinal);
        var after = Assert.Single(
            shell
                .Run("Get-KeyCapacity -ConnectionString $url | Where-Object { $_.Key.Table -eq 'nodes' }", vars)
                .ThrowOnError()
                .Output
        );
        Assert.Equal("bigint", after.Properties["Type"].Value);
        Assert.Empty((IEnumerable<string>)after.Properties["Narrower"].Value);
    }

    private Dictionary<string, object?> Variables(
        AlembicTestProject project,
        TestDatabase database,
        TestDatabase head,
        TestDatabase scratch
    ) =>
        new()
        {
            ["runbook"] = Path.Combine(RepositoryPaths.ModuleDirectory, "Examples", "Repair-DriftedDatabase.ps1"),
            ["project"] = project.Root,
            ["url"] = database.Url,
            ["head"] = head.Url,
            ["scratch"] = scratch.Url,
            ["backup"] = Path.Combine(_root, database.Name + "-backup"),
            ["journal"] = Path.Combine(_root, database.Name + ".jsonl"),
            ["alembic"] = AlembicTestProject.AlembicCommand,
        };

    private async Task<TestDatabase> DatabaseAsync()
    {
        var database = await _server!.CreateDatabaseAsync();
        _databases.Add(database);
        return database;
    }
}
