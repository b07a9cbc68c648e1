using System.Management.Automation;
using DbRecovery.TestSupport;

namespace DbRecovery.Tests;

/// <summary>
/// The recovery of drifted databases of several origins, done unattended by the example runbook
/// (Get-RecoveryPlan, Invoke-RecoveryPlan -Rehearse) in the hosted PowerShell engine, against real Alembic
/// and PostgreSQL. After each: alembic current is the heads, alembic upgrade heads has nothing to run,
/// every row, id and foreign key is still there and Test-RecoveryState -FailOnError passes.
/// Run alone with <c>dotnet test tests/DbRecovery.Tests --filter FullyQualifiedName~RecoveryPlanTests</c>.
/// </summary>
[Collection(PowerShellCollection.Name)]
public sealed class RecoveryPlanTests(PowerShellSession shell) : IAsyncLifetime
{
    private const string IncidentIds = """
        SELECT md5(string_agg(v, ',' ORDER BY v)) FROM (
            SELECT id::text v FROM users UNION ALL SELECT id::text FROM organizations UNION ALL SELECT id::text || owner_id::text FROM deals
            UNION ALL SELECT uploaded_by::text FROM documents UNION ALL SELECT author_id::text || deal_id::text FROM comments) x
        """;

    private const string ForeignKeys =
        "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace";

    private readonly string _root = Directory.CreateTempSubdirectory("dbr-recovery-").FullName;
    private readonly List<IAsyncDisposable> _databases = [];
    private readonly List<AlembicTestProject> _projects = [];
    private PostgresServer? _server;

    public async Task InitializeAsync() => _server = await PostgresServer.GetAsync();

