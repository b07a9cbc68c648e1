using System.Diagnostics;
using System.Globalization;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Journal;
using DbRecovery.Engine.Plans;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Conversion;

/// <summary>
/// Converts key columns and everything that references them: plans from a read-only catalog snapshot,
/// then applies the plan in one guarded transaction, verifies it before COMMIT (types, foreign keys,
/// views, defaults, row counts, a checksum of every converted column's values), and validates the
/// re-created foreign keys after COMMIT, in parallel, outside the locked window.
/// </summary>
public static class IdConversion
{
    /// <summary>How many connections validate foreign keys at once after COMMIT.</summary>
    public const int ValidationConnections = 4;

    /// <summary>Reads the catalog and plans the conversion of <paramref name="roots"/> to <paramref name="targetType"/>.</summary>
    /// <exception cref="RecoveryException">Unknown table or column, not a key, a target that cannot hold a UUID, or an object the conversion cannot carry.</exception>
    public static async Task<IdConversionPlan> PlanAsync(ConnectionTarget target, IReadOnlyList<ConversionRoot> roots, string targetType, IRecoveryLog log, CancellationToken cancellationToken)
    {
        await using var session = await DatabaseSession.OpenAsync(target, log, cancellationToken).ConfigureAwait(false);
        await using var transaction = await session.BeginReadOnlyAsync(cancellationToken).ConfigureAwait(false);
        ConversionFacts facts;
        try
        {
            facts = await ConversionCatalogReader.ReadAsync(transaction, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (DatabaseSession.IsConnectionFailure(ex))
        {
            throw PostgresFailure.Translate(ex, target.DisplayName);
        }

        var plan = IdConversionPlanner.Plan(facts, roots, targetType);
        if (plan.Columns.Any(c => c.To == "uuid"))
        {
            await CheckUuidValuesAsync(session, plan, cancellationToken).ConfigureAwait(false);
        }

        return plan;
    }

    /// <summary>Applies <paramref name="plan"/>; returns one result per converted column.</summary>
    /// <param name="target">The database.</param>
    /// <param name="plan">The approved plan.</param>
    /// <param name="lockTimeout">How long any lock may be waited for.</param>
    /// <param name="journal">The journal and what to record.</param>
    /// <param name="log">Where to report.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <param name="beforeStep">For fault-injection tests: runs before each step with its index.</param>
    public static async Task<IReadOnlyList<ColumnConversion>> ApplyAsync(
        ConnectionTarget target, IdConversionPlan plan, TimeSpan lockTimeout, JournalContext journal, IRecoveryLog log, CancellationToken cancellationToken,
        Func<int, Task>? beforeStep = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(log);
        IReadOnlyList<ColumnConversion> results;
        try
        {
            results = plan.Steps.Count == 0 ? [] : await RunStepsAsync(target, plan, lockTimeout, journal, log, cancellationToken, beforeStep).ConfigureAwait(false);
        }
        catch (RecoveryException ex) when (ex.ErrorId == "LockTimeout")
        {
            throw new RecoveryException("LockTimeout", FailureKind.ResourceBusy,
                $"The conversion gave up waiting {lockTimeout.TotalSeconds:0.###} s for its locks; nothing was changed. Blocking: {await DescribeBlockersAsync(target, plan, log, cancellationToken).ConfigureAwait(false)}. Let those transactions finish, or raise -LockTimeout.",
                target.DisplayName, ex);
        }

        await AfterCommitAsync(target, plan.AfterCommit, log, cancellationToken).ConfigureAwait(false);
        return results;
    }

    private static Task<IReadOnlyList<ColumnConversion>> RunStepsAsync(
        ConnectionTarget target, IdConversionPlan plan, TimeSpan lockTimeout, JournalContext journal, IRecoveryLog log, CancellationToken cancellationToken, Func<int, Task>? beforeStep) =>
        GuardedTransaction.RunAsync<IReadOnlyList<ColumnConversion>>(target, log, lockTimeout, journal, [.. plan.Steps, .. plan.AfterCommit], async (session, cancel) =>
        {
            var tables = plan.Columns.GroupBy(c => (c.Schema, c.Table)).ToList();
            var durations = new Dictionary<(string, string), TimeSpan>();
            var baseline = new Dictionary<(string, string), string>();
            for (var i = 0; i < plan.Steps.Count; i++)
            {
                var step = plan.Steps[i];
                if (beforeStep is not null)
                {
                    await beforeStep(i).ConfigureAwait(false);
                }

                log.Progress(new ProgressReport("Converting key columns", step.Action, i, plan.Steps.Count));
                var watch = Stopwatch.StartNew();
                await GuardedTransaction.ExecuteAsync(session, step, cancel).ConfigureAwait(false);
                if (i == 0)
                {
                    foreach (var table in tables)
                    {
                        baseline[table.Key] = await FingerprintAsync(session, table.Key, table.ToList(), cancel).ConfigureAwait(false);
                    }
                }

                if (tables.FirstOrDefault(t => step.Target == $"{t.Key.Schema}.{t.Key.Table}" && step.Sql.StartsWith("ALTER TABLE", StringComparison.Ordinal) && step.Sql.Contains(" TYPE ", StringComparison.Ordinal)) is { } rewritten)
                {
                    durations[rewritten.Key] = watch.Elapsed;
                    log.Verbose(string.Create(CultureInfo.InvariantCulture, $"{step.Target}: rewritten in {watch.Elapsed.TotalSeconds:F1} s"));
                }
            }

            var rows = new Dictionary<(string, string), long>();
            foreach (var table in tables)
            {
                var after = await FingerprintAsync(session, table.Key, table.ToList(), cancel).ConfigureAwait(false);
                if (after != baseline[table.Key])
                {
                    throw Verification($"the row count or the values of {table.Key.Schema}.{table.Key.Table} changed ({baseline[table.Key]} before, {after} after)");
                }

                rows[table.Key] = long.Parse(after.Split(':')[0], CultureInfo.InvariantCulture);
            }

            await VerifyAsync(session, plan, cancel).ConfigureAwait(false);
            return plan.Columns.Select(c => new ColumnConversion
            {
                Schema = c.Schema,
                Table = c.Table,
                Column = c.Column,
                From = c.From,
                To = c.To,
                Rows = rows[(c.Schema, c.Table)],
                Duration = durations.GetValueOrDefault((c.Schema, c.Table)),
            }).ToList();
        }, cancellationToken);

    private static async Task<string> DescribeBlockersAsync(ConnectionTarget target, IdConversionPlan plan, IRecoveryLog log, CancellationToken cancellationToken)
    {
        var tables = plan.Steps[0].Target.Split(", ");
        await using var session = await DatabaseSession.OpenAsync(target, log, cancellationToken).ConfigureAwait(false);
        await using var command = session.CreateCommand("""
            SELECT DISTINCT n.nspname || '.' || c.relname, l.pid, l.mode, a.application_name, a.state
            FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.granted AND l.pid <> pg_backend_pid() AND n.nspname || '.' || c.relname = ANY(@tables)
            ORDER BY 1, 2
            """);
        command.Parameters.AddWithValue("tables", tables);
        var blockers = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            blockers.Add(string.Create(CultureInfo.InvariantCulture,
                $"{reader.GetString(0)} is locked ({reader.GetString(2)}) by pid {reader.GetInt32(1)} ('{(reader.IsDBNull(3) ? string.Empty : reader.GetString(3))}', {(reader.IsDBNull(4) ? "?" : reader.GetString(4))})"));
        }

        return blockers.Count == 0 ? "the blocking transaction has just ended" : string.Join("; ", blockers);
    }

    /// <summary>Validates the re-created foreign keys in parallel connections, then refreshes statistics.</summary>
    private static async Task AfterCommitAsync(ConnectionTarget target, IReadOnlyList<PlanStep> steps, IRecoveryLog log, CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(ValidationConnections);
        await Task.WhenAll(steps.Select(async step =>
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await using var session = await DatabaseSession.OpenAsync(target, log, cancellationToken).ConfigureAwait(false);
                await GuardedTransaction.ExecuteAsync(session, step, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (DatabaseSession.IsConnectionFailure(ex))
            {
                throw new RecoveryException("ValidationFailed", FailureKind.InvalidOperation,
                    $"The conversion is committed, but '{step.Action}' failed ({PostgresFailure.Translate(ex, target.DisplayName).Message}). Run the same Convert-IdColumns again to finish.",
                    step.Target, ex);
            }
            finally
            {
                slots.Release();
            }
        })).ConfigureAwait(false);
    }

    /// <summary>Row count and an order-independent checksum of each column's values as (lower-case) text.</summary>
    private static async Task<string> FingerprintAsync(DatabaseSession session, (string Schema, string Table) table, IReadOnlyList<PlannedColumn> columns, CancellationToken cancellationToken)
    {
        var sums = string.Join(", ", columns.Select(c => $"COALESCE(sum(hashtextextended(lower({SqlIdentifier.Quote(c.Column)}::text), 0)), 0)::text"));
        await using var command = session.CreateCommand($"SELECT count(*)::text || ':' || concat_ws(':', {sums}) FROM {SqlIdentifier.Quote(table.Schema, table.Table)}");
        return (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task VerifyAsync(DatabaseSession session, IdConversionPlan plan, CancellationToken cancellationToken)
    {
        await using var command = session.CreateCommand("""
            SELECT 'column', n.nspname || '.' || c.relname || '.' || a.attname, format_type(a.atttypid, a.atttypmod) || '|' || COALESCE(pg_get_expr(d.adbin, d.adrelid), '')
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attnum > 0 AND NOT a.attisdropped AND n.nspname || '.' || c.relname || '.' || a.attname = ANY(@columns)
            UNION ALL
            SELECT 'fk', n.nspname || '.' || c.relname || '.' || k.conname, regexp_replace(pg_get_constraintdef(k.oid), ' NOT VALID$', '')
            FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE k.contype = 'f' AND n.nspname || '.' || c.relname || '.' || k.conname = ANY(@fks)
            UNION ALL
            SELECT 'view', n.nspname || '.' || c.relname, pg_get_viewdef(c.oid)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('v', 'm') AND n.nspname || '.' || c.relname = ANY(@views)
            """);
        command.Parameters.AddWithValue("columns", plan.Columns.Select(c => $"{c.Schema}.{c.Table}.{c.Column}").ToArray());
        command.Parameters.AddWithValue("fks", plan.ExpectedForeignKeys.Keys.ToArray());
        command.Parameters.AddWithValue("views", plan.ExpectedViews.Keys.ToArray());
        var actual = new Dictionary<(string, string), string>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                actual[(reader.GetString(0), reader.GetString(1))] = reader.GetString(2);
            }
        }

        var expected = plan.Columns.Select(c => (("column", $"{c.Schema}.{c.Table}.{c.Column}"), $"{c.To}|{c.DefaultAfter ?? string.Empty}"))
            .Concat(plan.ExpectedForeignKeys.Select(f => (("fk", f.Key), System.Text.RegularExpressions.Regex.Replace(f.Value, " NOT VALID$", string.Empty))))
            .Concat(plan.ExpectedViews.Select(v => (("view", v.Key), v.Value)));
        var wrong = expected.Where(e => !actual.TryGetValue(e.Item1, out var found)
                || (e.Item1.Item1 == "view" ? DefinitionText.WithoutCasts(found) != DefinitionText.WithoutCasts(e.Item2) : !SameText(found, e.Item2)))
            .Select(e => $"{e.Item1.Item1} {e.Item1.Item2}: expected '{e.Item2}', found '{actual.GetValueOrDefault(e.Item1) ?? "nothing"}'").ToList();
        if (wrong.Count > 0)
        {
            throw Verification(string.Join("; ", wrong));
        }
    }

    private static bool SameText(string left, string right) =>
        string.Equals(string.Join(' ', left.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)), string.Join(' ', right.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);

    private static RecoveryException Verification(string detail) => new(
        "ConversionVerificationFailed", FailureKind.InvalidOperation, $"The conversion was rolled back because a check before COMMIT failed: {detail}.");

    /// <summary>varchar to uuid: every value must be a UUID; otherwise the count and the first offending rows, nothing changed.</summary>
    private static async Task CheckUuidValuesAsync(DatabaseSession session, IdConversionPlan plan, CancellationToken cancellationToken)
    {
        const string UuidPattern = "^[{]?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}[}]?$";
        var examples = new List<string>();
        long total = 0;
        foreach (var column in plan.Columns.Where(c => c.To == "uuid"))
        {
            var quoted = SqlIdentifier.Quote(column.Column);
            var table = SqlIdentifier.Quote(column.Schema, column.Table);
            await using var command = session.CreateCommand(
                $"SELECT count(*) OVER (), ctid::text, {quoted}::text FROM {table} WHERE {quoted} IS NOT NULL AND {quoted}::text !~* @pattern LIMIT 5");
            command.Parameters.AddWithValue("pattern", UuidPattern);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var first = true;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                total += first ? reader.GetInt64(0) : 0;
                first = false;
                examples.Add($"{column.Schema}.{column.Table}.{column.Column} row {reader.GetString(1)}: '{reader.GetString(2)}'");
            }
        }

        if (examples.Count > 0)
        {
            throw new RecoveryException("InvalidUuidValues", FailureKind.InvalidData,
                $"{total} values are not UUIDs, so the columns cannot become uuid; nothing was changed. First ones: {string.Join("; ", examples)}.", examples[0]);
        }
    }
}
