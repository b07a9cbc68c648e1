using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Conversion;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Journal;
using DbRecovery.Engine.Plans;
using DbRecovery.TestSupport;
using Npgsql;

namespace DbRecovery.Engine.Tests.Conversion;

public sealed class IdConversionTests : DatabaseTest, IDisposable
{
    private static readonly ConversionRoot[] Roots = [new(null, "users", null), new(null, "organizations", null)];
    private readonly string _journalPath = Path.Combine(Path.GetTempPath(), $"dbr-journal-{Guid.NewGuid():N}.jsonl");

    public void Dispose() => File.Delete(_journalPath);

    private ConnectionTarget Target => ConnectionTarget.Parse(Database.Url);

    private JournalContext Journal =>
        new(new RecoveryJournal(_journalPath), "Convert-IdColumns", new Dictionary<string, string>());

    private Task<IdConversionPlan> PlanAsync(string to = "varchar(36)", IReadOnlyList<ConversionRoot>? roots = null) =>
        IdConversion.PlanAsync(Target, roots ?? Roots, to, Log, CancellationToken.None);

    private Task<IReadOnlyList<ColumnConversion>> ApplyAsync(
        IdConversionPlan plan,
        Func<int, Task>? beforeStep = null,
        TimeSpan? lockTimeout = null
    ) =>
        IdConversion.ApplyAsync(
            Target.WithLockTimeout(lockTimeout ?? TimeSpan.FromSeconds(5)),
            plan,
            Journal,
            Log,
            CancellationToken.None,
            beforeStep
        );

    private Task<string> IdsAsync() =>
        Database.ScalarAsync<string>(
            """
            SELECT md5(string_agg(v, ',' ORDER BY v)) FROM (
                SELECT id::text v FROM users UNION ALL SELECT id::text FROM organizations UNION ALL SELECT owner_id::text FROM deals
                UNION ALL SELECT uploaded_by::text FROM documents UNION ALL SELECT actor_id::text FROM audit.events UNION ALL SELECT user_id::text FROM deal_watchers) x
            """
        );

    private static string Shape(SchemaState s) =>
        string.Join(
            "\n",
            s.Tables.SelectMany(t =>
                t.ForeignKeys.Select(f => $"fk {f.Name} {f.Definition} {f.IsValidated}")
                    .Concat(t.Indexes.Select(i => $"ix {i.Definition}"))
                    .Concat(t.Constraints.Select(c => $"c {c.Name} {c.Definition}"))
                    .Concat(t.Triggers.Select(g => $"tg {g.Definition}"))
                    .Concat(t.Policies.Select(p => $"pol {p.Name} {p.Using}"))
                    .Concat([$"rows {t.Name} {t.Columns.Count}"])
            )
        )
        + "\n"
        + string.Join(
            "\n",
            s.Views.Select(v => $"view {v.Schema}.{v.Name} {v.Owner} {DefinitionText.WithoutCasts(v.Definition)}")
        );

