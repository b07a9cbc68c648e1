using System.Diagnostics;
using System.Globalization;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Execution;
using DbRecovery.Engine.Plans;
using DbRecovery.Engine.Sql;
using Npgsql;

namespace DbRecovery.Engine.Conversion.Online;

/// <summary>
/// What an online conversion adds to the executor's run: the backfill's batches (each its own transaction, with
/// its progress recorded in the same transaction, throttled by replica lag), index builds that first drop an
/// invalid leftover and wait for old snapshots without a lock timeout, the in-lock proof that every shadow equals
/// its cast (the validated CHECK), and the catalog checks before the swap commits.
/// </summary>
internal sealed class OnlineConversionRun(OnlineConversionPlan plan, IRecoveryLog log, Func<int, Task>? beforeStep) : PlanHooks
{
    /// <summary>How often a step that cannot get its lock within lock_timeout is tried, with growing pauses between.</summary>
    public const int Attempts = 12;

    private readonly Dictionary<QualifiedName, TimeSpan> _durations = [];

    public IReadOnlyList<ColumnConversion> Results { get; private set; } = [];

    public override int LockAttempts => Attempts;

    public override async Task BeforeStepAsync(DatabaseSession session, PlanStep step, int index, CancellationToken cancellationToken)
    {
        if (beforeStep is not null)
        {
            await beforeStep(index).ConfigureAwait(false);
        }

        if (step.Kind == StepKind.Index)
        {
            // An index CONCURRENTLY build holds no lock that blocks writes, so it may wait for old transactions as long as they run.
            await ExecuteAsync(session, "SET lock_timeout = 0", cancellationToken).ConfigureAwait(false);
            await DropInvalidIndexAsync(session, step, cancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task AfterStepAsync(DatabaseSession session, PlanStep step, int index, TimeSpan elapsed, CancellationToken cancellationToken)
    {
        if (step.Kind == StepKind.Index)
        {
            var timeout = (long)(session.Target.LockTimeout ?? PlanExecutor.DefaultLockTimeout).TotalMilliseconds;
            await ExecuteAsync(session, string.Create(CultureInfo.InvariantCulture, $"SET lock_timeout = '{Math.Max(1, timeout)}ms'"), cancellationToken).ConfigureAwait(false);
            log.Verbose(string.Create(CultureInfo.InvariantCulture, $"{step.Action}: {elapsed.TotalSeconds:F1} s"));
        }
        else if (step.Kind == StepKind.Lock)
        {
            await ProveShadowsAsync(session, cancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task BackfillAsync(DatabaseSession session, PlanStep step, CancellationToken cancellationToken)
    {
        var table = plan.Tables.Single(t => t.Name == step.Targets[0]);
        var (next, end, done, rowsPerPage) = await BackfillStartAsync(session, table, cancellationToken).ConfigureAwait(false);
        var pagesPerBatch = Math.Max(1, (long)(plan.BatchSize / Math.Max(1.0, rowsPerPage)));
        var watch = Stopwatch.StartNew();
        var (startPage, rows) = (next, 0L);
        while (next < end)
        {
            await WaitForReplicasAsync(session, cancellationToken).ConfigureAwait(false);
            var upto = Math.Min(next + pagesPerBatch, end);
            await using (var transaction = await session.Connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
            {
                await using var batch = session.CreateCommand(step.Sql!, string.Empty);
                batch.Parameters.Add(new NpgsqlParameter { Value = Tid(next) });
                batch.Parameters.Add(new NpgsqlParameter { Value = Tid(upto) });
                var updated = await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await using var progress = session.CreateCommand(
                    $"UPDATE {OnlineNames.BackfillTable} SET next_page = @next, rows_done = rows_done + @rows WHERE table_schema = @schema AND table_name = @table", string.Empty);
                progress.Parameters.AddWithValue("next", upto);
                progress.Parameters.AddWithValue("rows", (long)updated);
                progress.Parameters.AddWithValue("schema", table.Schema);
                progress.Parameters.AddWithValue("table", table.Table);
                await progress.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                rows += updated;
            }

            next = upto;
            if (plan.BatchDelay > TimeSpan.Zero)
            {
                await Task.Delay(plan.BatchDelay, cancellationToken).ConfigureAwait(false);
            }

            var rate = rows / Math.Max(0.001, watch.Elapsed.TotalSeconds);
            var left = (end - next) * rowsPerPage;
            log.Progress(new ProgressReport(
                $"Backfilling {table.Name}",
                string.Create(CultureInfo.InvariantCulture, $"{done + rows:N0} of about {Math.Max(done + rows, (long)(end * rowsPerPage)):N0} rows, {rate:N0} rows/s"),
                (int)(next * 1000 / Math.Max(1, end)), 1000)
            { SecondsRemaining = rate > 0 ? (int)Math.Min(int.MaxValue, left / rate) : null });
        }

        await using (var finish = session.CreateCommand($"UPDATE {OnlineNames.BackfillTable} SET done_at = now() WHERE table_schema = @schema AND table_name = @table AND done_at IS NULL"))
        {
            finish.Parameters.AddWithValue("schema", table.Schema);
            finish.Parameters.AddWithValue("table", table.Table);
            await finish.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        _durations[table.Name] = watch.Elapsed;
        log.Verbose(string.Create(CultureInfo.InvariantCulture, $"{table.Name}: backfilled {rows} rows over pages {startPage} to {end} in {watch.Elapsed.TotalSeconds:F1} s"));
    }

    public override async Task BeforeCommitAsync(DatabaseSession session, CancellationToken cancellationToken)
    {
        if (plan.Tables.Count == 0)
        {
            return;
        }

        await ConversionCatalogCheck.VerifyAsync(session, plan.Columns, plan.ExpectedForeignKeys, plan.ExpectedViews, cancellationToken).ConfigureAwait(false);
        await VerifyIndexesAndNotNullAsync(session, cancellationToken).ConfigureAwait(false);
        var rows = new Dictionary<QualifiedName, long>();
        await using (var command = session.CreateCommand($"SELECT table_schema, table_name, rows_done FROM {OnlineNames.BackfillTable}"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows[new QualifiedName(reader.GetString(0), reader.GetString(1))] = reader.GetInt64(2);
            }
        }

        Results = plan.Columns.Select(c => new ColumnConversion
        {
            Schema = c.Schema,
            Table = c.Table,
            Column = c.Column,
            From = c.From,
            To = c.To,
            Rows = rows.GetValueOrDefault(new QualifiedName(c.Schema, c.Table)),
            Duration = _durations.GetValueOrDefault(new QualifiedName(c.Schema, c.Table)),
        }).ToList();
    }

    private static string Tid(long page) => string.Create(CultureInfo.InvariantCulture, $"({page},0)");

    /// <summary>Where this table's backfill stands; a first run fixes its end (the table's pages now: rows added later come through the trigger).</summary>
    private static async Task<(long Next, long End, long Done, double RowsPerPage)> BackfillStartAsync(DatabaseSession session, OnlineTable table, CancellationToken cancellationToken)
    {
        await using var command = session.CreateCommand($"""
            UPDATE {OnlineNames.BackfillTable} b
            SET end_page = COALESCE(b.end_page, pg_relation_size(c.oid) / current_setting('block_size')::bigint)
            FROM pg_class c
            WHERE c.oid = @oid AND b.table_schema = @schema AND b.table_name = @table
            RETURNING b.next_page, b.end_page, b.rows_done, CASE WHEN c.relpages > 0 AND c.reltuples > 0 THEN c.reltuples / c.relpages ELSE 100 END
            """);
        command.Parameters.Add(new NpgsqlParameter("oid", NpgsqlTypes.NpgsqlDbType.Oid) { Value = table.Oid });
        command.Parameters.AddWithValue("schema", table.Schema);
        command.Parameters.AddWithValue("table", table.Table);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw ConversionCatalogCheck.Failure($"the backfill of {table.Name} is not recorded in {OnlineNames.BackfillTable}");
        }

        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetDouble(3));
    }

    /// <summary>Pauses while any streaming replica replays more than MaxLagSeconds behind, so the backfill cannot outrun them.</summary>
    private async Task WaitForReplicasAsync(DatabaseSession session, CancellationToken cancellationToken)
    {
        while (true)
        {
            await using var command = session.CreateCommand("SELECT COALESCE(EXTRACT(epoch FROM max(replay_lag)), 0)::float8 FROM pg_stat_replication", string.Empty);
            var lag = (double)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            if (lag <= plan.MaxLagSeconds)
            {
                return;
            }

            log.Verbose(string.Create(CultureInfo.InvariantCulture, $"A replica is {lag:F1} s behind (more than {plan.MaxLagSeconds:F1} s); the backfill waits"));
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Drops the shadow indexes of the step's table that an interrupted CONCURRENTLY build left invalid, so they are built again.</summary>
    private async Task DropInvalidIndexAsync(DatabaseSession session, PlanStep step, CancellationToken cancellationToken)
    {
        var table = plan.Tables.Single(t => t.Name == step.Targets[0]);
        await using var command = session.CreateCommand("""
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = @schema AND c.relname = ANY(@names) AND NOT i.indisvalid
            """);
        command.Parameters.AddWithValue("schema", table.Schema);
        command.Parameters.AddWithValue("names", table.Indexes.Select(i => OnlineNames.ShadowIndex(i.Name)).ToArray());
        var invalid = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                invalid.Add(reader.GetString(0));
            }
        }

        foreach (var index in invalid)
        {
            log.Warning($"{index} was left invalid by an interrupted build; dropping it to build it again.");
            await ExecuteAsync(session, $"DROP INDEX CONCURRENTLY IF EXISTS {index}", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Under the swap's locks: each table's CHECK that its shadows equal the casts is validated (so every row was
    /// proven, and every write since was held to it) and its backfill finished. Reads the catalog only, so the
    /// time it takes does not grow with the rows.
    /// </summary>
    private async Task ProveShadowsAsync(DatabaseSession session, CancellationToken cancellationToken)
    {
        await using var command = session.CreateCommand($"""
            SELECT x.s, x.t, COALESCE(k.convalidated, false), b.done_at IS NOT NULL, (SELECT swapped_at IS NULL FROM {OnlineNames.StateTable})
            FROM unnest(@schemas, @tables, @checks) x(s, t, k)
            LEFT JOIN pg_namespace n ON n.nspname = x.s LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = x.t
            LEFT JOIN pg_constraint k ON k.conrelid = c.oid AND k.conname = x.k AND k.contype = 'c'
            LEFT JOIN {OnlineNames.BackfillTable} b ON b.table_schema = x.s AND b.table_name = x.t
            """);
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
                wrong.Add($"{name}: its shadows are not proven equal to the casts ({OnlineNames.Check(name.Name)} is missing or not validated)");
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

    /// <summary>The indexes on the converted columns are back with their names and exact definitions, and NOT NULL is where it was.</summary>
    private async Task VerifyIndexesAndNotNullAsync(DatabaseSession session, CancellationToken cancellationToken)
    {
        await using var command = session.CreateCommand("""
            SELECT 'index', x.s, x.t, x.i, COALESCE(pg_get_indexdef(to_regclass(quote_ident(x.s) || '.' || quote_ident(x.i))), 'nothing')
            FROM unnest(@indexSchemas, @indexTables, @indexNames) x(s, t, i)
            UNION ALL
            SELECT 'not null', x.s, x.t, x.c, COALESCE((SELECT a.attnotnull::text FROM pg_attribute a
                WHERE a.attrelid = to_regclass(quote_ident(x.s) || '.' || quote_ident(x.t)) AND a.attname = x.c AND NOT a.attisdropped), 'nothing')
            FROM unnest(@columnSchemas, @columnTables, @columnNames) x(s, t, c)
            """);
        var columns = plan.Tables.SelectMany(t => t.Columns.Select(c => (t.Schema, t.Table, c.Name, c.NotNull))).ToList();
        command.Parameters.AddWithValue("indexSchemas", plan.ExpectedIndexes.Keys.Select(k => k.Table.Schema!).ToArray());
        command.Parameters.AddWithValue("indexTables", plan.ExpectedIndexes.Keys.Select(k => k.Table.Name).ToArray());
        command.Parameters.AddWithValue("indexNames", plan.ExpectedIndexes.Keys.Select(k => k.Name).ToArray());
        command.Parameters.AddWithValue("columnSchemas", columns.Select(c => c.Schema).ToArray());
        command.Parameters.AddWithValue("columnTables", columns.Select(c => c.Table).ToArray());
        command.Parameters.AddWithValue("columnNames", columns.Select(c => c.Name).ToArray());
        var expected = plan.ExpectedIndexes.ToDictionary(e => ("index", e.Key.Table.Schema!, e.Key.Table.Name, e.Key.Name), e => e.Value);
        foreach (var column in columns)
        {
            expected[("not null", column.Schema, column.Table, column.Name)] = column.NotNull ? "true" : "false";
        }

        var wrong = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var key = (reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
            if (reader.GetString(4) != expected[key])
            {
                wrong.Add($"{key.Item1} {key.Item2}.{key.Item3}.{key.Item4}: expected '{expected[key]}', found '{reader.GetString(4)}'");
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
