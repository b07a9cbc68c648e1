using System.Globalization;
using System.Text.RegularExpressions;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Execution;
using DbRecovery.Engine.Plans;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Conversion;

/// <summary>
/// What a conversion adds to the executor's run: once writes are blocked (the first lock), a fingerprint of
/// every converted column; the time of each rewrite; before COMMIT, the same fingerprint again and the
/// catalog checks (types, defaults, foreign keys, views). Any difference rolls the transaction back.
/// </summary>
internal sealed partial class ConversionRun(IdConversionPlan plan, IRecoveryLog log, Func<int, Task>? beforeStep) : PlanHooks
{
    private readonly List<IGrouping<QualifiedName, PlannedColumn>> _tables = plan.Columns.GroupBy(c => new QualifiedName(c.Schema, c.Table)).ToList();
    private readonly Dictionary<QualifiedName, string> _baseline = [];
    private readonly Dictionary<QualifiedName, TimeSpan> _durations = [];

    /// <summary>One result per converted column, once the transaction has passed its checks.</summary>
    public IReadOnlyList<ColumnConversion> Results { get; private set; } = [];

    public override Task BeforeStepAsync(DatabaseSession session, PlanStep step, int index, CancellationToken cancellationToken) =>
        beforeStep?.Invoke(index) ?? Task.CompletedTask;

    public override async Task AfterStepAsync(DatabaseSession session, PlanStep step, int index, TimeSpan elapsed, CancellationToken cancellationToken)
    {
        if (step.Kind == StepKind.Lock && _baseline.Count == 0)
        {
            for (var i = 0; i < _tables.Count; i++)
            {
                log.Progress(new ProgressReport("Fingerprinting the converted columns (writes are blocked)", _tables[i].Key.ToString(), i, _tables.Count));
                _baseline[_tables[i].Key] = await FingerprintAsync(session, _tables[i].Key, _tables[i].ToList(), cancellationToken).ConfigureAwait(false);
            }
        }
        else if (step.Kind == StepKind.Rewrite)
        {
            _durations[step.Targets[0]] = elapsed;
            log.Verbose(string.Create(CultureInfo.InvariantCulture, $"{step.Target}: rewritten in {elapsed.TotalSeconds:F1} s"));
        }
    }

    public override async Task BeforeCommitAsync(DatabaseSession session, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<QualifiedName, long>();
        for (var i = 0; i < _tables.Count; i++)
        {
            var table = _tables[i];
            log.Progress(new ProgressReport("Checking the converted values before COMMIT", table.Key.ToString(), i, _tables.Count));
            var after = await FingerprintAsync(session, table.Key, table.ToList(), cancellationToken).ConfigureAwait(false);
            if (after != _baseline[table.Key])
            {
                throw Verification($"the row count or the values of {table.Key} changed ({_baseline[table.Key]} before, {after} after)");
            }

            rows[table.Key] = long.Parse(after.Split(':')[0], CultureInfo.InvariantCulture);
        }

        await VerifyCatalogAsync(session, cancellationToken).ConfigureAwait(false);
        Results = plan.Columns.Select(c => new ColumnConversion
        {
            Schema = c.Schema,
            Table = c.Table,
            Column = c.Column,
            From = c.From,
            To = c.To,
            Rows = rows[new QualifiedName(c.Schema, c.Table)],
            Duration = _durations.GetValueOrDefault(new QualifiedName(c.Schema, c.Table)),
        }).ToList();
    }

