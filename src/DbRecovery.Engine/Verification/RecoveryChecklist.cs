using System.Globalization;
using System.Text.Json;
using DbRecovery.Engine.Alembic;
using DbRecovery.Engine.Alembic.Replay;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Comparison;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Sql;
using Npgsql;

namespace DbRecovery.Engine.Verification;

/// <summary>What the post-recovery checklist checks, beyond the database being reachable.</summary>
public sealed record ChecklistOptions
{
    /// <summary>
    /// The Alembic project: alembic_version must be at its head(s) and the schema must be the head's.
    /// </summary>
    public string? AlembicPath { get; init; }

    /// <summary>
    /// Difference kinds or tables (<c>Kind</c> or <c>schema.table</c>) that may differ from the head's schema.
    /// </summary>
    public IReadOnlyList<string> AllowedDifferences { get; init; } = [];

    /// <summary>Tables that must exist (<c>table</c> or <c>schema.table</c>).</summary>
    public IReadOnlyList<string> ExpectedTables { get; init; } = [];

    /// <summary>Column types that must hold, as <c>table.column=type</c> (schema optional).</summary>
    public IReadOnlyList<string> ExpectedColumnTypes { get; init; } = [];

    /// <summary>
    /// The end state real Alembic built (a recovery plan's reference): with <see cref="AlembicPath"/>, the schema must
    /// equal it; without it, the static replay of the head is the reference.
    /// </summary>
    public SchemaState? Reference { get; init; }

    /// <summary>
    /// Key types the recovery resolved as <c>schema.table.column=type</c> (the models' declarations): a column of that
    /// type (or one referencing it) is no difference from the head, but unlike <see cref="ExpectedColumnTypes"/> no
    /// check of its own.
    /// </summary>
    public IReadOnlyList<string> ResolvedColumnTypes { get; init; } = [];

    /// <summary>
    /// The rows each table must hold (schema.table → rows), or null: the rehearsal copy's after its steps, or the
    /// backup's.
    /// </summary>
    public IReadOnlyDictionary<string, long>? ExpectedRows { get; init; }

    /// <summary>
    /// Whether <see cref="ExpectedRows"/> are exact (the rehearsal ran the same steps on the same data), so a
    /// difference fails; counts from before the upgrade (a backup's manifest) only warn, since a data migration may
    /// change them.
    /// </summary>
    public bool RowsExact { get; init; }

    /// <summary>The version table, whose rows the stamp changes.</summary>
    public string VersionTable { get; init; } = "alembic_version";

    /// <summary>
    /// Health endpoints that must answer 2xx, optionally <c>url|property=value</c> for a JSON property.
    /// </summary>
    public IReadOnlyList<string> HealthUrls { get; init; } = [];

    /// <summary>How long each health endpoint may take.</summary>
    public TimeSpan HealthTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>The post-recovery checklist, as Pass/Fail/Warning objects a runbook can act on.</summary>
public static class RecoveryChecklist
{
    private static readonly HashSet<DifferenceKind> ExtraKinds =
    [
        DifferenceKind.ExtraTable,
        DifferenceKind.ExtraColumn,
        DifferenceKind.ExtraIndex,
        DifferenceKind.ExtraForeignKey,
        DifferenceKind.ExtraEnum,
    ];

