using System.Globalization;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Execution;
using DbRecovery.Engine.Plans;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Conversion.Online;

/// <summary>
/// What an online conversion adds to the executor's run: index builds that first drop an
/// invalid leftover and wait for old snapshots without a lock timeout, the in-lock proof that every shadow equals
/// its cast (the validated CHECK), and the catalog checks before the swap commits.
/// </summary>
internal sealed class OnlineConversionRun(OnlineConversionPlan plan, IRecoveryLog log, Func<int, Task>? beforeStep)
    : PlanHooks
{
    /// <summary>
    /// How often a step that cannot get its lock within lock_timeout is tried, with growing pauses between.
    /// </summary>
    public const int Attempts = 12;

    private readonly Dictionary<QualifiedName, TimeSpan> _durations = [];

    public IReadOnlyList<ColumnConversion> Results { get; private set; } = [];

    public override int LockAttempts => Attempts;

    public override bool WaitsForLocksAfterCommit => true;

    public override async Task BeforeStepAsync(
        DatabaseSession session,
        PlanStep step,
        int index,
        CancellationToken cancellationToken
    )
    {
        if (beforeStep is not null)
        {
            await beforeStep(index).ConfigureAwait(false);
        }

        if (WaitsWithoutTimeout(step))
        {
            // Its lock (SHARE UPDATE EXCLUSIVE) holds back no read or write while it waits, so it may wait as long as
            // an old transaction runs; an autovacuum in its way is cancelled by the server after deadlock_timeout.
            await session.SetLockTimeoutAsync(null, cancellationToken).ConfigureAwait(false);
        }

        if (step is IndexBuildStep build)
        {
            await DropInvalidIndexAsync(session, build.Index, cancellationToken).ConfigureAwait(false);
        }
        else if (step.Kind is StepKind.Lock or StepKind.Create or StepKind.Destroy)
        {
            await CancelAutovacuumAsync(session, step, cancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task AfterStepAsync(
        DatabaseSession session,
        PlanStep step,
        int index,
        TimeSpan elapsed,
        CancellationToken cancellationToken
    )
    {
        if (step is BackfillStep backfill)
        {
            _durations[backfill.Table.Name] = elapsed;
        }

        if (step.Phase == StepPhase.Online)
        {
            log.Verbose(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{step.Target}: {step.Kind} done in {elapsed.TotalSeconds:F1} s"
                )
            );
        }

        if (WaitsWithoutTimeout(step))
        {
            await session.SetLockTimeoutAsync(session.Target.LockTimeout, cancellationToken).ConfigureAwait(false);
        }
        else if (step.Kind == StepKind.Lock)
        {
            await ProveShadowsAsync(session, cancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task BeforeCommitAsync(DatabaseSession session, CancellationToken cancellationToken)
    {
        if (plan.Tables.Count == 0)
        {
            return;
        }

        await ConversionCatalogCheck
            .VerifyAsync(session, plan.Columns, plan.ExpectedForeignKeys, plan.ExpectedViews, cancellationToken)
            .ConfigureAwait(false);
        await VerifyIndexesAndNotNullAsync(session, cancellationToken).ConfigureAwait(false);
        var rows = new Dictionary<QualifiedName, long>();
        await using (
            var command = session.CreateCommand(
                $"SELECT table_schema, table_name, sum(rows_done)::bigint FROM {OnlineNames.BackfillTable} GROUP BY "
                    + "1, 2"
            )
        )
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows[new QualifiedName(reader.GetString(0), reader.GetString(1))] = reader.GetInt64(2);
            }
        }

        Results = plan
            .Columns.Select(c =>
                ColumnConversion.Of(
                    c,
                    rows.GetValueOrDefault(new QualifiedName(c.Schema, c.Table)),
                    _durations.GetValueOrDefault(new QualifiedName(c.Schema, c.Table))
                )
            )
            .ToList();
    }

    private static bool WaitsWithoutTimeout(PlanStep step) =>
        step.Phase == StepPhase.Online && step.Kind is StepKind.Index or StepKind.Validate;

    /// <summary>
    /// Before a step that needs ACCESS EXCLUSIVE: an autovacuum of its tables would hold it back until the server
    /// cancels the autovacuum after deadlock_timeout, longer than a short lock_timeout waits, so each try would
    /// give up while the application queued behind it. A superuser cancels it (it starts again later); anyone
    /// else waits it out in retries.
    /// </summary>
    private async Task CancelAutovacuumAsync(
        DatabaseSession session,
        PlanStep step,
        CancellationToken cancellationToken
    )
    {
        await using var command = session.CreateCommand(
            """
            SELECT w.pid, w.relid::regclass::text, CASE WHEN (SELECT rolsuper FROM pg_roles WHERE rolname =
                current_user) THEN pg_cancel_backend(w.pid) ELSE false END
            FROM (SELECT pid, relid FROM pg_stat_progress_vacuum UNION ALL SELECT pid, relid FROM
                pg_stat_progress_analyze) w
            JOIN pg_stat_activity a ON a.pid = w.pid
            WHERE a.backend_type = 'autovacuum worker' AND a.datname = current_database() AND w.relid = ANY(SELECT
                to_regclass(t) FROM unnest(@tables) t)
            """,
            string.Empty
        );
        command.Parameters.AddWithValue(
            "tables",
            step.Targets.Where(t => t.Schema != OnlineNames.Schema).Select(t => t.Quoted).ToArray()
        );
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            log.Verbose(
                reader.GetBoolean(2)
                    ? $"Cancelled the autovacuum of {reader.GetString(1)} (pid {reader.GetInt32(0)}), which would "
                        + $"hold back the lock of '{step.Action}'; it runs again later."
                    : $"An autovacuum of {reader.GetString(1)} (pid {reader.GetInt32(0)}) may hold back "
                        + $"'{step.Action}'; only a superuser can cancel it, so the lock is retried until it ends."
            );
        }
    }

    /// <summary>Drops the shadow index an interrupted CONCURRENTLY build left invalid, so it is built again.</summary>
    private async Task DropInvalidIndexAsync(
        DatabaseSession session,
        QualifiedName index,
        CancellationToken cancellationToken
    )
    {
        await using var command = session.CreateCommand(
            "SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass(@index)"
        );
        command.Parameters.AddWithValue("index", index.Quoted);
        if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
        {
            log.Warning($"{index} was left invalid by an interrupted build; dropping it to build it again.");
            await ExecuteAsync(session, $"DROP INDEX CONCURRENTLY IF EXISTS {index.Quoted}", cancellationToken)
                .ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Under the swap's locks: each table's CHECK that its shadows equal the casts is validated (so every row was
    /// proven, and every write since was held to it) and its backfill finished. Reads the catalog only, so the
    /// time it takes does not grow with the rows.
    /// </summary>
    private async Task ProveShadowsAsync(DatabaseSession session, CancellationToken cancellationToken)
    {
        await using var command = session.CreateCommand(
            $"""
            SELECT x.s, x.t, COALESCE(k.convalidated, false), COALESCE(b.done, false), (SELECT swapped_at IS NULL FROM
                {OnlineNames.StateTable})
            FROM unnest(@schemas, @tables, @checks) x(s, t, k)
            LEFT JOIN pg_namespace n ON n.nspname = x.s LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname =
                x.t
            LEFT JOIN pg_constraint k ON k.conrelid = c.oid AND k.conname = x.k AND k.contype = 'c'
            LEFT JOIN (SELECT table_schema, table_name, bool_and(done_at IS NOT NULL) AS done FROM
                {OnlineNames.BackfillTable} GROUP BY 1, 2) b ON b.table_schema = x.s AND b.table_name = x.t
            """
        );
        command.Parameters.AddWithValue("schemas", plan.Tables.Select(t => t.Schema).ToArray());
        command.Parameters.AddWithValue("tables", plan.Tables.Select(t => t.Table).ToArray());
        command.Parameters.AddWithValue("checks", plan.Tables.Select(t => t.Check).ToArray());
        var wrong = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var name = new QualifiedName(reader.GetString(0), reader.GetString(1));
            if (!reader.GetBoolean(2))
            {
                wrong.Add(
                    $"{name}: its shadows are not proven equal to the casts ({OnlineNames.Check(name.Name)} is "
                        + "missing or not validated)"
                );
            }

            if (!reader.GetBoolean(3))
            {
                wrong.Add($"{name}: its backfill has not finished");
            }

            if (reader.IsDBNull(4) || !reader.GetBoolean(4))
            {
                wrong.Add("the state says the swap already committed");
            }
        }

        if (wrong.Count > 0)
        {
            throw ConversionCatalogCheck.Failure(string.Join("; ", wrong.Distinct()));
        }
    }

    /// <summary>
    /// The indexes on the converted columns are back with their names and exact definitions, and NOT NULL is where it
    /// was.
    /// </summary>
    private async Task VerifyIndexesAndNotNullAsync(DatabaseSession session, CancellationToken cancellationToken)
    {
        var indexes = plan.ExpectedIndexes.ToList();
        var columns = plan.Tables.SelectMany(t => t.Columns.Select(c => (Table: t, Column: c))).ToList();
        await using var command = session.CreateCommand(
            """
            SELECT pg_get_indexdef(to_regclass(quote_ident(x.s) || '.' || quote_ident(x.i)))
            FROM unnest(@indexSchemas, @indexNames) WITH ORDINALITY x(s, i, n) ORDER BY x.n;
            SELECT (SELECT a.attnotnull FROM pg_attribute a WHERE a.attrelid = x.t::oid AND a.attname = x.c
                AND NOT a.attisdropped)
            FROM unnest(@columnTables, @columnNames) WITH ORDINALITY x(t, c, n) ORDER BY x.n;
            """
        );
        command.Parameters.AddWithValue("indexSchemas", indexes.Select(e => e.Key.Table.Schema!).ToArray());
        command.Parameters.AddWithValue("indexNames", indexes.Select(e => e.Key.Name).ToArray());
        command.Parameters.AddWithValue("columnTables", columns.Select(c => (long)c.Table.Oid).ToArray());
        command.Parameters.AddWithValue("columnNames", columns.Select(c => c.Column.Name).ToArray());
        var wrong = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (key, definition) in indexes)
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var found = await reader.IsDBNullAsync(0, cancellationToken).ConfigureAwait(false)
                ? null
                : reader.GetString(0);
            if (found != definition)
            {
                wrong.Add($"index {key.Table}.{key.Name}: expected '{definition}', found '{found ?? "no such index"}'");
            }
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (table, column) in columns)
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            bool? notNull = await reader.IsDBNullAsync(0, cancellationToken).ConfigureAwait(false)
                ? null
                : reader.GetBoolean(0);
            if (notNull != column.NotNull)
            {
                wrong.Add(
                    $"{table.Name}.{column.Name}: expected {(column.NotNull ? "NOT NULL" : "nullable")}, found "
                        + (
                            notNull switch
                            {
                                null => "no such column",
                                true => "NOT NULL",
                                false => "nullable",
                            }
                        )
                );
            }
        }

        if (wrong.Count > 0)
        {
            throw ConversionCatalogCheck.Failure(string.Join("; ", wrong));
        }
    }

    private static async Task ExecuteAsync(DatabaseSession session, string sql, CancellationToken cancellationToken)
    {
        await using var command = session.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
