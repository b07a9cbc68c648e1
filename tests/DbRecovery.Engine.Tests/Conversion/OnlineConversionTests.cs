using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Conversion;
using DbRecovery.Engine.Conversion.Online;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Journal;
using DbRecovery.Engine.Plans;
using DbRecovery.TestSupport;

namespace DbRecovery.Engine.Tests.Conversion;

public sealed class OnlineConversionTests : DatabaseTest, IDisposable
{
    private static readonly ConversionRoot[] Roots = [new(null, "users", null), new(null, "organizations", null)];

    /// <summary>
    /// The incident's schema without its materialized view, which the online path refuses (it would be refilled under
    /// the swap's lock).
    /// </summary>
    private static readonly string OnlineIncident =
        IncidentSchema.Sql
        + "\nDROP MATERIALIZED VIEW deals_per_owner;\nINSERT INTO deals (organization_id, owner_id, title) SELECT "
        + "organization_id, id, 'bulk' FROM users, generate_series(1, 150);";

    /// <summary>
    /// A second, independently written project: text keys referenced through a unique non-primary key, a DESC
    /// index with INCLUDE, a partial index, a deferrable unique key, comments on a key column, an index and a key.
    /// </summary>
    private const string SecondProject = """
        CREATE SCHEMA crm;
        CREATE TABLE crm.accounts (id varchar(36) PRIMARY KEY DEFAULT gen_random_uuid()::text, external_ref varchar(36) NOT NULL CONSTRAINT accounts_external_ref_key UNIQUE, name text);
        COMMENT ON COLUMN crm.accounts.id IS 'The account''s key';
        COMMENT ON CONSTRAINT accounts_pkey ON crm.accounts IS 'Primary key';
        CREATE TABLE crm.contacts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, account_id varchar(36) NOT NULL REFERENCES crm.accounts (id) ON DELETE CASCADE,
            account_ref varchar(36) REFERENCES crm.accounts (external_ref), email text NOT NULL, deleted boolean NOT NULL DEFAULT false,
            CONSTRAINT contacts_one_email_key UNIQUE (account_id, email) DEFERRABLE INITIALLY DEFERRED);
        CREATE INDEX contacts_account_recent_idx ON crm.contacts (account_id DESC) INCLUDE (email) WITH (fillfactor = 80);
        CREATE INDEX contacts_live_idx ON crm.contacts (account_ref) WHERE NOT deleted;
        COMMENT ON INDEX crm.contacts_live_idx IS 'Live contacts';
        INSERT INTO crm.accounts (external_ref, name) SELECT gen_random_uuid()::text, 'account ' || g FROM generate_series(1, 300) g;
        INSERT INTO crm.contacts (account_id, account_ref, email) SELECT id, external_ref, name || '-' || g || '@example.test' FROM crm.accounts, generate_series(1, 5) g;
        """;

    private readonly string _journalPath = Path.Combine(Path.GetTempPath(), $"dbr-journal-{Guid.NewGuid():N}.jsonl");

    public void Dispose() => File.Delete(_journalPath);

    private ConnectionTarget Target => ConnectionTarget.Parse(Database.Url);

    private JournalContext Journal =>
        new(new RecoveryJournal(_journalPath), "Convert-IdColumns", new Dictionary<string, string>());

    private Task<OnlineConversionPlan> PlanAsync(
        string to = "varchar(36)",
        IReadOnlyList<ConversionRoot>? roots = null,
        int batchSize = 50,
        int jobs = 2
    ) =>
        OnlineConversion.PlanAsync(
            Target,
            roots ?? Roots,
            to,
            new OnlineThrottle(batchSize, TimeSpan.FromMilliseconds(batchSize < 50 ? 20 : 0), Jobs: jobs),
            Log,
            CancellationToken.None
        );

    private Task<IReadOnlyList<ColumnConversion>> ApplyAsync(
        OnlineConversionPlan plan,
        Func<int, Task>? beforeStep = null,
        CancellationToken cancellationToken = default
    ) =>
        OnlineConversion.ApplyAsync(
            Target.WithLockTimeout(TimeSpan.FromMilliseconds(500)),
            plan,
            Journal,
            Log,
            cancellationToken,
            beforeStep
        );

    private async Task AbortAsync() =>
        await OnlineConversion.AbortAsync(
            Target.WithLockTimeout(TimeSpan.FromMilliseconds(500)),
            await OnlineConversion.PlanAbortAsync(Target, Log, CancellationToken.None),
            Journal,
            Log,
            CancellationToken.None
        );

