using System.Net;
using System.Net.Sockets;
using System.Text;
using DbRecovery.Engine.Backup;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Journal;
using DbRecovery.Engine.Verification;
using DbRecovery.TestSupport;

namespace DbRecovery.Engine.Tests.Verification;

public sealed class RecoveryChecklistTests : DatabaseTest
{
    private ConnectionTarget Target => ConnectionTarget.Parse(Database.Url);

    private Task<IReadOnlyList<RecoveryCheck>> RunAsync(ChecklistOptions options) =>
        RecoveryChecklist.RunAsync(Target, options, Log, CancellationToken.None);

    [Fact]
    public async Task A_correct_recovery_passes_every_check_with_nothing_allowed()
    {
        using var project = AlembicHistories.Incident(new AlembicTestProject());
        project.Upgrade(Database.Url, "head");

        var checks = await RunAsync(new ChecklistOptions { AlembicPath = project.Root });

        Assert.All(checks, c => Assert.True(c.Status == "Pass", $"{c.Name}: {c.Detail}"));
        Assert.Contains(checks, c => c.Name == "SchemaMatchesHead");
    }

    [Theory]
    [InlineData(
        "ALTER TABLE comments DROP CONSTRAINT comments_deal_id_fkey",
        "MissingForeignKey public.comments.deal_id comments_deal_id_fkey"
    )]
    [InlineData("DROP INDEX ix_deals_owner_id", "MissingIndex public.deals ix_deals_owner_id")]
    [InlineData(
        "ALTER TABLE users DROP CONSTRAINT users_organization_id_fkey, ADD CONSTRAINT users_organization_id_fkey "
            + "FOREIGN KEY (organization_id) REFERENCES organizations (id) ON DELETE SET NULL",
        "ForeignKeyMismatch public.users.organization_id users_organization_id_fkey: expected "
            + "public.organizations(id) ON DELETE CASCADE ON UPDATE NO ACTION, actual public.organizations(id) ON "
            + "DELETE SET NULL ON UPDATE NO ACTION"
    )]
    public async Task A_recovery_that_lost_one_object_fails_and_names_exactly_it(string damage, string difference)
    {
        using var project = AlembicHistories.Incident(new AlembicTestProject());
        project.Upgrade(Database.Url, "head");
        await Database.ExecuteAsync(damage);

        var check = Assert.Single(await RunAsync(new ChecklistOptions { AlembicPath = project.Root }), c =>
            c.Name == "SchemaMatchesHead"
        );

        Assert.Equal("Fail", check.Status);
        Assert.StartsWith($"1 difference: {difference}", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Key_types_the_recovery_changed_on_purpose_are_not_differences_from_a_history_that_says_uuid()
    {
        using var recovered = AlembicHistories.Incident(new AlembicTestProject());
        recovered.Upgrade(Database.Url, "head");
        using var history = AlembicHistories.Incident(new AlembicTestProject(), "postgresql.UUID(as_uuid=True)");
        string[] keys =
        [
            "organizations.id=varchar(36)",
            "users.id=varchar(36)",
            "deals.id=varchar(36)",
            "documents.id=varchar(36)",
            "comments.id=varchar(36)",
        ];

        var waived = await RunAsync(new ChecklistOptions { AlembicPath = history.Root, ExpectedColumnTypes = keys });
        var strict = await RunAsync(new ChecklistOptions { AlembicPath = history.Root });

        Assert.All(waived, c => Assert.True(c.Status == "Pass", $"{c.Name}: {c.Detail}"));
        var check = Assert.Single(strict, c => c.Name == "SchemaMatchesHead");
        Assert.Equal("Fail", check.Status);
        // users.id and the columns referencing it follow the history's own contradiction (later revisions reference it
        // as String(36)); the other keys have nothing that says varchar but -ExpectColumnType.
        Assert.StartsWith(
            "7 differences: TypeMismatch public.comments.id: expected uuid, actual character varying(36);",
            check.Detail,
            StringComparison.Ordinal
        );
        Assert.DoesNotContain("public.users.id", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unvalidated_keys_orphans_missing_tables_and_wrong_types_fail()
    {
        await Database.ExecuteAsync(
            """
            CREATE TABLE parents (id varchar(36) PRIMARY KEY);
            CREATE TABLE children (parent_id varchar(36));
            INSERT INTO parents VALUES ('a'); INSERT INTO children VALUES ('a'), ('orphan'), (NULL);
            ALTER TABLE children ADD CONSTRAINT children_parent_fk FOREIGN KEY (parent_id) REFERENCES parents (id) NOT VALID;
            """
        );

        var checks = await RunAsync(
            new ChecklistOptions
            {
                ExpectedTables = ["parents", "folders"],
                ExpectedColumnTypes = ["parents.id=varchar(36)", "children.parent_id=uuid"],
            }
        );

        string Status(string name) => Assert.Single(checks, c => c.Name == name).Status;
        Assert.Equal("Pass", Status("DatabaseReachable"));
        Assert.Equal("Pass", Status("Table parents"));
        Assert.Equal("Fail", Status("Table folders"));
        Assert.Equal("Pass", Status("ColumnType parents.id"));
        Assert.Equal("Fail", Status("ColumnType children.parent_id"));
        Assert.Equal("Fail", Status("ForeignKeysValidated"));
        var orphans = Assert.Single(checks, c => c.Name == "NoOrphanRows");
        Assert.Equal("Fail", orphans.Status);
        Assert.Contains("children_parent_fk: 1", orphans.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_endpoints_must_answer_2xx_with_the_expected_property()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var http = new HttpListener();
        http.Prefixes.Add($"http://127.0.0.1:{port}/");
        http.Start();
        var serving = Task.Run(async () =>
        {
            for (var i = 0; i < 3; i++)
            {
                var context = await http.GetContextAsync();
                var broken = context.Request.Url!.AbsolutePath == "/broken";
                context.Response.StatusCode = broken ? 500 : 200;
                var body = Encoding.UTF8.GetBytes("{\"database_configured\": true}");
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        });

        var checks = await RunAsync(
            new ChecklistOptions
            {
                HealthUrls =
                [
                    $"http://127.0.0.1:{port}/health|database_configured=true",
                    $"http://127.0.0.1:{port}/health|database_configured=false",
                    $"http://127.0.0.1:{port}/broken",
                ],
            }
        );
        await serving;

        Assert.Equal(
            ["Pass", "Fail", "Fail"],
            checks.Where(c => c.Name.StartsWith("Health", StringComparison.Ordinal)).Select(c => c.Status)
        );
    }

    [Fact]
    public async Task Restore_refuses_a_database_that_is_not_empty_unless_clean_and_verifies_the_result()
    {
        var reader = "reader_" + Database.Name;
        await Database.ExecuteAsync(IncidentSchema.Sql + $"CREATE ROLE {reader}; GRANT SELECT ON deals TO {reader};");
        var root = Directory.CreateTempSubdirectory("dbr-restore-").FullName;
        var journal = new JournalContext(
            new RecoveryJournal(Path.Combine(root, "journal.jsonl")),
            "Restore-Database",
            new Dictionary<string, string>()
        );
        try
        {
            var backup = Path.Combine(root, "backup");
            var tools = PgTools.Locate(null);
            await DatabaseBackup.BackupAsync(Target, backup, "custom", 1, false, tools, Log, CancellationToken.None);
            await using var copy = await Database.Server.CreateDatabaseAsync();
            var copyTarget = ConnectionTarget.Parse(copy.Url);

            var restored = await RestoreAsync(backup, copyTarget, false, tools, journal);
            var error = await Assert.ThrowsAsync<RecoveryException>(() =>
                RestoreAsync(backup, copyTarget, false, tools, journal)
            );
            await copy.ExecuteAsync("DELETE FROM comments");
            var again = await RestoreAsync(backup, copyTarget, true, tools, journal);

            Assert.True(restored.Passed);
            Assert.Equal("TargetNotEmpty", error.ErrorId);
            Assert.True(again.Passed);
            Assert.Equal(36L, await copy.ScalarAsync<long>("SELECT count(*) FROM comments"));
            Assert.True(await copy.ScalarAsync<bool>($"SELECT has_table_privilege('{reader}', 'deals', 'SELECT')"));
            await copy.ExecuteAsync($"DROP OWNED BY {reader}");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
            await Database.ExecuteAsync($"DROP OWNED BY {reader}; DROP ROLE {reader}");
        }
    }

    private async Task<BackupVerification> RestoreAsync(
        string backup,
        ConnectionTarget target,
        bool clean,
        PgTools tools,
        JournalContext journal
    )
    {
        var plan = await DatabaseRestore.PlanAsync(backup, target, 2, clean, tools, Log, CancellationToken.None);
        return await DatabaseRestore.RestoreAsync(backup, plan, target, 2, tools, journal, Log, CancellationToken.None);
    }
}