    [Fact]
    public async Task Converts_every_linked_column_and_keeps_every_dependent_object()
    {
        await Database.ExecuteAsync(
            IncidentSchema.Sql
                + "CREATE ROLE reporter_"
                + Database.Name
                + "; GRANT SELECT ON user_directory TO reporter_"
                + Database.Name
                + ";"
                + "GRANT UPDATE ON user_directory TO reporter_"
                + Database.Name
                + " WITH GRANT OPTION;"
        );
        var before = await SnapshotAsync();
        var ids = await IdsAsync();

        var plan = await PlanAsync();
        var results = await ApplyAsync(plan);
        var after = await SnapshotAsync();

        Assert.Equal(
            IncidentSchema.LinkedColumns,
            plan.Columns.Select(c => $"{c.Schema}.{c.Table}.{c.Column}").Order(StringComparer.Ordinal)
        );
        Assert.Equal(IncidentSchema.LinkedColumns.Length, results.Count);
        Assert.All(IncidentSchema.LinkedColumns, name =>
        {
            var parts = name.Split('.');
            Assert.Equal("character varying(36)", after.FindTable(parts[0], parts[1])!.FindColumn(parts[2])!.Type);
        });
        Assert.Equal("uuid", after.FindTable("public", "tasks")!.FindColumn("owner_id")!.Type);
        Assert.Contains(plan.NotLinked, n => n.StartsWith("public.tasks.owner_id", StringComparison.Ordinal));
        Assert.Equal(Shape(before), Shape(after));
        Assert.Equal(ids, await IdsAsync());
        Assert.Equal(36, results.Single(r => r.Table == "deals" && r.Column == "owner_id").Rows);
        Assert.Equal(9, plan.Rewrites.Count);
        Assert.Equal(
            "(gen_random_uuid())::character varying(36)",
            after.FindTable("public", "users")!.FindColumn("id")!.Default
        );
        Assert.False(after.FindTable("public", "notes")!.ForeignKeys.Single().IsValidated);
        Assert.All(after.Tables.SelectMany(t => t.ForeignKeys).Where(f => f.Name != "notes_user_fk"), f =>
            Assert.True(f.IsValidated)
        );
        Assert.Equal(
            "Who works where",
            await Database.ScalarAsync<string>("SELECT obj_description('user_directory'::regclass, 'pg_class')")
        );
        Assert.True(
            await Database.ScalarAsync<bool>(
                $"SELECT has_table_privilege('reporter_{Database.Name}', 'user_directory', 'SELECT')"
            )
        );
        Assert.True(
            await Database.ScalarAsync<bool>(
                $"SELECT has_table_privilege('reporter_{Database.Name}', 'user_directory', 'UPDATE WITH GRANT OPTION')"
            )
        );
        Assert.False(
            await Database.ScalarAsync<bool>(
                $"SELECT has_table_privilege('reporter_{Database.Name}', 'user_directory', 'SELECT WITH GRANT OPTION')"
            )
        );
        Assert.Equal(36L, await Database.ScalarAsync<long>("SELECT sum(deals)::bigint FROM deals_per_owner"));
        await Database.ExecuteAsync(
            "INSERT INTO users (organization_id, email) SELECT id, 'new@x' FROM organizations LIMIT 1"
        );
        Assert.Equal(36, await Database.ScalarAsync<int>("SELECT length(id) FROM users WHERE email = 'new@x'"));
        Assert.Equal(
            0L,
            await Database.ScalarAsync<long>(
                "SELECT count(*) FROM pg_constraint WHERE obj_description(oid, 'pg_constraint') IS NOT NULL"
            )
        );
        Assert.Equal("Committed", Assert.Single(new RecoveryJournal(_journalPath).Read()).Outcome);

        var again = await PlanAsync();
        Assert.True(again.IsEmpty);
        Assert.Equal(IncidentSchema.LinkedColumns.Length, again.AlreadyConverted.Count);
        await Database.ExecuteAsync($"DROP OWNED BY reporter_{Database.Name}; DROP ROLE reporter_{Database.Name}");
    }