    /// <summary>
    /// Everything the application can see of the schema, with columns by name (the online path moves converted columns
    /// to the end).
    /// </summary>
    private async Task<string> VisibleAsync(TestDatabase? database = null)
    {
        SchemaState state;
        await using (
            var session = await DatabaseSession.OpenAsync(
                ConnectionTarget.Parse((database ?? Database).Url),
                Log,
                CancellationToken.None
            )
        )
        await using (var transaction = await session.BeginReadOnlyAsync(CancellationToken.None))
        {
            state = await SchemaReader.ReadAsync(transaction, new SchemaReadOptions(), CancellationToken.None);
        }

        return string.Join(
                "\n",
                state.Tables.SelectMany(t =>
                    t.Columns.Select(c =>
                            $"col {t.Schema}.{t.Name}.{c.Name} {c.Type} null={c.IsNullable} default={c.Default}"
                        )
                        .Order(StringComparer.Ordinal)
                        .Concat(t.ForeignKeys.Select(f => $"fk {t.Name} {f.Name} {f.Definition} {f.IsValidated}"))
                        .Concat(t.Indexes.Select(i => $"ix {i.Definition}"))
                        .Concat(t.Constraints.Select(c => $"c {c.Name} {c.Definition}"))
                        .Concat(t.Triggers.Select(g => $"tg {g.Definition}"))
                        .Concat(t.Policies.Select(p => $"pol {p.Name} {p.Using}"))
                )
            )
            + "\n"
            + string.Join(
                "\n",
                state.Views.Select(v =>
                    $"view {v.Schema}.{v.Name} {v.Owner} {DefinitionText.WithoutCasts(v.Definition)}"
                )
            )
            + "\n"
            + await CommentsAsync(database ?? Database);
    }

    private static Task<string> CommentsAsync(TestDatabase database) =>
        database.ScalarAsync<string>(
            """
            SELECT COALESCE(string_agg(line, E'\n' ORDER BY line), '') FROM (
                SELECT d.classoid::regclass || ' ' || COALESCE(c.relname, k.conname, '') || ' ' || COALESCE(a.attname, '') || ' ' || d.description AS line
                FROM pg_description d LEFT JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND c.oid = d.objoid
                LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0
                LEFT JOIN pg_constraint k ON d.classoid = 'pg_constraint'::regclass AND k.oid = d.objoid
                WHERE d.classoid IN ('pg_class'::regclass, 'pg_constraint'::regclass) AND (c.relnamespace IS NULL OR c.relnamespace <> 'pg_catalog'::regnamespace)) x
            """
        );

    /// <summary>
    /// The same schema converted offline, in a database of its own: the end state the online path must reach.
    /// </summary>
    private async Task<string> OfflineAsync(string sql, IReadOnlyList<ConversionRoot> roots, string to)
    {
        await using var other = await Database.Server.CreateDatabaseAsync();
        await other.ExecuteAsync(sql);
        var target = ConnectionTarget.Parse(other.Url);
        var plan = await IdConversion.PlanAsync(target, roots, to, Log, CancellationToken.None);
        await IdConversion.ApplyAsync(target, plan, Journal, Log, CancellationToken.None);
        return await VisibleAsync(other);
    }

    private Task<string> TypesAsync(IEnumerable<PlannedColumn> columns) =>
        Database.ScalarAsync<string>(
            "SELECT string_agg(DISTINCT format_type(a.atttypid, a.atttypmod), ',') FROM pg_attribute a JOIN pg_class "
                + "c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE (n.nspname, c.relname, "
                + "a.attname) IN ("
                + string.Join(", ", columns.Select(c => $"('{c.Schema}', '{c.Table}', '{c.Column}')"))
                + ")"
        );

    private Task TerminateConversionAsync(string state = "%") =>
        Database.ExecuteAsync(
            $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{Database.Name}' AND "
                + $"application_name = 'DbRecovery' AND state LIKE '{state}'"
        );