    /// <summary>Row count and an order-independent checksum of each column's values as (lower-case) text.</summary>
    private static async Task<string> FingerprintAsync(DatabaseSession session, QualifiedName table, IReadOnlyList<PlannedColumn> columns, CancellationToken cancellationToken)
    {
        var sums = string.Join(", ", columns.Select(c => $"COALESCE(sum(hashtextextended(lower({SqlIdentifier.Quote(c.Column)}::text), 0)), 0)::text"));
        await using var command = session.CreateCommand($"SELECT count(*)::text || ':' || concat_ws(':', {sums}) FROM {table.Quoted}");
        return (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private async Task VerifyCatalogAsync(DatabaseSession session, CancellationToken cancellationToken)
    {
        await using var command = session.CreateCommand("""
            SELECT 'column', n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod) || '|' || COALESCE(pg_get_expr(d.adbin, d.adrelid), '')
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attnum > 0 AND NOT a.attisdropped AND (n.nspname, c.relname, a.attname) IN (SELECT * FROM unnest(@columnSchemas, @columnTables, @columnNames))
            UNION ALL
            SELECT 'fk', n.nspname, c.relname, k.conname, regexp_replace(pg_get_constraintdef(k.oid), ' NOT VALID$', '')
            FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE k.contype = 'f' AND (n.nspname, c.relname, k.conname) IN (SELECT * FROM unnest(@fkSchemas, @fkTables, @fkNames))
            UNION ALL
            SELECT 'view', n.nspname, c.relname, '', pg_get_viewdef(c.oid)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('v', 'm') AND (n.nspname, c.relname) IN (SELECT * FROM unnest(@viewSchemas, @viewNames))
            """);
        command.Parameters.AddWithValue("columnSchemas", plan.Columns.Select(c => c.Schema).ToArray());
        command.Parameters.AddWithValue("columnTables", plan.Columns.Select(c => c.Table).ToArray());
        command.Parameters.AddWithValue("columnNames", plan.Columns.Select(c => c.Column).ToArray());
        command.Parameters.AddWithValue("fkSchemas", plan.ExpectedForeignKeys.Keys.Select(k => k.Table.Schema!).ToArray());
        command.Parameters.AddWithValue("fkTables", plan.ExpectedForeignKeys.Keys.Select(k => k.Table.Name).ToArray());
        command.Parameters.AddWithValue("fkNames", plan.ExpectedForeignKeys.Keys.Select(k => k.Name).ToArray());
        command.Parameters.AddWithValue("viewSchemas", plan.ExpectedViews.Keys.Select(k => k.Schema!).ToArray());
        command.Parameters.AddWithValue("viewNames", plan.ExpectedViews.Keys.Select(k => k.Name).ToArray());
        var actual = new Dictionary<(string Kind, string Schema, string Table, string Name), string>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                actual[(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3))] = reader.GetString(4);
            }
        }

        var expected = plan.Columns.Select(c => (Key: ("column", c.Schema, c.Table, c.Column), Value: $"{c.To}|{c.DefaultAfter ?? string.Empty}"))
            .Concat(plan.ExpectedForeignKeys.Select(f => (Key: ("fk", f.Key.Table.Schema!, f.Key.Table.Name, f.Key.Name), Value: NotValidSuffix().Replace(f.Value, string.Empty))))
            .Concat(plan.ExpectedViews.Select(v => (Key: ("view", v.Key.Schema!, v.Key.Name, string.Empty), v.Value)));
        var wrong = expected.Where(e => !actual.TryGetValue(e.Key, out var found)
                || !(e.Key.Item1 switch
                {
                    "view" => DefinitionText.WithoutCasts(found) == DefinitionText.WithoutCasts(e.Value),
                    "column" => SameColumn(found, e.Value),
                    _ => SameText(found, e.Value),
                }))
            .Select(e => $"{e.Key.Item1} {new QualifiedName(e.Key.Item2, e.Key.Item3)}{(e.Key.Item4.Length == 0 ? string.Empty : "." + e.Key.Item4)}: expected '{e.Value}', found '{actual.GetValueOrDefault(e.Key) ?? "nothing"}'")
            .ToList();
        if (wrong.Count > 0)
        {
            throw Verification(string.Join("; ", wrong));
        }
    }

    /// <summary>
    /// Same type, and the same default up to casts: PostgreSQL drops a cast to the column's own type when the
    /// expression already has it (a varchar column's gen_random_uuid() becomes a uuid column's gen_random_uuid()).
    /// </summary>
    private static bool SameColumn(string found, string expected)
    {
        var (foundType, foundDefault) = (found.Split('|', 2)[0], found.Split('|', 2)[1]);
        var (expectedType, expectedDefault) = (expected.Split('|', 2)[0], expected.Split('|', 2)[1]);
        return SameText(foundType, expectedType) && DefinitionText.WithoutCasts(foundDefault) == DefinitionText.WithoutCasts(expectedDefault);
    }

    private static bool SameText(string left, string right) =>
        string.Equals(string.Join(' ', left.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)), string.Join(' ', right.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);

    private static RecoveryException Verification(string detail) => new(
        "ConversionVerificationFailed", FailureKind.InvalidOperation, $"The conversion was rolled back because a check before COMMIT failed: {detail}.");

    [GeneratedRegex(" NOT VALID$")]
    private static partial Regex NotValidSuffix();
}