    /// <summary>Runs every check that applies; nothing is changed.</summary>
    public static async Task<IReadOnlyList<RecoveryCheck>> RunAsync(
        ConnectionTarget target,
        ChecklistOptions options,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        var where = target.DisplayName;
        var checks = new List<RecoveryCheck>();
        SchemaState live;
        try
        {
            live = await SchemaReader
                .CaptureAsync(target, new SchemaReadOptions(), log, cancellationToken)
                .ConfigureAwait(false);
            checks.Add(
                new("DatabaseReachable", "Pass", $"PostgreSQL {live.ServerVersion}, database {live.Database}", where)
            );
        }
        catch (RecoveryException ex)
            when (ex.Kind
                    is FailureKind.ConnectionError
                        or FailureKind.AuthenticationError
                        or FailureKind.ObjectNotFound
                        or FailureKind.PermissionDenied
                || ex.ErrorId == "ConnectionTimeout"
            )
        {
            // Unreachable is a finding; a lock timeout or a cancellation is not, and goes to the caller as what it is.
            checks.Add(new("DatabaseReachable", "Fail", ex.Message, where));
            return checks;
        }

        if (options.AlembicPath is { } path)
        {
            var history = AlembicHistory.Load(path, log);
            var heads = history.Heads.Order(StringComparer.Ordinal).ToList();
            checks.Add(
                new(
                    "AlembicAtHead",
                    live.AlembicVersion.Order(StringComparer.Ordinal).SequenceEqual(heads) ? "Pass" : "Fail",
                    $"alembic_version is [{string.Join(", ", live.AlembicVersion)}]; the history's head is "
                        + $"[{string.Join(", ", heads)}]",
                    where
                )
            );
            var replay = StaticReplay.Run(history);

            // A key the history contradicts itself about is judged by the type the later reference needs, as the plan
            // resolves it.
            var intended = IntendedTypes(
                live,
                options
                    .ExpectedColumnTypes.Concat(options.ResolvedColumnTypes)
                    .Concat(HistoryContradiction.Find(replay).Select(c => c.Expectation))
            );
            var reference = options.Reference ?? replay.SchemaOf(heads);
            var differences = SchemaComparer
                .Compare(reference, live)
                .Where(d =>
                    !options.AllowedDifferences.Contains(d.Kind.ToString())
                    && !options.AllowedDifferences.Contains($"{d.Schema}.{d.Table}")
                    && !options.AllowedDifferences.Contains(d.Table)
                )
                .Where(d =>
                    !(
                        d.Kind == DifferenceKind.TypeMismatch
                        && d.Actual is not null
                        && intended.TryGetValue((d.Schema, d.Table, d.Column ?? string.Empty), out var type)
                        && PostgresTypeName.AreEqual(type, d.Actual)
                    )
                )
                .ToList();

            // Objects no revision creates (a reverted branch's tables, a DBA's index) are the database's own: kept, and
            // said.
            var extras = differences.Where(d => ExtraKinds.Contains(d.Kind)).ToList();
            differences = differences.Except(extras).ToList();
            checks.Add(
                new(
                    "SchemaMatchesHead",
                    differences.Count == 0 ? "Pass" : "Fail",
                    differences.Count == 0
                        ? (
                            options.Reference is null
                                ? "The schema is the head's"
                                : "The schema is the end state real Alembic built"
                        )
                        : $"{differences.Count} {(differences.Count == 1 ? "difference" : "differences")}: "
                            + $"{string.Join("; ", differences.Take(10))}",
                    where
                )
            );
            if (extras.Count > 0)
            {
                checks.Add(
                    new(
                        "KeptExtras",
                        "Warning",
                        $"{extras.Count} {(extras.Count == 1 ? "object" : "objects")} no revision creates, kept as "
                            + $"they are: {string.Join("; ", extras.Take(10))}",
                        where
                    )
                );
            }
        }

        if (options.ExpectedRows is { } expected)
        {
            checks.Add(
                await RowsAsync(target, live, expected, options.RowsExact, options.VersionTable, log, cancellationToken)
                    .ConfigureAwait(false)
            );
        }

        foreach (var name in options.ExpectedTables)
        {
            var table = Find(live, QualifiedName.Parse(name));
            checks.Add(
                new(
                    $"Table {name}",
                    table is null ? "Fail" : "Pass",
                    table is null ? "missing" : $"exists ({table.Columns.Count} columns)",
                    where
                )
            );
        }

        foreach (var expectation in options.ExpectedColumnTypes)
        {
            checks.Add(ColumnType(live, expectation, where));
        }

        var unvalidated = live
            .ForeignKeys.Where(f => !f.IsValidated)
            .Select(f => $"{f.Schema}.{f.Table}.{f.Name}")
            .ToList();
        checks.Add(
            new(
                "ForeignKeysValidated",
                unvalidated.Count == 0 ? "Pass" : "Fail",
                unvalidated.Count == 0
                    ? $"All {live.ForeignKeys.Count} foreign keys are validated"
                    : $"Not validated: {string.Join(", ", unvalidated)}",
                where
            )
        );
        checks.Add(await OrphansAsync(target, live, log, cancellationToken).ConfigureAwait(false));
        foreach (var url in options.HealthUrls)
        {
            checks.Add(await HealthAsync(url, options.HealthTimeout, cancellationToken).ConfigureAwait(false));
        }

        return checks;
    }