    [Fact]
    public async Task Reaches_the_offline_end_state_while_the_application_keeps_writing()
    {
        await Database.ExecuteAsync(OnlineIncident);
        var offline = await OfflineAsync(OnlineIncident, Roots, "varchar(36)");
        var plan = await PlanAsync();
        var untouched = await Database.ScalarAsync<string>(
            "SELECT md5(string_agg(id::text || organization_id::text, ',' ORDER BY id::text)) FROM users"
        );

        var workload = await ApplicationWorkload.StartAsync(
            Database.ConnectionString,
            4,
            TimeSpan.FromMilliseconds(10)
        );
        var results = await ApplyAsync(plan);
        var report = await workload.StopAsync();

        Assert.Empty(report.Errors);
        Assert.True(report.UsersInserted > 0);
        Assert.Empty(await workload.CheckRowsAsync());
        Assert.Equal(offline, await VisibleAsync());
        Assert.Equal(
            IncidentSchema.LinkedColumns,
            results.Select(r => $"{r.Schema}.{r.Table}.{r.Column}").Order(StringComparer.Ordinal)
        );
        // A deal updated while the backfill runs (by the application, or by the backfill itself in another chunk) may
        // move to a page the backfill has not reached and be counted again there, so at most twice.
        Assert.InRange(
            results.Single(r => r.Table == "deals" && r.Column == "owner_id").Rows,
            36 + (12 * 150),
            2 * (36 + (12 * 150) + (2L * report.UsersInserted))
        );
        Assert.Equal(
            0L,
            await Database.ScalarAsync<long>("SELECT count(*) FROM pg_namespace WHERE nspname = '_dbrecovery'")
        );
        Assert.Equal(
            0L,
            await Database.ScalarAsync<long>(
                "SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE c.relkind = 'r' AND "
                    + "a.attname LIKE '%\\_\\_dbr\\_%' AND NOT a.attisdropped"
            )
        );
        Assert.Equal(
            0L,
            await Database.ScalarAsync<long>(
                "SELECT count(*) FROM pg_constraint WHERE obj_description(oid, 'pg_constraint') IS NOT NULL"
            )
        );
        Assert.Equal(
            "Committed",
            Assert
                .Single(new RecoveryJournal(_journalPath).Read(), e =>
                    e.Operation == "Convert-IdColumns"
                    && e.Sql.Any(s => s.Contains("CONCURRENTLY", StringComparison.Ordinal))
                )
                .Outcome
        );
        Assert.True((await PlanAsync()).IsEmpty);
        Assert.Equal(
            untouched,
            await Database.ScalarAsync<string>(
                "SELECT md5(string_agg(id::text || organization_id::text, ',' ORDER BY id::text)) FROM users WHERE "
                    + "email NOT LIKE 'workload-%'"
            )
        );
    }

    [Fact]
    public async Task An_application_role_of_its_own_keeps_writing_where_functions_are_not_executable_by_default()
    {
        var role = "app_" + Database.Name;
        await Database.ExecuteAsync(
            OnlineIncident
                + $"""
                CREATE ROLE {role} LOGIN PASSWORD 'invented-app-password';
                GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO {role};
                ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
                """
        );
        try
        {
            var app = new Npgsql.NpgsqlConnectionStringBuilder(Database.ConnectionString)
            {
                Username = role,
                Password = "invented-app-password",
            };
            var workload = await ApplicationWorkload.StartAsync(app.ConnectionString, 3, TimeSpan.FromMilliseconds(10));
            await ApplyAsync(await PlanAsync(batchSize: 20));
            var report = await workload.StopAsync();

            Assert.Empty(report.Errors);
            Assert.True(report.UsersInserted > 0);
            Assert.Empty(await workload.CheckRowsAsync());
        }
        finally
        {
            await Database.ExecuteAsync(
                $"ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO PUBLIC; DROP OWNED BY {role}; DROP ROLE {role}"
            );
        }
    }

    [Fact]
    public async Task Keeps_every_value_and_converts_a_second_project_with_text_keys_to_uuid()
    {
        await Database.ExecuteAsync(SecondProject);
        var roots = new ConversionRoot[] { new("crm", "accounts", null), new("crm", "accounts", "external_ref") };
        var offline = await OfflineAsync(SecondProject, roots, "uuid");
        var before = await Database.ScalarAsync<string>(
            "SELECT md5(string_agg(a.id || a.external_ref || c.account_id || c.account_ref, ',' ORDER BY c.id)) FROM "
                + "crm.contacts c JOIN crm.accounts a ON a.id = c.account_id"
        );
        var plan = await PlanAsync("uuid", roots);

        await ApplyAsync(plan);

        Assert.Equal(offline, await VisibleAsync());
        Assert.Equal(
            before,
            await Database.ScalarAsync<string>(
                "SELECT md5(string_agg(a.id::text || a.external_ref || c.account_id || c.account_ref, ',' ORDER BY "
                    + "c.id)) FROM crm.contacts c JOIN crm.accounts a ON a.id = c.account_id"
            )
        );
        Assert.Equal(
            "Live contacts",
            await Database.ScalarAsync<string>("SELECT obj_description('crm.contacts_live_idx'::regclass, 'pg_class')")
        );
        Assert.Equal(
            "The account's key",
            await Database.ScalarAsync<string>(
                "SELECT col_description('crm.accounts'::regclass, (SELECT attnum FROM pg_attribute WHERE attrelid = "
                    + "'crm.accounts'::regclass AND attname = 'id'))"
            )
        );
        Assert.Equal(
            "name",
            await Database.ScalarAsync<string>(
                "SELECT attname FROM pg_attribute WHERE attrelid = 'crm.accounts'::regclass AND attnum > 0 AND NOT "
                    + "attisdropped ORDER BY attnum LIMIT 1"
            )
        );
    }