    [Fact]
    public async Task Converts_through_partitioned_tables_quoted_identifiers_and_composite_keys()
    {
        await Database.ExecuteAsync(
            FixtureSchema.Sql
                + """"
                INSERT INTO app.organizations (name) VALUES ('acme');
                INSERT INTO app.users (organization_id, email) SELECT id, 'a@acme.test' FROM app.organizations;
                INSERT INTO app.memberships SELECT organization_id, id, 'owner' FROM app.users;
                INSERT INTO "Billing Ω"."Invoice ""Lines""" (organization_id, user_id) SELECT organization_id, user_id FROM app.memberships;
                INSERT INTO app.events (id, occurred_at, user_id) SELECT 1, '2024-06-01', id FROM app.users;
                REFRESH MATERIALIZED VIEW app.org_counts;
                """"
        );
        var before = await SnapshotAsync();

        var plan = await PlanAsync(roots: [new("app", "organizations", null), new("app", "users", null)]);
        await ApplyAsync(plan);
        var after = await SnapshotAsync();

        Assert.Contains(plan.Columns, c => c.Table == FixtureSchema.QuotedTable && c.Column == "organization_id");
        Assert.Equal("character varying(36)", after.FindTable("app", "events")!.FindColumn("user_id")!.Type);
        Assert.Equal("character varying(36)", after.FindTable("app", "events_2024")!.FindColumn("user_id")!.Type);
        Assert.Equal(
            "character varying(36)",
            after.FindTable(FixtureSchema.QuotedSchema, FixtureSchema.QuotedTable)!.FindColumn("organization_id")!.Type
        );
        Assert.Equal(
            "uuid",
            after.FindTable(FixtureSchema.QuotedSchema, FixtureSchema.QuotedTable)!.FindColumn("user_id")!.Type
        );
        Assert.Equal(Shape(before), Shape(after));
        Assert.Equal(1L, await Database.ScalarAsync<long>("SELECT count(*) FROM app.events_2024"));
    }

    /// <summary>
    /// The application holds a read lock on users and then waits to insert an organization, which the conversion
    /// holds in SHARE mode while it waits for ACCESS EXCLUSIVE on users: PostgreSQL breaks the deadlock by rolling
    /// the conversion back, which tries again and finishes; the application's insert lands.
    /// </summary>
    [Fact]
    public async Task A_deadlock_with_the_application_rolls_the_conversion_back_and_it_tries_again()
    {
        await Database.ExecuteAsync(IncidentSchema.Sql);
        var plan = await PlanAsync();
        var exclusive = plan
            .Steps.ToList()
            .FindIndex(s => s.Kind == StepKind.Lock && s.Sql!.Contains("ACCESS EXCLUSIVE", StringComparison.Ordinal));
        Assert.Contains("\"public\".\"organizations\"", plan.Steps[0].Sql, StringComparison.Ordinal);
        await using var application = await Database.OpenAsync();
        await using var transaction = await application.BeginTransactionAsync();
        await using (var read = new NpgsqlCommand("SELECT count(*) FROM users", application, transaction))
        {
            await read.ExecuteScalarAsync();
        }

        Task? insert = null;
        await ApplyAsync(plan, index =>
        {
            insert ??=
                index == exclusive
                    ? Task.Run(async () =>
                    {
                        await Task.Delay(300);
                        await using var write = new NpgsqlCommand(
                            "INSERT INTO organizations (name) VALUES ('during the conversion')",
                            application,
                            transaction
                        );
                        await write.ExecuteNonQueryAsync();
                        await transaction.CommitAsync();
                    })
                    : null;
            return Task.CompletedTask;
        });
        await insert!;

        Assert.Contains(
            "The server rolled this attempt back (40P01: deadlock detected",
            Log.All,
            StringComparison.Ordinal
        );
        Assert.Equal(
            "character varying(36) 1",
            await Database.ScalarAsync<string>(
                "SELECT format_type(atttypid, atttypmod) || ' ' || (SELECT count(*) FROM organizations WHERE name = "
                    + "'during the conversion') FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'id'"
            )
        );
    }

    [Fact]
    public async Task The_inverse_script_converts_back_exactly()
    {
        await Database.ExecuteAsync(IncidentSchema.Sql);
        var before = await SnapshotAsync();
        var plan = await PlanAsync();
        await ApplyAsync(plan);

        await Database.ExecuteAsync(plan.ToInverseScript(TimeSpan.FromSeconds(5)));
        var back = await SnapshotAsync();

        Assert.Equal(Shape(before), Shape(back));
        Assert.Equal("uuid", back.FindTable("public", "users")!.FindColumn("id")!.Type);
        Assert.Equal("gen_random_uuid()", back.FindTable("public", "users")!.FindColumn("id")!.Default);
    }

    [Fact]
    public async Task Each_table_is_rewritten_once_with_all_its_columns()
    {
        await Database.ExecuteAsync(IncidentSchema.Sql);

        var plan = await PlanAsync();

        var alters = plan.Steps.Where(s => s.Kind == StepKind.Rewrite).ToList();
        Assert.Equal(alters.Count, alters.Select(a => a.Target).Distinct().Count());
        var deals = Assert.Single(alters, a => a.Target == "public.deals");
        Assert.Equal(5, deals.Sql!.Split(" TYPE ").Length - 1);
        Assert.StartsWith("LOCK TABLE", plan.Steps[0].Sql, StringComparison.Ordinal);
        var afterCommit = plan.Steps.Where(s => s.Phase == StepPhase.AfterCommit).ToList();
        Assert.Contains(afterCommit, s =>
            s.Sql!.Contains("VALIDATE CONSTRAINT \"deal_watchers_membership_fk\"", StringComparison.Ordinal)
        );
        Assert.DoesNotContain(afterCommit, s => s.Sql!.Contains("notes_user_fk", StringComparison.Ordinal));
        Assert.All(plan.Steps.SkipWhile(s => s.Phase == StepPhase.InTransaction), s =>
            Assert.Equal(StepPhase.AfterCommit, s.Phase)
        );
        var script = plan.ToScript(TimeSpan.FromSeconds(5));
        Assert.StartsWith("-- Convert key columns", script, StringComparison.Ordinal);
        Assert.Contains("SET LOCAL lock_timeout = '5000ms';", script, StringComparison.Ordinal);
        Assert.True(plan.DiskNeededBytes > 0);
    }

    [Fact]
    public async Task Varchar_to_uuid_refuses_values_that_are_not_uuids_and_changes_nothing()
    {
        await Database.ExecuteAsync(
            """
            CREATE TABLE accounts (id varchar(36) PRIMARY KEY);
            CREATE TABLE logins (account_id varchar(36) REFERENCES accounts (id));
            INSERT INTO accounts VALUES ('8d3c1a4e-1111-4222-8333-944455556666'), ('not-a-uuid'), ('ALSO BAD');
            INSERT INTO logins VALUES ('not-a-uuid');
            """
        );

        var error = await Assert.ThrowsAsync<RecoveryException>(() => PlanAsync("uuid", [new(null, "accounts", null)]));

        Assert.Equal("InvalidUuidValues", error.ErrorId);
        Assert.StartsWith("3 values are not UUIDs", error.Message, StringComparison.Ordinal);
        Assert.Contains("'not-a-uuid'", error.Message, StringComparison.Ordinal);
        Assert.Equal(
            "character varying",
            await Database.ScalarAsync<string>(
                "SELECT data_type::text FROM information_schema.columns WHERE table_name = 'accounts'"
            )
        );
    }

    /// <remarks>
    /// The second shape is what SQLAlchemy's <c>String(36), server_default=sa.text("gen_random_uuid()")</c> creates:
    /// PostgreSQL keeps no visible cast.
    /// </remarks>
    [Theory]
    [InlineData("gen_random_uuid()::text")]
    [InlineData("gen_random_uuid()")]
    public async Task Varchar_to_uuid_converts_and_restores_uuid_defaults(string @default)
    {
        await Database.ExecuteAsync(
            $"""
            CREATE TABLE accounts (id varchar(36) PRIMARY KEY DEFAULT {@default});
            CREATE TABLE logins (account_id varchar(36) REFERENCES accounts (id));
            INSERT INTO accounts VALUES ('8D3C1A4E-1111-4222-8333-944455556666');
            INSERT INTO logins VALUES ('8D3C1A4E-1111-4222-8333-944455556666');
            """
        );

        await ApplyAsync(await PlanAsync("uuid", [new(null, "accounts", null)]));

        var state = await SnapshotAsync();
        Assert.Equal("uuid", state.FindTable("public", "logins")!.FindColumn("account_id")!.Type);
        Assert.Equal("gen_random_uuid()", state.FindTable("public", "accounts")!.FindColumn("id")!.Default);
    }

    /// <summary>
    /// Text keys hold UUIDs in every form PostgreSQL reads (upper case, braces, no hyphens): each becomes the one
    /// uuid it names, with its references, and the values check before COMMIT compares them as converted.
    /// </summary>
    [Fact]
    public async Task Varchar_to_uuid_takes_every_form_postgres_reads_as_a_uuid()
    {
        await Database.ExecuteAsync(
            """
            CREATE TABLE accounts (id varchar(40) PRIMARY KEY);
            CREATE TABLE logins (account_id varchar(40) REFERENCES accounts (id));
            INSERT INTO accounts VALUES ('8D3C1A4E-1111-4222-8333-944455556666'),
                ('{8d3c1a4e-1111-4222-8333-944455556667}'), ('8d3c1a4e111142228333944455556668');
            INSERT INTO logins SELECT id FROM accounts;
            """
        );

        await ApplyAsync(await PlanAsync("uuid", [new(null, "accounts", null)]));

        const string Expected =
            "8d3c1a4e-1111-4222-8333-944455556666,8d3c1a4e-1111-4222-8333-944455556667,"
            + "8d3c1a4e-1111-4222-8333-944455556668";
        Assert.Equal(
            Expected,
            await Database.ScalarAsync<string>("SELECT string_agg(id::text, ',' ORDER BY id) FROM accounts")
        );
        Assert.Equal(
            Expected,
            await Database.ScalarAsync<string>(
                "SELECT string_agg(account_id::text, ',' ORDER BY account_id) FROM logins WHERE pg_typeof(account_id) "
                    + "= 'uuid'::regtype"
            )
        );
    }

    [Theory]
    [InlineData("nosuch", null, "varchar(36)", "TableNotFound")]
    [InlineData("users", "nosuch", "varchar(36)", "ColumnNotFound")]
    [InlineData("users", "manager_id", "varchar(36)", "NotAKey")]
    [InlineData("memberships", null, "varchar(36)", "NotAKey")]
    [InlineData("users", null, "varchar(10)", "TargetTypeTooShort")]
    [InlineData("users", null, "integer", "UnsupportedTargetType")]
    public async Task Bad_input_is_a_clear_error(string table, string? column, string to, string errorId)
    {
        await Database.ExecuteAsync(IncidentSchema.Sql);

        var error = await Assert.ThrowsAsync<RecoveryException>(() => PlanAsync(to, [new(null, table, column)]));

        Assert.Equal(errorId, error.ErrorId);
    }

    [Fact]
    public async Task The_primary_key_is_the_default_root_and_a_wider_text_key_is_never_narrowed()
    {
        await Database.ExecuteAsync(
            """
            CREATE TABLE accounts (email varchar(255) CONSTRAINT accounts_email_key UNIQUE, id uuid PRIMARY KEY);
            CREATE TABLE logins (account_id uuid REFERENCES accounts (id), email varchar(255) REFERENCES accounts (email));
            """
        );

        var plan = await PlanAsync(roots: [new(null, "accounts", null)]);
        var error = await Assert.ThrowsAsync<RecoveryException>(() =>
            PlanAsync(roots: [new(null, "accounts", "email")])
        );

        Assert.Equal(
            ["public.accounts.id", "public.logins.account_id"],
            plan.Columns.Select(c => $"{c.Schema}.{c.Table}.{c.Column}")
        );
        Assert.Equal("UnsupportedSourceType", error.ErrorId);
    }

    [Fact]
    public async Task Objects_it_cannot_carry_block_the_plan_naming_them()
    {
        await Database.ExecuteAsync(
            """
            CREATE TABLE accounts (id uuid PRIMARY KEY);
            CREATE TABLE logins (account_id uuid REFERENCES accounts (id), at date) PARTITION BY LIST (account_id);
            CREATE INDEX accounts_text_idx ON accounts ((id::text));
            """
        );

        var error = await Assert.ThrowsAsync<RecoveryException>(() => PlanAsync(roots: [new(null, "accounts", null)]));

        Assert.Equal("ConversionBlocked", error.ErrorId);
        Assert.Contains("public.logins.account_id is a partition key", error.Message, StringComparison.Ordinal);
        Assert.Contains("accounts_text_idx (index with an expression)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(12)]
    [InlineData(20)]
    public async Task A_terminated_backend_leaves_everything_as_it_was_and_a_rerun_succeeds(int failAtStep)
    {
        await Database.ExecuteAsync(IncidentSchema.Sql);
        var before = SchemaStateJson.Serialize(await SnapshotAsync() with { CapturedAt = default });
        var ids = await IdsAsync();
        var plan = await PlanAsync();

        var error = await Assert.ThrowsAsync<RecoveryException>(() => ApplyAsync(plan, async step =>
            {
                if (step == Math.Min(failAtStep, plan.Steps.Count - 1))
                {
                    await Database.ExecuteAsync(
                        $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{Database.Name}' "
                            + "AND application_name = 'DbRecovery' AND state LIKE 'idle in transaction%'"
                    );
                }
            }));

        Assert.Equal(FailureKind.ConnectionError, error.Kind);
        Assert.Equal(before, SchemaStateJson.Serialize(await SnapshotAsync() with { CapturedAt = default }));
        Assert.Equal(ids, await IdsAsync());
        await ApplyAsync(await PlanAsync());
        Assert.Equal(
            "character varying(36)",
            (await SnapshotAsync()).FindTable("public", "users")!.FindColumn("id")!.Type
        );
    }

    [Fact]
    public async Task A_lock_held_elsewhere_times_out_naming_the_table_and_the_blocking_pid()
    {
        await Database.ExecuteAsync(IncidentSchema.Sql);
        await using var blocker = await Database.OpenAsync();
        await using (var begin = new Npgsql.NpgsqlCommand("BEGIN; LOCK TABLE deals IN ACCESS SHARE MODE", blocker))
        {
            await begin.ExecuteNonQueryAsync();
        }

        var plan = await PlanAsync();
        var error = await Assert.ThrowsAsync<RecoveryException>(() =>
            ApplyAsync(plan, lockTimeout: TimeSpan.FromMilliseconds(500))
        );

        Assert.Equal("LockTimeout", error.ErrorId);
        Assert.Contains("public.deals", error.Message, StringComparison.Ordinal);
        Assert.Contains($"pid {blocker.ProcessID}", error.Message, StringComparison.Ordinal);
        Assert.Equal("uuid", (await SnapshotAsync()).FindTable("public", "users")!.FindColumn("id")!.Type);
    }

    [Fact]
    public async Task A_crash_between_commit_and_validation_is_visible_and_a_rerun_finishes_it()
    {
        await Database.ExecuteAsync(IncidentSchema.Sql);
        var plan = await PlanAsync();

        await ApplyAsync(plan with { Steps = plan.Steps.Where(s => s.Phase == StepPhase.InTransaction).ToList() });
        var interrupted = await SnapshotAsync();
        var rerun = await PlanAsync();
        await ApplyAsync(rerun);
        var finished = await SnapshotAsync();

        Assert.Contains(interrupted.ForeignKeys, f => !f.IsValidated && f.Name == "users_manager_fk");
        Assert.NotEmpty(rerun.Steps);
        Assert.All(rerun.Steps, s => Assert.Equal(StepKind.Validate, s.Kind));
        Assert.All(finished.ForeignKeys.Where(f => f.Name != "notes_user_fk"), f => Assert.True(f.IsValidated));
        Assert.Equal(
            0L,
            await Database.ScalarAsync<long>(
                "SELECT count(*) FROM pg_constraint WHERE obj_description(oid, 'pg_constraint') IS NOT NULL"
            )
        );
    }
}