    public async Task DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }

        _projects.ForEach(p => p.Dispose());
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Uuid_keys_that_later_migrations_reference_as_varchar_are_converted_first()
    {
        // The migrations themselves disagree: the early ones make uuid ids, the later ones reference them as
        // String(36).
        var project = Project(AlembicHistories.Incident(new AlembicTestProject(), "postgresql.UUID(as_uuid=True)"));
        var database = await DatabaseAsync();
        project.Upgrade(database.Url, AlembicHistories.IncidentTrueRevision);
        await database.ExecuteAsync(
            AlembicHistories.IncidentRows
                + $"UPDATE alembic_version SET version_num = '{AlembicHistories.IncidentHead}';"
        );

        var plan = Plan(project, database);
        Assert.Equal([AlembicHistories.IncidentTrueRevision], Strings(plan, "Revisions"));
        var conversion = Assert.Single((IEnumerable<object>)plan.Properties["Conversions"].Value);
        var converted = PSObject.AsPSObject(conversion);
        Assert.Equal("users", converted.Properties["Table"].Value);
        Assert.Equal("character varying(36)", converted.Properties["To"].Value);
        Assert.Contains(
            "revision d4e5f6a7b8c9 references it from public.folders.owner_id",
            converted.Properties["Reason"].Value.ToString(),
            StringComparison.Ordinal
        );
        Assert.Empty(Strings(plan, "Blockers"));

        var result = await RecoverAsync(project, database, IncidentIds);
        Assert.Contains(result.Verbose, v =>
            v.StartsWith("Rehearsal step 3 (Convert): Done", StringComparison.Ordinal)
        );
        Assert.Equal("character varying(36)", await ColumnTypeAsync(database, "users", "id"));
        Assert.Equal("uuid", await ColumnTypeAsync(database, "organizations", "id"));
        Assert.Equal(
            4L,
            await database.ScalarAsync<long>(
                "SELECT count(*) FROM pg_tables WHERE tablename IN "
                    + $"('{string.Join("','", AlembicHistories.IncidentLaterTables)}')"
            )
        );
    }

    [Fact]
    public async Task Migration_files_edited_after_they_were_applied()
    {
        // The database was built while the files said uuid; today they say String(36) everywhere.
        var project = Project(AlembicHistories.Incident(new AlembicTestProject()));
        var database = await DatabaseAsync();
        using (var drifted = AlembicHistories.Incident(new AlembicTestProject(), "postgresql.UUID(as_uuid=True)"))
        {
            drifted.Upgrade(database.Url, AlembicHistories.IncidentTrueRevision);
        }

        await database.ExecuteAsync(
            AlembicHistories.IncidentRows
                + $"UPDATE alembic_version SET version_num = '{AlembicHistories.IncidentHead}';"
        );
        var result = await RecoverAsync(project, database, IncidentIds);

        Assert.Contains(result.Verbose, v =>
            v.StartsWith(
                "The schema is at c3a7b4bbf913: alembic_version says dc2c0f69c1b1, but the schema comes closest to "
                    + "c3a7b4bbf913",
                StringComparison.Ordinal
            )
        );
        Assert.Equal("character varying(36)", await ColumnTypeAsync(database, "users", "id"));
        Assert.Equal("character varying(36)", await ColumnTypeAsync(database, "organizations", "id"));
        Assert.Equal("character varying(36)", await ColumnTypeAsync(database, "deals", "owner_id"));
        var journal = shell
            .Run(
                "Get-RecoveryJournal -JournalPath $journal | ForEach-Object { '{0} {1} {2}' -f $_.Operation, "
                    + "$_.Outcome, ($_.Target -split '/')[-1] }",
                new Dictionary<string, object?> { ["journal"] = Path.Combine(_root, database.Name + ".jsonl") }
            )
            .ThrowOnError();
        var real = journal
            .Output.Select(o => o.ToString())
            .Where(l => l.EndsWith(database.Name, StringComparison.Ordinal))
            .ToList();
        Assert.Equal(
            [
                "Invoke-RecoveryPlan: Backup Completed " + database.Name,
                "Invoke-RecoveryPlan: Convert Committed " + database.Name,
                "Invoke-RecoveryPlan: Stamp Committed " + database.Name,
                "Invoke-RecoveryPlan: Upgrade Committed " + database.Name,
            ],
            real
        );
    }

    [Fact]
    public async Task A_database_made_by_create_all_without_a_version_table_is_only_stamped()
    {
        var project = Project(
            new AlembicTestProject()
                .Revision(
                    "shop0001",
                    null,
                    """op.create_table("customers", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("email", sa.String(200), nullable=False, unique=True))"""
                )
                .Revision(
                    "shop0002",
                    "shop0001",
                    """op.create_table("orders", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id"), nullable=False), sa.Column("total", sa.Numeric(10, 2)))"""
                )
                .Revision(
                    "shop0003",
                    "shop0002",
                    """op.add_column("orders", sa.Column("placed_at", sa.DateTime(timezone=True)))"""
                )
                .Module(
                    "shop_models.py",
                    """
                    import sqlalchemy as sa
                    metadata = sa.MetaData()
                    customers = sa.Table("customers", metadata, sa.Column("id", sa.Integer(), primary_key=True), sa.Column("email", sa.String(200), nullable=False, unique=True))
                    orders = sa.Table("orders", metadata, sa.Column("id", sa.Integer(), primary_key=True), sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id"), nullable=False),
                        sa.Column("total", sa.Numeric(10, 2)), sa.Column("placed_at", sa.DateTime(timezone=True)))
                    """
                )
        );
        var database = await DatabaseAsync();
        project.ExecutePython(
            database.Url,
            "import os, sqlalchemy as sa, shop_models; "
                + "shop_models.metadata.create_all(sa.create_engine(os.environ['DATABASE_URL']))"
        );
        await database.ExecuteAsync(
            "INSERT INTO customers (email) VALUES ('a@shop.test'), ('b@shop.test'); INSERT INTO orders (customer_id, "
                + "total) SELECT id, 10 FROM customers;"
        );

        var plan = Plan(project, database);
        Assert.False((bool)plan.Properties["HasVersionTable"].Value);
        Assert.Equal(["Backup", "ProveBackup", "Stamp", "Verify"], StepKinds(plan));
        await RecoverAsync(
            project,
            database,
            "SELECT md5(string_agg(id::text || customer_id::text, ',' ORDER BY id)) FROM orders"
        );
        Assert.Equal("shop0003", await database.ScalarAsync<string>("SELECT version_num FROM alembic_version"));
    }

    [Fact]
    public async Task A_database_made_by_create_all_keeps_the_key_types_its_models_declare_over_the_history()
    {
        // The history made uuid ids; the models (what the code runs) declare String(36), and create_all() built those.
        var project = Project(
            new AlembicTestProject("from app_models import metadata as target_metadata")
                .Revision(
                    "acct0001",
                    null,
                    """
                    op.create_table("accounts", sa.Column("id", postgresql.UUID(), primary_key=True), sa.Column("name", sa.Text(), nullable=False))
                    op.create_table("members", sa.Column("id", postgresql.UUID(), primary_key=True), sa.Column("account_id", postgresql.UUID(), sa.ForeignKey("accounts.id"), nullable=False))
                    """
                )
                .Revision("acct0002", "acct0001", """op.add_column("members", sa.Column("email", sa.Text()))""")
                .Module(
                    "app_models.py",
                    """
                    import sqlalchemy as sa
                    metadata = sa.MetaData()
                    accounts = sa.Table("accounts", metadata, sa.Column("id", sa.String(36), primary_key=True), sa.Column("name", sa.Text(), nullable=False))
                    members = sa.Table("members", metadata, sa.Column("id", sa.String(36), primary_key=True),
                        sa.Column("account_id", sa.String(36), sa.ForeignKey("accounts.id"), nullable=False), sa.Column("email", sa.Text()))
                    """
                )
        );
        var database = await DatabaseAsync();
        var scratch = await DatabaseAsync();
        project.ExecutePython(
            database.Url,
            "import os, sqlalchemy as sa, app_models; "
                + "app_models.metadata.create_all(sa.create_engine(os.environ['DATABASE_URL']))"
        );
        await database.ExecuteAsync(
            "INSERT INTO accounts VALUES ('a1', 'one'); INSERT INTO members VALUES ('m1', 'a1', 'm@x.test');"
        );
        var vars = Variables(project, database, scratch);
        const string Exact =
            "Get-RecoveryPlan -Path $project -ConnectionString $url -ScratchConnectionString $scratch "
            + "-AlembicCommand $alembic";

        var plan = Assert.Single(shell.Run(Exact, vars).ThrowOnError().Output);
        Assert.True((bool)plan.Properties["ReadModels"].Value);
        Assert.Empty((IEnumerable<object>)plan.Properties["Conversions"].Value);
        Assert.Equal(["Backup", "ProveBackup", "Stamp", "Verify"], StepKinds(plan));
        await RecoverAsync(project, database, "SELECT md5(string_agg(id || account_id, ',' ORDER BY id)) FROM members");
        Assert.Equal("character varying(36)", await ColumnTypeAsync(database, "accounts", "id"));
        Assert.True((bool)Assert.Single(shell.Run(Exact, vars).ThrowOnError().Output).Properties["IsEmpty"].Value);
    }

    [Fact]
    public async Task Integer_keys_the_models_declare_as_BigInteger_are_widened_with_their_sequence_and_references()
    {
        // The history made integer (serial) ids; the models, what the code runs, declare BigInteger.
        var project = Project(
            new AlembicTestProject("from big_models import metadata as target_metadata")
                .Revision(
                    "big00001",
                    null,
                    """
                    op.create_table("accounts", sa.Column("id", sa.Integer(), primary_key=True),
                        sa.Column("name", sa.Text(), nullable=False))
                    op.create_table("members", sa.Column("id", sa.Integer(), primary_key=True),
                        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False))
                    """
                )
                .Module(
                    "big_models.py",
                    """
                    import sqlalchemy as sa
                    metadata = sa.MetaData()
                    accounts = sa.Table("accounts", metadata, sa.Column("id", sa.BigInteger(), primary_key=True),
                        sa.Column("name", sa.Text(), nullable=False))
                    members = sa.Table("members", metadata, sa.Column("id", sa.Integer(), primary_key=True),
                        sa.Column("account_id", sa.BigInteger(), sa.ForeignKey("accounts.id"), nullable=False))
                    """
                )
        );
        var database = await DatabaseAsync();
        project.Upgrade(database.Url, "big00001");
        await database.ExecuteAsync(
            "INSERT INTO accounts (name) SELECT 'a' || n FROM generate_series(1, 20) n; "
                + "INSERT INTO members (account_id) SELECT 1 + n % 20 FROM generate_series(1, 60) n;"
        );

        var vars = Variables(project, database, await DatabaseAsync());
        const string Exact =
            "Get-RecoveryPlan -Path $project -ConnectionString $url -ScratchConnectionString $scratch "
            + "-AlembicCommand $alembic";
        var plan = Assert.Single(shell.Run(Exact, vars).ThrowOnError().Output);
        var conversion = PSObject.AsPSObject(Assert.Single((IEnumerable<object>)plan.Properties["Conversions"].Value));
        Assert.Equal("public.accounts.id: integer -> bigint", conversion.BaseObject.ToString());
        Assert.Equal(["Backup", "ProveBackup", "Convert", "Verify"], StepKinds(plan));
        await RecoverAsync(
            project,
            database,
            "SELECT md5(string_agg(id || '-' || account_id, ',' ORDER BY id)) FROM members"
        );
        Assert.Equal("bigint", await ColumnTypeAsync(database, "members", "account_id"));
        Assert.Equal(
            "bigint",
            await database.ScalarAsync<string>(
                "SELECT format_type(seqtypid, NULL) FROM pg_sequence WHERE seqrelid = 'accounts_id_seq'::regclass"
            )
        );
        Assert.True((bool)Assert.Single(shell.Run(Exact, vars).ThrowOnError().Output).Properties["IsEmpty"].Value);
    }

    [Fact]
    public async Task A_revision_no_file_has_any_more_is_reported_with_where_git_saw_it_and_its_tables_are_kept()
    {
        // An experiment's migration ran here, then its file was reverted: alembic_version names a revision Alembic
        // cannot locate.
        var project = Project(
            AlembicHistories
                .Incident(new AlembicTestProject())
                .Revision(
                    "feed00000001",
                    AlembicHistories.IncidentTrueRevision,
                    """op.create_table("experiments", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("note", sa.Text()))"""
                )
        );
        var database = await DatabaseAsync();
        project.Upgrade(database.Url, "feed00000001");
        await database.ExecuteAsync(
            AlembicHistories.IncidentRows + "INSERT INTO experiments VALUES (1, 'kept'), (2, 'kept too');"
        );
        var experiment = Directory.GetFiles(project.VersionsDirectory, "*feed00000001*").Single();
        GitRepository.Run(project.Root, "init", "-q");
        GitRepository.Run(project.Root, "add", "-A");
        GitRepository.Run(project.Root, "commit", "-q", "-m", "Try experiments");
        File.Delete(experiment);
        GitRepository.Run(project.Root, "commit", "-q", "-a", "-m", "Revert experiments");
        var scratch = await DatabaseAsync();
        var vars = Variables(project, database, scratch);

        var plan = Assert.Single(
            shell
                .Run(
                    "Get-RecoveryPlan -Path $project -ConnectionString $url -ScratchConnectionString $scratch "
                        + "-AlembicCommand $alembic",
                    vars
                )
                .ThrowOnError()
                .Output
        );
        Assert.Equal([AlembicHistories.IncidentTrueRevision], Strings(plan, "Revisions"));
        Assert.Empty(Strings(plan, "Blockers"));
        var unknown = Assert.Single(Strings(plan, "Warnings"), w =>
            w.StartsWith("alembic_version names feed00000001", StringComparison.Ordinal)
        );
        Assert.Matches(
            $@"in git, migrations/versions/{Path.GetFileName(experiment)} had it until commit \w+ \(\d{{4}}-\d\d-\d\d, ""Revert experiments""\) removed it",
            unknown
        );
        Assert.Contains(Strings(plan, "Warnings"), w =>
            w.Contains("so the recovery keeps them and their rows", StringComparison.Ordinal)
        );

        await RecoverAsync(project, database, "SELECT string_agg(note, ',' ORDER BY id) FROM experiments");
        var alone = shell
            .Run("Test-RecoveryState -Path $project -ConnectionString $url -FailOnError", vars)
            .ThrowOnError();
        var kept = Assert.Single(alone.Output, c => c.Properties["Name"].Value.ToString() == "KeptExtras");
        Assert.Equal("Warning", kept.Properties["Status"].Value.ToString());
        Assert.Equal(
            "1 object no revision creates, kept as they are: ExtraTable public.experiments",
            kept.Properties["Detail"].Value.ToString()
        );
    }

    [Fact]
    public async Task A_database_at_one_branch_tip_stamped_head()
    {
        var project = Project(AlembicHistories.BranchAndMerge(new AlembicTestProject()));
        var database = await DatabaseAsync();
        project.Upgrade(database.Url, "bbbb0005");
        await database.ExecuteAsync(
            "INSERT INTO accounts (id, name) VALUES (1, 'a'), (2, 'b'); INSERT INTO invoices (id, account_id, total) "
                + "VALUES (1, 1, 9.5), (2, 2, 3); UPDATE alembic_version SET version_num = 'zzzz0007';"
        );

        var plan = Plan(project, database);
        Assert.Equal(["bbbb0005"], Strings(plan, "Revisions"));
        Assert.Equal(["cccc0004", "mmmm0006", "zzzz0007"], Strings(plan, "UpgradeRevisions"));
        await RecoverAsync(
            project,
            database,
            "SELECT md5(string_agg(id::text || account_id::text, ',' ORDER BY id)) FROM invoices"
        );
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE tablename = 'tags'"));
    }

    [Fact]
    public async Task An_end_check_that_fails_on_the_rehearsal_copy_stops_before_production_is_touched()
    {
        // The last revision leaves a foreign key NOT VALID: every step succeeds, the end check does not.
        var project = Project(
            AlembicHistories
                .Incident(new AlembicTestProject())
                .Revision(
                    "ab12cd34ef56",
                    AlembicHistories.IncidentHead,
                    """op.execute("ALTER TABLE comments ADD CONSTRAINT comments_author_again FOREIGN KEY (author_id) REFERENCES users (id) NOT VALID")"""
                )
        );
        var database = await DatabaseAsync();
        var scratch = await DatabaseAsync();
        project.Upgrade(database.Url, AlembicHistories.IncidentTrueRevision);
        await database.ExecuteAsync(
            AlembicHistories.IncidentRows
                + $"UPDATE alembic_version SET version_num = '{AlembicHistories.IncidentHead}';"
        );
        var vars = Variables(project, database, scratch);
        vars["plan"] = Assert.Single(
            shell
                .Run(
                    "Get-RecoveryPlan -Path $project -ConnectionString $url -ScratchConnectionString $scratch "
                        + "-AlembicCommand $alembic",
                    vars
                )
                .ThrowOnError()
                .Output
        );

        var refused = shell.Run(
            "Invoke-RecoveryPlan -Plan $plan -ConnectionString $url -BackupPath $backup -ScratchConnectionString "
                + "$scratch -AlembicCommand $alembic -JournalPath $journal -Rehearse -Confirm:$false",
            vars
        );
        var error = refused.SingleError();
        Assert.Equal("RehearsalFailed,DbRecovery.Commands.InvokeRecoveryPlanCommand", error.FullyQualifiedErrorId);
        Assert.Contains(
            "ran every step, but its end check fails: ForeignKeysValidated: Not validated: "
                + "public.comments.comments_author_again",
            error.Exception.Message,
            StringComparison.Ordinal
        );
        Assert.EndsWith("The database itself was not changed.", error.Exception.Message, StringComparison.Ordinal);

        // The journal says which entries ran on the rehearsal copy, as a property and in its default view.
        var changes = shell
            .Run("Get-RecoveryJournal -JournalPath $journal -Operation '*: Stamp', '*: Upgrade'", vars)
            .ThrowOnError()
            .Output;
        Assert.Equal(2, changes.Count);
        Assert.All(changes, e => Assert.True((bool)e.Properties["Rehearsal"].Value));
        var view = shell
            .Run("Get-RecoveryJournal -JournalPath $journal | Out-String -Width 120", vars)
            .ThrowOnError()
            .Output.Single()
            .ToString()!;
        Assert.Contains(view.Split('\n'), l =>
            l.Contains(": Stamp", StringComparison.Ordinal) && l.Contains(" rehearsal ", StringComparison.Ordinal)
        );
        Assert.Contains(view.Split('\n'), l =>
            l.Contains(": Backup", StringComparison.Ordinal) && l.Contains(" database ", StringComparison.Ordinal)
        );
        Assert.Equal(
            AlembicHistories.IncidentHead,
            await database.ScalarAsync<string>("SELECT version_num FROM alembic_version")
        );
        Assert.Equal(
            0L,
            await database.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE tablename = 'folders'")
        );
        Assert.Equal(
            0L,
            await scratch.ScalarAsync<long>(
                "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            )
        );
    }

    [Fact]
    public async Task An_already_recovered_database_is_left_alone_and_the_runbook_says_so()
    {
        var project = Project(AlembicHistories.Incident(new AlembicTestProject()));
        var database = await DatabaseAsync();
        project.Upgrade(database.Url, "head");
        var plan = Plan(project, database);
        Assert.True((bool)plan.Properties["IsEmpty"].Value);
        Assert.Equal(["Verify"], StepKinds(plan));

        var result = await RecoverAsync(
            project,
            database,
            "SELECT md5(string_agg(table_name || column_name || data_type, ',' ORDER BY table_name, column_name)) "
                + "FROM information_schema.columns WHERE table_schema = 'public'"
        );
        Assert.Contains(result.Information, i =>
            i.StartsWith("Nothing to change: the database is already at dc2c0f69c1b1", StringComparison.Ordinal)
        );
        Assert.False(Directory.Exists(Path.Combine(_root, database.Name + "-backup")));
        Assert.False(File.Exists(Path.Combine(_root, database.Name + ".jsonl")));
    }

    [Fact]
    public async Task A_table_made_by_hand_that_a_later_revision_creates_blocks_the_plan_before_any_change()
    {
        var project = Project(AlembicHistories.Incident(new AlembicTestProject()));
        var database = await DatabaseAsync();
        var scratch = await DatabaseAsync();
        project.Upgrade(database.Url, AlembicHistories.IncidentTrueRevision);
        await database.ExecuteAsync(
            "CREATE TABLE folders (id varchar(36) PRIMARY KEY, title text); UPDATE alembic_version SET version_num = "
                + $"'{AlembicHistories.IncidentHead}';"
        );

        var plan = Plan(project, database);
        Assert.False((bool)plan.Properties["CanExecute"].Value);
        var blockers = Strings(plan, "Blockers");
        Assert.True(
            blockers.Any(b =>
                b.Contains("create_table folders: relation \"folders\" already exists", StringComparison.Ordinal)
            ),
            string.Join("\n", blockers)
        );

        var vars = Variables(project, database, scratch);
        vars["plan"] = plan;
        var refused = shell.Run(
            "Invoke-RecoveryPlan -Plan $plan -ConnectionString $url -BackupPath $backup -ScratchConnectionString "
                + "$scratch -AlembicCommand $alembic -JournalPath $journal -Confirm:$false",
            vars
        );
        var error = refused.SingleError();
        Assert.Equal("RecoveryPlanBlocked,DbRecovery.Commands.InvokeRecoveryPlanCommand", error.FullyQualifiedErrorId);
        Assert.StartsWith(
            "The plan cannot be executed; nothing was changed. No DbRecovery step can fix:",
            error.Exception.Message,
            StringComparison.Ordinal
        );

        var runbook = Path.Combine(RepositoryPaths.ModuleDirectory, "Examples", "Repair-DriftedDatabase.ps1");
        var (exitCode, output) = await RealPwsh.RunFileAsync(
            runbook,
            [
                "-Path",
                project.Root,
                "-ScratchConnectionString",
                scratch.Url,
                "-BackupPath",
                (string)vars["backup"]!,
                "-AlembicCommand",
                string.Join(",", AlembicTestProject.AlembicCommand),
                "-JournalPath",
                (string)vars["journal"]!,
            ],
            new Dictionary<string, string>
            {
                ["DATABASE_URL"] = database.Url,
                ["PSModulePath"] = Path.GetDirectoryName(RepositoryPaths.ModuleDirectory)!,
            }
        );
        Assert.NotEqual(0, exitCode);
        Assert.Contains("The recovery cannot be done", output, StringComparison.Ordinal);
        Assert.DoesNotContain(database.Settings.Password!, output, StringComparison.Ordinal);
        Assert.False(Directory.Exists((string)vars["backup"]!));
        Assert.Equal(
            AlembicHistories.IncidentHead,
            await database.ScalarAsync<string>("SELECT version_num FROM alembic_version")
        );
        Assert.Equal("text", await ColumnTypeAsync(database, "folders", "title"));
    }

    [Fact]
    public async Task The_rehearsal_finds_what_the_static_check_cannot_and_production_is_untouched()
    {
        // A data migration that fails on this data: the subquery returns a row per user.
        var project = Project(
            AlembicHistories
                .Incident(new AlembicTestProject())
                .Revision(
                    "ee00ff11aa22",
                    AlembicHistories.IncidentHead,
                    """op.execute("UPDATE deals SET stage = (SELECT email FROM users)")""",
                    "stage from owner"
                )
        );
        var database = await DatabaseAsync();
        var scratch = await DatabaseAsync();
        project.Upgrade(database.Url, AlembicHistories.IncidentTrueRevision);
        await database.ExecuteAsync(AlembicHistories.IncidentRows);

        var plan = Plan(project, database);
        Assert.Equal(
            "Unknown",
            PSObject.AsPSObject(plan.Properties["Forecast"].Value).Properties["Verdict"].Value.ToString()
        );
        Assert.Contains(Strings(plan, "Warnings"), w =>
            w.StartsWith("revision ee00ff11aa22 line", StringComparison.Ordinal)
            && w.Contains("cannot be predicted statically", StringComparison.Ordinal)
        );

        var vars = Variables(project, database, scratch);
        var run = shell.Run(
            "& $runbook -Path $project -ConnectionString $url -ScratchConnectionString $scratch -BackupPath $backup "
                + "-AlembicCommand $alembic -JournalPath $journal",
            vars
        );
        var error = run.SingleError();
        Assert.Equal("RehearsalFailed,DbRecovery.Commands.InvokeRecoveryPlanCommand", error.FullyQualifiedErrorId);
        Assert.Contains(
            "failed at step 3 (Upgrade with Alembic to heads",
            error.Exception.Message,
            StringComparison.Ordinal
        );
        Assert.Contains("more than one row returned by a subquery", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("The database itself was not changed.", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(
            AlembicHistories.IncidentTrueRevision,
            await database.ScalarAsync<string>("SELECT version_num FROM alembic_version")
        );
        Assert.Equal(
            0L,
            await database.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE tablename = 'folders'")
        );
        Assert.Equal(
            0L,
            await scratch.ScalarAsync<long>(
                "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            )
        );
    }

    [Fact]
    public async Task A_run_that_fails_midway_says_what_it_left_and_a_new_plan_finishes_it()
    {
        var project = Project(
            AlembicHistories
                .Incident(new AlembicTestProject(), "postgresql.UUID(as_uuid=True)")
                .Revision(
                    "ee00ff11aa22",
                    AlembicHistories.IncidentHead,
                    """op.execute("UPDATE deals SET stage = (SELECT email FROM users)")""",
                    "stage from owner"
                )
        );
        var database = await DatabaseAsync();
        var scratch = await DatabaseAsync();
        project.Upgrade(database.Url, AlembicHistories.IncidentTrueRevision);
        await database.ExecuteAsync(
            AlembicHistories.IncidentRows
                + $"UPDATE alembic_version SET version_num = '{AlembicHistories.IncidentHead}';"
        );
        var vars = Variables(project, database, scratch);
        vars["plan"] = Plan(project, database);

        var failed = shell.Run(
            "Invoke-RecoveryPlan -Plan $plan -ConnectionString $url -BackupPath $backup -ScratchConnectionString "
                + "$scratch -AlembicCommand $alembic -JournalPath $journal -Confirm:$false",
            vars
        );
        var error = failed.SingleError();
        Assert.Equal("RecoveryStepFailed,DbRecovery.Commands.InvokeRecoveryPlanCommand", error.FullyQualifiedErrorId);
        Assert.Contains("Step 5 of the recovery of", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains(
            "Now the database is as step 4 left it, after: Convert public.users.id (uuid) to character varying(36)",
            error.Exception.Message,
            StringComparison.Ordinal
        );
        Assert.Contains(
            $"Stamp alembic_version at {AlembicHistories.IncidentTrueRevision}",
            error.Exception.Message,
            StringComparison.Ordinal
        );
        Assert.Contains(
            $"To go back, Restore-Database -Path '{vars["backup"]}' -Clean",
            error.Exception.Message,
            StringComparison.Ordinal
        );
        Assert.Equal("character varying(36)", await ColumnTypeAsync(database, "users", "id"));
        Assert.Equal(
            AlembicHistories.IncidentTrueRevision,
            await database.ScalarAsync<string>("SELECT version_num FROM alembic_version")
        );
        Assert.Equal(
            0L,
            await database.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE tablename = 'folders'")
        );

        // The cause removed (the data the migration cannot take), a new plan starts from where the first stopped.
        await database.ExecuteAsync("DELETE FROM comments; DELETE FROM deals;");
        var resumed = Plan(project, database);
        Assert.Empty((IEnumerable<object>)resumed.Properties["Conversions"].Value);
        Assert.Empty((IEnumerable<object>)resumed.Properties["Stamp"].Value);
        // The converted key is not turned back: the history contradicts itself about it, and the later reference's type
        // wins.
        Assert.Contains(Strings(resumed, "Contradictions"), c =>
            c.Contains("creates public.users.id uuid", StringComparison.Ordinal)
            && c.EndsWith(
                "the recovery gives the key character varying(36), the type the later reference needs",
                StringComparison.Ordinal
            )
        );
        Directory.Delete((string)vars["backup"]!, recursive: true);
        await RecoverAsync(
            project,
            database,
            "SELECT md5(string_agg(id::text || organization_id::text, ',' ORDER BY id)) FROM users"
        );
    }

    [Fact]
    public async Task The_printed_script_and_Invoke_RecoveryPlan_reach_one_end_state_on_a_dotted_table_and_a_unique_key()
    {
        // The key is a UNIQUE column, not the primary key, of a table whose name holds a dot.
        var project = Project(
            new AlembicTestProject()
                .Revision(
                    "dots0001",
                    null,
                    """
                    op.create_table("my.codes", sa.Column("id", sa.Integer(), primary_key=True),
                        sa.Column("code", postgresql.UUID(), nullable=False, unique=True))
                    op.create_table("labels", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("code", postgresql.UUID()))
                    op.create_foreign_key("labels_code_fkey", "labels", "my.codes", ["code"], ["code"])
                    """
                )
                .Revision(
                    "dots0002",
                    "dots0001",
                    """
                    op.create_table("orders", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("code", sa.String(36), nullable=False))
                    op.create_foreign_key("orders_code_fkey", "orders", "my.codes", ["code"], ["code"])
                    """
                )
        );
        var (scripted, invoked) = (await DatabaseAsync(), await DatabaseAsync());
        foreach (var database in new[] { scripted, invoked })
        {
            project.Upgrade(database.Url, "dots0001");
            await database.ExecuteAsync(
                """
                INSERT INTO "my.codes" (code) SELECT ('00000000-0000-0000-0000-00000000000' || n)::uuid FROM generate_series(1, 3) n;
                INSERT INTO labels (code) SELECT code FROM "my.codes";
                UPDATE alembic_version SET version_num = 'dots0002';
                """
            );
        }

        var vars = Variables(project, scripted, await DatabaseAsync());
        var script = Assert
            .Single(
                shell
                    .Run("Get-RecoveryPlan -Path $project -ConnectionString $url -AsScript", vars)
                    .ThrowOnError()
                    .Output
            )
            .ToString();
        Assert.Contains(
            "Convert-IdColumns @database -Table 'public.\"my.codes\"' -Column 'code'",
            script,
            StringComparison.Ordinal
        );
        var file = Path.Combine(_root, "recover.ps1");
        await File.WriteAllTextAsync(file, script);
        var (exitCode, output) = await RealPwsh.RunScriptAsync(
            $"$ErrorActionPreference = 'Stop'; & '{file}' -ConnectionString $env:DBR_URL -ScratchConnectionString "
                + $"$env:DBR_SCRATCH -BackupPath '{vars["backup"]}' "
                + $"-AlembicCommand {string.Join(",", AlembicTestProject.AlembicCommand.Select(a => $"'{a}'"))} "
                + "-Confirm:$false",
            new Dictionary<string, string>
            {
                ["DBR_URL"] = scripted.Url,
                ["DBR_SCRATCH"] = (string)vars["scratch"]!,
                ["PSModulePath"] = Path.GetDirectoryName(RepositoryPaths.ModuleDirectory)!,
            }
        );
        Assert.True(exitCode == 0, output);

        vars = Variables(project, invoked, await DatabaseAsync());
        vars["plan"] = Assert.Single(
            shell.Run("Get-RecoveryPlan -Path $project -ConnectionString $url", vars).ThrowOnError().Output
        );
        shell
            .Run(
                "Invoke-RecoveryPlan -Plan $plan -ConnectionString $url -BackupPath $backup -ScratchConnectionString "
                    + "$scratch "
                    + "-AlembicCommand $alembic -JournalPath $journal -Confirm:$false",
                vars
            )
            .ThrowOnError();

        Assert.Equal("character varying(36)", await ColumnTypeAsync(invoked, "\"my.codes\"", "code"));
        Assert.Equal(await EndStateAsync(invoked), await EndStateAsync(scripted));
    }

    /// <summary>Every column's type, every constraint, alembic_version and the keys' values.</summary>
    private static Task<string> EndStateAsync(TestDatabase database) =>
        database.ScalarAsync<string>(
            """
            SELECT concat_ws(' | ',
                (SELECT string_agg(format('%s.%s %s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY 1)
                 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped),
                (SELECT string_agg(conname || ' ' || pg_get_constraintdef(oid), ', ' ORDER BY conname)
                 FROM pg_constraint WHERE connamespace = 'public'::regnamespace),
                (SELECT string_agg(version_num, ', ') FROM alembic_version),
                (SELECT string_agg(code::text, ', ' ORDER BY id) FROM "my.codes"),
                (SELECT string_agg(code::text, ', ' ORDER BY id) FROM labels))
            """
        );

    private static IEnumerable<string> StepKinds(PSObject plan) =>
        ((IEnumerable<object>)plan.Properties["Steps"].Value).Select(s =>
            PSObject.AsPSObject(s).Properties["Kind"].Value.ToString()!
        );

    private AlembicTestProject Project(AlembicTestProject project)
    {
        _projects.Add(project);
        return project;
    }

    private async Task<TestDatabase> DatabaseAsync()
    {
        var database = await _server!.CreateDatabaseAsync();
        _databases.Add(database);
        return database;
    }

    private Dictionary<string, object?> Variables(
        AlembicTestProject project,
        TestDatabase database,
        TestDatabase scratch
    ) =>
        new()
        {
            ["runbook"] = Path.Combine(RepositoryPaths.ModuleDirectory, "Examples", "Repair-DriftedDatabase.ps1"),
            ["project"] = project.Root,
            ["url"] = database.Url,
            ["scratch"] = scratch.Url,
            ["backup"] = Path.Combine(_root, database.Name + "-backup"),
            ["journal"] = Path.Combine(_root, database.Name + ".jsonl"),
            ["alembic"] = AlembicTestProject.AlembicCommand,
        };

    private PSObject Plan(AlembicTestProject project, TestDatabase database) =>
        Assert.Single(
            shell
                .Run(
                    "Get-RecoveryPlan -Path $project -ConnectionString $url",
                    new Dictionary<string, object?> { ["project"] = project.Root, ["url"] = database.Url }
                )
                .Output
        );

    private static IReadOnlyList<string> Strings(PSObject plan, string property) =>
        ((IEnumerable<object>)plan.Properties[property].Value).Select(o => o.ToString()!).ToList();

    /// <summary>
    /// Runs the runbook unattended, then checks what every recovery must leave; returns what the runbook wrote.
    /// </summary>
    private async Task<ScriptResult> RecoverAsync(AlembicTestProject project, TestDatabase database, string data)
    {
        var scratch = await DatabaseAsync();
        var before = await database.ScalarAsync<string>(data);
        var foreignKeys = await database.ScalarAsync<long>(ForeignKeys);
        var vars = Variables(project, database, scratch);

        var preview = shell
            .Run(
                "& $runbook -Path $project -ConnectionString $url -ScratchConnectionString $scratch -BackupPath "
                    + "$backup -AlembicCommand $alembic -JournalPath $journal -WhatIf",
                vars
            )
            .ThrowOnError();
        Assert.Empty(preview.Output);
        Assert.False(Directory.Exists((string)vars["backup"]!));

        var result = shell
            .Run(
                "& $runbook -Path $project -ConnectionString $url -ScratchConnectionString $scratch -BackupPath "
                    + "$backup -AlembicCommand $alembic -JournalPath $journal -Verbose",
                vars
            )
            .ThrowOnError();
        Assert.True(
            result.Warnings.Distinct().Count() == result.Warnings.Count,
            "a warning repeated:\n" + string.Join("\n", result.Warnings)
        );
        var checks = result
            .Output.Select(o =>
                (
                    Name: o.Properties["Name"].Value.ToString(),
                    Status: o.Properties["Status"].Value.ToString(),
                    Detail: o.Properties["Detail"].Value.ToString()
                )
            )
            .ToList();
        Assert.Contains(checks, c => c.Name == "SchemaMatchesHead");
        Assert.All(checks, c => Assert.True(c.Status == "Pass", $"{c.Name}: {c.Detail}"));
        Assert.DoesNotContain(database.Settings.Password!, result.AllText, StringComparison.Ordinal);

        var heads = project
            .Run(database.Url, "heads")
            .Output.Split('\n')
            .Where(l => l.Contains("(head)", StringComparison.Ordinal))
            .Select(l => l.Split(' ')[0])
            .Order()
            .ToList();
        var current = project
            .Run(database.Url, "current")
            .Output.Split('\n')
            .Where(l => l.Contains("(head)", StringComparison.Ordinal))
            .Select(l => l.Split(' ')[0])
            .Order()
            .ToList();
        Assert.NotEmpty(heads);
        Assert.Equal(heads, current);
        var again = project.Run(database.Url, "upgrade", "heads");
        Assert.Equal(0, again.ExitCode);
        Assert.DoesNotContain("Running upgrade", again.Output, StringComparison.Ordinal);
        Assert.Equal(before, await database.ScalarAsync<string>(data));
        Assert.True(await database.ScalarAsync<long>(ForeignKeys) >= foreignKeys);
        Assert.Equal(
            0L,
            await database.ScalarAsync<long>(
                "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND NOT convalidated"
            )
        );
        Assert.Equal(
            0L,
            await scratch.ScalarAsync<long>(
                "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            )
        );

        // The checklist alone, with nothing from the plan, judges by the same target: the runbook's second run would
        // pass it.
        var alone = shell.Run(
            "Test-RecoveryState -Path $project -ConnectionString $url -ScratchConnectionString $scratch "
                + "-AlembicCommand $alembic -FailOnError",
            vars
        );
        Assert.True(!alone.AllErrors.Any(), string.Join("; ", alone.AllErrors.Select(e => e.ToString())));
        return result;
    }

    private static Task<string> ColumnTypeAsync(TestDatabase database, string table, string column) =>
        database.ScalarAsync<string>(
            $"SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '{table}'::regclass AND "
                + $"attname = '{column}'"
        );
}