    [Fact]
    public async Task The_plan_shows_every_phase_as_sql_and_says_the_columns_move_to_the_end()
    {
        await Database.ExecuteAsync(OnlineIncident);

        var plan = await PlanAsync();
        var script = plan.ToScript(TimeSpan.FromSeconds(1));

        Assert.Contains(plan.Warnings, w =>
            w.StartsWith("Online, the converted columns move to the end of their tables", StringComparison.Ordinal)
        );
        Assert.Contains("SET lock_timeout = '1000ms';", script, StringComparison.Ordinal);
        Assert.Contains(
            "ADD COLUMN IF NOT EXISTS \"id__dbr_new\" character varying(36)",
            script,
            StringComparison.Ordinal
        );
        Assert.Contains(
            "CREATE OR REPLACE TRIGGER \"zzzz_dbrecovery_sync\" BEFORE INSERT OR UPDATE ON \"public\".\"users\"",
            script,
            StringComparison.Ordinal
        );
        Assert.Contains(
            "-- one transaction a batch, in two passes: first the rows beyond line pointer \"cut\" of each page\n"
                + "-- (their new versions go to other pages), then the rest, updated in place in the room they left\n"
                + "DO $dbrecovery$",
            script.ReplaceLineEndings("\n"),
            StringComparison.Ordinal
        );
        Assert.Contains("EXECUTE 'UPDATE \"public\".\"deals\" SET", script, StringComparison.Ordinal);
        Assert.Contains(
            "-- also set to themselves: \"organization_id\", \"user_id\" (otherwise PostgreSQL runs bottom-up "
                + "deletion\n-- on their indexes, which the swap drops)\n-- one transaction a batch, in two passes:",
            script.ReplaceLineEndings("\n"),
            StringComparison.Ordinal
        );
        Assert.Contains(
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"memberships_pkey__dbr\" ON \"public\".\"memberships\" "
                + "USING \"btree\" (\"organization_id__dbr_new\", \"user_id__dbr_new\")",
            script,
            StringComparison.Ordinal
        );
        Assert.Contains(
            "ALTER TABLE \"public\".\"deals\" VALIDATE CONSTRAINT \"deals__dbr_check\"",
            script,
            StringComparison.Ordinal
        );
        Assert.Contains(
            "ADD CONSTRAINT \"users_pkey\" PRIMARY KEY USING INDEX \"users_pkey__dbr\"",
            script,
            StringComparison.Ordinal
        );
        Assert.Contains(
            "ALTER INDEX \"public\".\"deals_owner_idx__dbr\" RENAME TO \"deals_owner_idx\"",
            script,
            StringComparison.Ordinal
        );
        Assert.Contains("DROP COLUMN IF EXISTS \"owner_id__dbr_old\"", script, StringComparison.Ordinal);
        var swap = plan
            .Steps.SkipWhile(s => s.Phase == StepPhase.Online)
            .TakeWhile(s => s.Phase == StepPhase.InTransaction)
            .ToList();
        Assert.Equal(StepKind.Lock, swap[0].Kind);
        Assert.DoesNotContain(swap, s =>
            s.Kind is StepKind.Rewrite or StepKind.Backfill or StepKind.Index
            || (s.Sql ?? string.Empty).Contains(" TYPE ", StringComparison.Ordinal)
        );
        Assert.Equal(
            [StepPhase.Online, StepPhase.InTransaction, StepPhase.Online, StepPhase.AfterCommit],
            plan.Steps.Select(s => s.Phase).Where((p, i) => i == 0 || p != plan.Steps[i - 1].Phase)
        );
        Assert.NotEmpty(plan.InverseSteps);
        Assert.Contains(
            "ADD COLUMN IF NOT EXISTS \"id__dbr_new\" uuid",
            plan.ToInverseScript(TimeSpan.FromSeconds(1)),
            StringComparison.Ordinal
        );
    }

