using System.Globalization;
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
internal sealed class ConversionRun(IdConversionPlan plan, IRecoveryLog log, Func<int, Task>? beforeStep) : PlanHooks
{
    private readonly List<IGrouping<QualifiedName, PlannedColumn>> _tables = plan
        .Columns.GroupBy(c => new QualifiedName(c.Schema, c.Table))
        .ToList();
    private readonly Dictionary<QualifiedName, ValueFingerprint> _baseline = [];
    private readonly Dictionary<QualifiedName, TimeSpan> _durations = [];

    /// <summary>The step that blocks writes; each attempt of the transaction fingerprints anew after it.</summary>
    private readonly int _firstLock = plan.Steps.TakeWhile(s => s.Kind != StepKind.Lock).Count();

    /// <summary>One result per converted column, once the transaction has passed its checks.</summary>
    public IReadOnlyList<ColumnConversion> Results { get; private set; } = [];

    public override Task BeforeStepAsync(
        DatabaseSession session,
        PlanStep step,
        int index,
        CancellationToken cancellationToken
    ) => beforeStep?.Invoke(index) ?? Task.CompletedTask;

    public override async Task AfterStepAsync(
        DatabaseSession session,
        PlanStep step,
        int index,
        TimeSpan elapsed,
        CancellationToken cancellationToken
    )
    {
        if (index == _firstLock)
        {
            for (var i = 0; i < _tables.Count; i++)
            {
                log.Progress(
                    new ProgressReport(
                        "Fingerprinting the converted columns (writes are blocked)",
                        _tables[i].Key.ToString(),
                        i,
                        _tables.Count
                    )
                );
                _baseline[_tables[i].Key] = await FingerprintAsync(
                        session,
                        _tables[i].Key,
                        _tables[i].ToList(),
                        cancellationToken
                    )
                    .ConfigureAwait(false);
            }
        }
        else if (step.Kind == StepKind.Rewrite)
        {
            _durations[step.Targets[0]] = elapsed;
            log.Verbose(
                string.Create(CultureInfo.InvariantCulture, $"{step.Target}: rewritten in {elapsed.TotalSeconds:F1} s")
            );
        }
    }

    public override async Task BeforeCommitAsync(DatabaseSession session, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<QualifiedName, long>();
        for (var i = 0; i < _tables.Count; i++)
        {
            var table = _tables[i];
            log.Progress(
                new ProgressReport(
                    "Checking the converted values before COMMIT",
                    table.Key.ToString(),
                    i,
                    _tables.Count
                )
            );
            var after = await FingerprintAsync(session, table.Key, table.ToList(), cancellationToken)
                .ConfigureAwait(false);
            if (after != _baseline[table.Key])
            {
                throw ConversionCatalogCheck.Failure(
                    $"the row count or the values of {table.Key} changed ({_baseline[table.Key]} before, {after} after)"
                );
            }

            rows[table.Key] = after.Rows;
        }

        await ConversionCatalogCheck
            .VerifyAsync(session, plan.Columns, plan.ExpectedForeignKeys, plan.ExpectedViews, cancellationToken)
            .ConfigureAwait(false);
        Results = plan
            .Columns.Select(c =>
                ColumnConversion.Of(
                    c,
                    rows[new QualifiedName(c.Schema, c.Table)],
                    _durations.GetValueOrDefault(new QualifiedName(c.Schema, c.Table))
                )
            )
            .ToList();
    }

    private static async Task<ValueFingerprint> FingerprintAsync(
        DatabaseSession session,
        QualifiedName table,
        IReadOnlyList<PlannedColumn> columns,
        CancellationToken cancellationToken
    )
    {
        var sums = string.Join(", ", columns.Select(c => $"COALESCE(sum({Hash(c)}), 0)"));
        await using var command = session.CreateCommand($"SELECT count(*), ARRAY[{sums}] FROM {table.Quoted}");
        command.CommandTimeout = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new ValueFingerprint(reader.GetInt64(0), reader.GetFieldValue<decimal[]>(1));
    }

    /// <summary>
    /// A 64-bit hash of a value as it is once converted, read from the column before or after the rewrite. An integer
    /// is hashed as bigint, whatever its width; a value that becomes uuid as a uuid (text goes through the cast the
    /// rewrite applies: upper case, braces and missing hyphens all name one uuid); a uuid that becomes text as its
    /// canonical text. So the side read while reads are blocked, after the rewrite, converts nothing. No lower() and no
    /// text where it can be helped: over 5M rows, lower() was two thirds of a uuid fingerprint, text half an integer
    /// one, and a uuid's text 0.57 s against 0.20 s for its own hash.
    /// </summary>
    internal static string Hash(PlannedColumn column)
    {
        var quoted = SqlIdentifier.Quote(column.Column);
        return IntegerKeys.Is(column.To) ? $"hashint8extended({quoted}::int8, 0)"
            : column.To == "uuid" ? $"uuid_hash_extended({quoted}::uuid, 0)"
            : $"hashtextextended({quoted}::text, 0)";
    }
}