    /// <summary>
    /// The column types the recovery set on purpose: each <c>-ExpectColumnType</c> key, and every column that
    /// references one of them through a foreign key (the conversion changes those with it). A history that
    /// still says uuid differs from them by design, so those types are not differences from the head.
    /// </summary>
    internal static Dictionary<(string Schema, string Table, string Column), string> IntendedTypes(
        SchemaState live,
        IEnumerable<string> expectations
    )
    {
        var intended = new Dictionary<(string, string, string), string>();
        foreach (var expectation in expectations.Select(ColumnTypeExpectation.Parse).OfType<ColumnTypeExpectation>())
        {
            if (Find(live, expectation.Table) is { } table)
            {
                intended[(table.Schema, table.Name, expectation.Name)] = expectation.Type;
            }
        }

        for (var added = true; added; )
        {
            added = false;
            foreach (var fk in live.ForeignKeys)
            {
                foreach (var (column, referenced) in fk.Columns.Zip(fk.ReferencedColumns))
                {
                    if (intended.TryGetValue((fk.ReferencedSchema, fk.ReferencedTable, referenced), out var type))
                    {
                        added |= intended.TryAdd((fk.Schema, fk.Table, column), type);
                    }
                }
            }
        }

        return intended;
    }

    private static TableState? Find(SchemaState live, QualifiedName name) =>
        live.Tables.FirstOrDefault(t => name.Matches(t.Schema, t.Name));

    private static RecoveryCheck ColumnType(SchemaState live, string text, string where)
    {
        if (ColumnTypeExpectation.Parse(text) is not { } expectation)
        {
            return new(
                $"ColumnType {text}",
                "Fail",
                "Write expectations as table.column=type, e.g. users.id=varchar(36)",
                where
            );
        }

        var found = Find(live, expectation.Table)?.FindColumn(expectation.Name);
        return found is null
            ? new($"ColumnType {expectation.Column}", "Fail", "the column does not exist", where)
            : new(
                $"ColumnType {expectation.Column}",
                PostgresTypeName.AreEqual(found.Type, expectation.Type) ? "Pass" : "Fail",
                $"{found.Type} (expected {PostgresTypeName.Normalize(expectation.Type)})",
                where
            );
    }