    /// <summary>
    /// The script -AsScript writes is the conversion: psql runs it (CONCURRENTLY outside transactions, the backfill as
    /// a DO loop) to the offline end state.
    /// </summary>
    [Fact]
    public async Task The_online_script_run_by_psql_reaches_the_offline_end_state()
    {
        await Database.ExecuteAsync(OnlineIncident);
        var offline = await OfflineAsync(OnlineIncident, Roots, "varchar(36)");
        var script = Path.Combine(Path.GetTempPath(), $"dbr-online-{Guid.NewGuid():N}.sql");
        await File.WriteAllTextAsync(script, (await PlanAsync()).ToScript(TimeSpan.FromSeconds(5)));
        try
        {
            var psql = Database.Server.Cluster is { } cluster ? Path.Combine(cluster.BinDirectory, "psql") : "psql";
            using var process = System.Diagnostics.Process.Start(
                new System.Diagnostics.ProcessStartInfo(
                    psql,
                    ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", Database.Url, "-f", script]
                )
                {
                    RedirectStandardError = true,
                    RedirectStandardOutput = true,
                }
            )!;
            var errors = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();

            Assert.True(
                process.ExitCode == 0,
                errors.Replace(Database.Settings.Password!, "********", StringComparison.Ordinal)
            );
        }
        finally
        {
            File.Delete(script);
        }

        Assert.Equal(offline, await VisibleAsync());
    }

    [Fact]
    public async Task Refuses_what_it_cannot_do_safely_naming_the_offline_conversion()
    {
        await Database.ExecuteAsync(
            IncidentSchema.Sql
                + """
                ALTER TABLE documents ADD CONSTRAINT documents_uploader_check CHECK (uploaded_by <> '00000000-0000-0000-0000-000000000000');
                CREATE PUBLICATION documents_pub FOR TABLE documents;
                """
        );

        var error = await Assert.ThrowsAsync<RecoveryException>(() => PlanAsync());

        Assert.Equal("OnlineConversionBlocked", error.ErrorId);
        Assert.Contains(
            "materialized view public.deals_per_owner would have to be refilled inside the swap's lock",
            error.Message,
            StringComparison.Ordinal
        );
        Assert.Contains(
            "CHECK constraint documents_uploader_check on public.documents names a converted column",
            error.Message,
            StringComparison.Ordinal
        );
        Assert.Contains("public.documents is published (documents_pub)", error.Message, StringComparison.Ordinal);
        Assert.Contains("Convert without -Online instead", error.Message, StringComparison.Ordinal);
        Assert.Equal(
            0L,
            await Database.ScalarAsync<long>("SELECT count(*) FROM pg_namespace WHERE nspname = '_dbrecovery'")
        );
        await Database.ExecuteAsync("DROP PUBLICATION documents_pub");
    }

    [Fact]
    public async Task Refuses_partitioned_tables()
    {
        await Database.ExecuteAsync(
            """
            CREATE TABLE accounts (id uuid PRIMARY KEY);
            CREATE TABLE logins (id bigint, account_id uuid REFERENCES accounts (id), at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
            CREATE TABLE logins_2024 PARTITION OF logins FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            """
        );

        var error = await Assert.ThrowsAsync<RecoveryException>(() => PlanAsync(roots: [new(null, "accounts", null)]));

        Assert.Equal("OnlineConversionBlocked", error.ErrorId);
        Assert.Contains("public.logins is partitioned", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Waits_out_a_long_transaction_in_short_tries_instead_of_queueing_behind_it()
    {
        await Database.ExecuteAsync(OnlineIncident);
        var plan = await PlanAsync();
        await using var blocker = await Database.OpenAsync();
        await using (var begin = new Npgsql.NpgsqlCommand("BEGIN; SELECT count(*) FROM users", blocker))
        {
            await begin.ExecuteNonQueryAsync();
        }

        var conversion = ApplyAsync(plan);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var waitedWithoutBlocking = await Database.ScalarAsync<long>("SELECT count(*) FROM users");
        await using (var commit = new Npgsql.NpgsqlCommand("COMMIT", blocker))
        {
            await commit.ExecuteNonQueryAsync();
        }

        await conversion;
        Assert.True(waitedWithoutBlocking > 0);
        Assert.Contains("A lock was not granted within lock_timeout (try 1 of", Log.All, StringComparison.Ordinal);
        Assert.Equal(
            "character varying(36)",
            await Database.ScalarAsync<string>(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'users'::regclass AND "
                    + "attname = 'id'"
            )
        );
    }

    [Fact]
    public async Task A_row_locked_longer_than_lock_timeout_stalls_one_batch_and_the_backfill_retries_it()
    {
        await Database.ExecuteAsync(OnlineIncident);
        var plan = await OnlineConversion.PlanAsync(
            Target,
            Roots,
            "varchar(36)",
            new OnlineThrottle(10, TimeSpan.FromMilliseconds(100), Jobs: 1),
            Log,
            CancellationToken.None
        );
        var conversion = ApplyAsync(plan);
        await Database.WaitUntilAsync(
            "EXISTS (SELECT FROM _dbrecovery.online_backfill WHERE table_name = 'deals' AND rows_done > 0)"
        );
        await using var holder = await Database.OpenAsync();
        await using (
            var lockRow = new Npgsql.NpgsqlCommand(
                "BEGIN; SELECT id FROM deals WHERE owner_id__dbr_new IS NULL AND owner_id IS NOT NULL ORDER BY ctid "
                    + "DESC LIMIT 1 FOR UPDATE",
                holder
            )
        )
        {
            await lockRow.ExecuteNonQueryAsync();
        }

        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (
            !Log.All.Contains("A lock was not granted within lock_timeout (try 1 of", StringComparison.Ordinal)
            && DateTime.UtcNow < deadline
        )
        {
            await Task.Delay(50);
        }

        await using (var commit = new Npgsql.NpgsqlCommand("COMMIT", holder))
        {
            await commit.ExecuteNonQueryAsync();
        }

        await conversion;
        Assert.Contains("A lock was not granted within lock_timeout (try 1 of", Log.All, StringComparison.Ordinal);
        Assert.Equal(
            "character varying(36)",
            await Database.ScalarAsync<string>(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'deals'::regclass AND "
                    + "attname = 'owner_id'"
            )
        );
    }

    public static TheoryData<string, bool> Faults =>
        new()
        {
            { "expand", false },
            { "expand", true },
            { "backfill", false },
            { "backfill", true },
            { "index", false },
            { "index", true },
            { "validation", false },
            { "validation", true },
            { "swap", false },
            { "swap", true },
            { "contract", false },
        };

    /// <summary>
    /// Kills the conversion at a point of each phase, with the application writing throughout: before the swap commits
    /// the application sees only the original types, after it only the converted ones; a rerun finishes to the offline
    /// end state, or -Abort (before the swap) leaves the original exactly as it was; the workload's rows are all there.
    /// </summary>
    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_kill_in_any_phase_leaves_one_consistent_schema_and_a_rerun_or_abort_finishes(
        string phase,
        bool abort
    )
    {
        await Database.ExecuteAsync(OnlineIncident);
        var original = await VisibleAsync();
        var plan = await PlanAsync(batchSize: 20);
        var source = await TypesAsync(plan.Columns);
        int Index(Func<PlanStep, bool> match, int skip = 0) =>
            plan.Steps.Select((s, i) => (s, i)).Where(x => match(x.s)).Skip(skip).First().i;
        var killAt = phase switch
        {
            "expand" => Index(s => s.Kind == StepKind.Create && s.Phase == StepPhase.Online, 3),
            "validation" => Index(s => s.Kind == StepKind.Validate && s.Phase == StepPhase.Online, 1),
            "swap" => Index(s => s.Kind == StepKind.Swap, 2),
            "contract" => Index(s => s.Kind == StepKind.Destroy, 1),
            _ => -1,
        };
        var workload = await ApplicationWorkload.StartAsync(
            Database.ConnectionString,
            2,
            TimeSpan.FromMilliseconds(15)
        );
        using var cancel = new CancellationTokenSource();
        var killer = phase switch
        {
            "backfill" => KillDuringAsync(
                "EXISTS (SELECT FROM _dbrecovery.online_backfill WHERE rows_done > 0 AND done_at IS NULL)"
            ),
            "index" => KillDuringAsync(
                "EXISTS (SELECT FROM pg_stat_progress_create_index p JOIN pg_stat_activity a ON a.pid = p.pid WHERE "
                    + "a.application_name = 'DbRecovery' AND p.datname = current_database() AND "
                    + "p.command = 'CREATE INDEX CONCURRENTLY')",
                holdSnapshot: true
            ),
            _ => Task.CompletedTask,
        };

        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            ApplyAsync(
                plan,
                async step =>
                {
                    if (step == killAt)
                    {
                        await TerminateConversionAsync(
                            plan.Steps[step].Phase == StepPhase.InTransaction ? "idle in transaction%" : "%"
                        );
                    }
                },
                cancel.Token
            )
        );
        await killer;

        Assert.True(
            error is RecoveryException { Kind: FailureKind.ConnectionError } or OperationCanceledException,
            error.ToString()
        );
        if (error is RecoveryException interrupted)
        {
            Assert.EndsWith(OnlineConversion.Resume, interrupted.Message, StringComparison.Ordinal);
        }
        var types = await TypesAsync(plan.Columns);
        Assert.Equal(phase == "contract" ? "character varying(36)" : source, types);
        if (abort)
        {
            await AbortAsync();
            var report = await workload.StopAsync();
            Assert.Empty(report.Errors);
            Assert.Empty(await workload.CheckRowsAsync());
            Assert.Equal(original, await VisibleAsync());
            Assert.Equal(
                0L,
                await Database.ScalarAsync<long>("SELECT count(*) FROM pg_namespace WHERE nspname = '_dbrecovery'")
            );
            Assert.Equal(
                0L,
                await Database.ScalarAsync<long>("SELECT count(*) FROM pg_proc WHERE proname LIKE 'sync\\_%'")
            );
        }
        else
        {
            var rerun = await PlanAsync(batchSize: 20);
            Assert.True(rerun.Resumes);
            await ApplyAsync(rerun);
            var report = await workload.StopAsync();
            Assert.Empty(report.Errors);
            Assert.Empty(await workload.CheckRowsAsync());
            Assert.Equal(await OfflineAsync(OnlineIncident, Roots, "varchar(36)"), await VisibleAsync());
        }
    }

    [Fact]
    public async Task A_cancelled_backfill_resumes_where_it_stopped()
    {
        await Database.ExecuteAsync(OnlineIncident);
        var plan = await PlanAsync(batchSize: 10, jobs: 1);
        using var cancel = new CancellationTokenSource();

        var watcher = Task.Run(async () =>
        {
            await Database.WaitUntilAsync(
                "EXISTS (SELECT FROM _dbrecovery.online_backfill WHERE table_name = 'deals' AND rows_done > 0 AND "
                    + "done_at IS NULL)"
            );
            await cancel.CancelAsync();
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            ApplyAsync(plan, cancellationToken: cancel.Token)
        );
        await watcher;
        var stopped = await Database.ScalarAsync<string>(
            "SELECT chunk || ' ' || next_page FROM _dbrecovery.online_backfill WHERE table_name = 'deals' AND "
                + "rows_done > 0 AND done_at IS NULL ORDER BY chunk LIMIT 1"
        );
        var rerun = await PlanAsync(batchSize: 10, jobs: 1);
        await ApplyAsync(rerun);

        var (chunk, next) = (stopped.Split(' ')[0], stopped.Split(' ')[1]);
        Assert.NotEqual("0", next);
        Assert.True(rerun.Resumes);
        Assert.Matches($@"public\.deals chunk {chunk}: backfilled \d+ rows over pages {next} to \d+", Log.All);
    }

    /// <summary>
    /// The backfill sets a column an index the swap drops is on to itself (so PostgreSQL does not treat the entries as
    /// unchanged and run bottom-up deletion on that index), but never a column an UPDATE OF trigger names: the
    /// incident's trigger on deals.owner_id, here counting its calls, is not fired by the backfill.
    /// </summary>
    [Fact]
    public async Task The_backfill_sets_indexed_columns_to_themselves_but_fires_no_UPDATE_OF_trigger()
    {
        await Database.ExecuteAsync(
            OnlineIncident
                + """

                CREATE TABLE owner_changes (deal_id uuid);
                CREATE OR REPLACE FUNCTION touch_deal() RETURNS trigger LANGUAGE plpgsql AS
                    $$BEGIN INSERT INTO owner_changes VALUES (NEW.id); RETURN NEW; END$$;
                """
        );

        var plan = await PlanAsync();
        var batches = plan
            .Steps.OfType<BackfillStep>()
            .ToDictionary(b => b.Table.Table, b => b.Batch, StringComparer.Ordinal);
        await ApplyAsync(plan);
        await Database.ExecuteAsync("UPDATE deals SET owner_id = created_by WHERE title = 'deal 1'");

        Assert.Contains("\"id\" = \"id\"", batches["users"], StringComparison.Ordinal);
        Assert.Contains(
            "\"organization_id\" = \"organization_id\", \"user_id\" = \"user_id\"",
            batches["memberships"],
            StringComparison.Ordinal
        );
        Assert.DoesNotContain("\"owner_id\" = \"owner_id\"", batches["deals"], StringComparison.Ordinal);
        Assert.DoesNotContain("\"created_by\" = \"created_by\"", batches["deals"], StringComparison.Ordinal);
        Assert.Equal(
            await Database.ScalarAsync<long>("SELECT count(*) FROM deals WHERE title = 'deal 1'"),
            await Database.ScalarAsync<long>("SELECT count(*) FROM owner_changes")
        );
        Assert.Equal(
            "character varying",
            await Database.ScalarAsync<string>(
                "SELECT data_type FROM information_schema.columns WHERE table_name = 'deals' AND column_name = "
                    + "'owner_id'"
            )
        );
    }

    /// <summary>
    /// The checks before the swap commits read the catalog as the swap left it: a twin index rebuilt on another column
    /// and a NOT NULL added to a shadow behind the conversion's back roll the swap back, and abort removes what the
    /// conversion added.
    /// </summary>
    [Fact]
    public async Task A_twin_index_or_a_NOT_NULL_changed_behind_its_back_rolls_the_swap_back()
    {
        await Database.ExecuteAsync(OnlineIncident);
        var before = await VisibleAsync();
        var plan = await PlanAsync();
        var swap = plan.Steps.Select((step, i) => (step, i)).First(x => x.step.Kind == StepKind.Lock).i;

        var error = await Assert.ThrowsAsync<RecoveryException>(() =>
            ApplyAsync(plan, step =>
                step == swap
                    ? Database.ExecuteAsync(
                        "DROP INDEX deals_owner_idx__dbr; CREATE INDEX deals_owner_idx__dbr ON deals (title); "
                            + "ALTER TABLE deals ALTER COLUMN owner_id__dbr_new SET NOT NULL"
                    )
                    : Task.CompletedTask
            )
        );

        Assert.Equal("ConversionVerificationFailed", error.ErrorId);
        Assert.Contains(
            "index public.deals.deals_owner_idx: expected 'CREATE INDEX deals_owner_idx ON public.deals USING btree "
                + "(owner_id)', found 'CREATE INDEX deals_owner_idx ON public.deals USING btree (title)'",
            error.Message,
            StringComparison.Ordinal
        );
        Assert.Contains(
            "public.deals.owner_id: expected nullable, found NOT NULL",
            error.Message,
            StringComparison.Ordinal
        );
        Assert.Equal("uuid", await Database.ScalarAsync<string>("SELECT pg_typeof(owner_id)::text FROM deals LIMIT 1"));
        await AbortAsync();
        await Database.ExecuteAsync("DROP INDEX deals_owner_idx__dbr");
        Assert.Equal(before, await VisibleAsync());
    }

    [Fact]
    public async Task Another_unfinished_conversion_is_refused_and_abort_needs_one()
    {
        await Database.ExecuteAsync(OnlineIncident + SecondProject);
        var missing = await Assert.ThrowsAsync<RecoveryException>(() =>
            OnlineConversion.PlanAbortAsync(Target, Log, CancellationToken.None)
        );
        var plan = await PlanAsync();
        await Assert.ThrowsAnyAsync<Exception>(() =>
            ApplyAsync(plan, step => step == 4 ? TerminateConversionAsync() : Task.CompletedTask)
        );

        var error = await Assert.ThrowsAsync<RecoveryException>(() =>
            PlanAsync("uuid", [new("crm", "accounts", null)])
        );

        Assert.Equal("NoOnlineConversion", missing.ErrorId);
        Assert.Equal("OnlineConversionInProgress", error.ErrorId);
        Assert.Contains("public.users.id", error.Message, StringComparison.Ordinal);
        Assert.Contains("Convert-IdColumns -Abort", error.Message, StringComparison.Ordinal);
        await AbortAsync();
        Assert.False((await PlanAsync("uuid", [new("crm", "accounts", null)])).Resumes);
    }

    private Task KillDuringAsync(string condition, bool holdSnapshot = false) =>
        Task.Run(async () =>
        {
            await using var holder = await Database.OpenAsync();
            if (holdSnapshot)
            {
                // An open snapshot makes CREATE INDEX CONCURRENTLY wait in its last phase, so the kill lands mid-build.
                await using var begin = new Npgsql.NpgsqlCommand(
                    "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 1",
                    holder
                );
                await begin.ExecuteNonQueryAsync();
            }

            await Database.WaitUntilAsync(condition);
            await TerminateConversionAsync();
        });
}