    /// <summary>Every table that held rows holds as many now (the version table aside).</summary>
    private static async Task<RecoveryCheck> RowsAsync(
        ConnectionTarget target,
        SchemaState live,
        IReadOnlyDictionary<string, long> expected,
        bool exact,
        string versionTableName,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        var counts = await TableRows.CountAsync(target, live, log, cancellationToken).ConfigureAwait(false);
        var versionTable = QualifiedName.Parse(versionTableName);
        var differ = expected
            .Where(e => !live.Tables.Any(t => t.QualifiedName == e.Key && versionTable.Matches(t.Schema, t.Name)))
            .Where(e => !counts.TryGetValue(e.Key, out var now) || now != e.Value)
            .Select(e =>
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{e.Key}: {e.Value} then, {(counts.TryGetValue(e.Key, out var now) ? now : 0)} now"
                )
            )
            .ToList();
        var source = exact ? "the rehearsal copy after the same steps" : "the backup taken before the recovery";
        return differ.Count == 0
            ? new(
                "RowsKept",
                "Pass",
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"Every table holds the rows {source} holds ({expected.Count} tables, {expected.Values.Sum()} rows)"
                ),
                target.DisplayName
            )
            : new(
                "RowsKept",
                exact ? "Fail" : "Warning",
                "Rows differ from "
                    + source
                    + (exact ? string.Empty : " (a data migration may explain it; -Rehearse checks rows exactly)")
                    + $": {string.Join("; ", differ.Take(10))}",
                target.DisplayName
            );
    }

    /// <summary>An anti-join per foreign key, all in one batch: rows whose key has no referenced row.</summary>
    private static async Task<RecoveryCheck> OrphansAsync(
        ConnectionTarget target,
        SchemaState live,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        var keys = live
            .ForeignKeys.Where(f => f.Columns.Count == f.ReferencedColumns.Count && f.Columns.Count > 0)
            .ToList();
        if (keys.Count == 0)
        {
            return new("NoOrphanRows", "Pass", "There are no foreign keys to check", target.DisplayName);
        }

        await using var session = await DatabaseSession.OpenAsync(target, log, cancellationToken).ConfigureAwait(false);
        await using var transaction = await session.BeginReadOnlyAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(session.Connection);
        foreach (var fk in keys)
        {
            var present = string.Join(" AND ", fk.Columns.Select(c => $"c.{SqlIdentifier.Quote(c)} IS NOT NULL"));
            var join = string.Join(
                " AND ",
                fk.Columns.Zip(fk.ReferencedColumns, (c, r) =>
                    $"p.{SqlIdentifier.Quote(r)} = c.{SqlIdentifier.Quote(c)}"
                )
            );
            batch.BatchCommands.Add(
                new NpgsqlBatchCommand(
                    $"SELECT count(*) FROM {SqlIdentifier.Quote(fk.Schema, fk.Table)} c WHERE {present} AND NOT "
                        + $"EXISTS (SELECT 1 FROM {SqlIdentifier.Quote(fk.ReferencedSchema, fk.ReferencedTable)} p "
                        + $"WHERE {join})"
                )
            );
        }

        var orphans = new List<string>();
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var fk in keys)
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (reader.GetInt64(0) is var count and > 0)
                {
                    orphans.Add(
                        string.Create(CultureInfo.InvariantCulture, $"{fk.Schema}.{fk.Table}.{fk.Name}: {count}")
                    );
                }

                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return new(
            "NoOrphanRows",
            orphans.Count == 0 ? "Pass" : "Fail",
            orphans.Count == 0
                ? $"No foreign key of {keys.Count} has orphan rows"
                : $"Orphan rows: {string.Join(", ", orphans)}",
            target.DisplayName
        );
    }

    private static async Task<RecoveryCheck> HealthAsync(
        string spec,
        TimeSpan timeout,
        CancellationToken cancellationToken
    )
    {
        var bar = spec.IndexOf('|', StringComparison.Ordinal);
        var url = bar < 0 ? spec : spec[..bar];
        var property = bar < 0 ? null : spec[(bar + 1)..];
        using var client = new HttpClient { Timeout = timeout };
        try
        {
            using var response = await client.GetAsync(new Uri(url), cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return new($"Health {url}", "Fail", $"HTTP {(int)response.StatusCode}", url);
            }

            if (property is null)
            {
                return new($"Health {url}", "Pass", $"HTTP {(int)response.StatusCode}", url);
            }

            var eq = property.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? property : property[..eq];
            using var json = JsonDocument.Parse(
                await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)
            );
            var value = json.RootElement.TryGetProperty(name, out var element) ? element.ToString() : null;
            var expected = eq < 0 ? null : property[(eq + 1)..];
            var ok =
                value is not null
                && (expected is null || string.Equals(value, expected, StringComparison.OrdinalIgnoreCase));
            return new(
                $"Health {url}",
                ok ? "Pass" : "Fail",
                $"{name} is {value ?? "absent"}{(expected is null ? string.Empty : $" (expected {expected})")}",
                url
            );
        }
        catch (Exception ex)
            when ((ex is HttpRequestException or TaskCanceledException or JsonException or UriFormatException)
                && !cancellationToken.IsCancellationRequested
            )
        {
            return new($"Health {url}", "Fail", ex.Message, url);
        }
    }
}
