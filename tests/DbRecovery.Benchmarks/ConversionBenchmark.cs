using System.Collections.Concurrent;
using System.Data;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Conversion;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Journal;
using DbRecovery.TestSupport;
using Npgsql;

namespace DbRecovery.Benchmarks;

/// <summary>
/// An incident-shaped database at scale (1M users, 10k organizations, 5M deals with five referencing
/// columns, 2M documents, 1M comments at scale 1), converted on fresh copies three ways: (a) the hand
/// script's one ALTER per column, (b) Convert-IdColumns, (c) the floor, one CREATE TABLE AS per table plus
/// its indexes. Prints each total and downtime (first ACCESS EXCLUSIVE lock to COMMIT).
/// </summary>
internal static partial class ConversionBenchmark
{
    private static readonly (string Table, string[] Columns)[] Referencing =
    [
        ("organizations", ["id"]),
        ("users", ["id", "organization_id"]),
        ("deals", ["organization_id", "created_by", "updated_by", "owner_id", "assignee_id"]),
        ("documents", ["uploaded_by"]),
        ("comments", ["author_id"]),
    ];

    public static async Task RunAsync(double scale, KeyKind kind)
    {
        var server = await PostgresServer.GetAsync();
        await using var source = await server.CreateDatabaseAsync();
        var generate = Stopwatch.StartNew();
        await source.ExecuteAsync(Schema(scale, kind), timeoutSeconds: 0);
        await source.ExecuteAsync("VACUUM ANALYZE", timeoutSeconds: 0);
        var sizes = await source.ScalarAsync<string>(Sizes);
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"Generated the incident database ({kind.Name} keys to {kind.Target}) at scale {scale} in "
            ) + string.Create(CultureInfo.InvariantCulture, $"{generate.Elapsed.TotalSeconds:F0} s: {sizes}")
        );

        var a = await OnCopyAsync(server, source, database => PerColumnAsync(database, kind));
        var b = await OnCopyAsync(server, source, async database =>
            (await ConvertOfflineAsync(database, kind)).Downtime.TotalSeconds
        );
        var c = await OnCopyAsync(server, source, database => FloorAsync(database, kind));
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"(a) per-column script   total {a.Total, 7:F1} s   downtime {a.Downtime, 7:F1} s"
            )
        );
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"(b) Convert-IdColumns   total {b.Total, 7:F1} s   downtime {b.Downtime, 7:F1} s"
            )
        );
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"(c) floor (CTAS+index)  total {c.Total, 7:F1} s   downtime {c.Downtime, 7:F1} s"
            )
        );
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"b downtime / c downtime = {b.Downtime / c.Downtime:F2} (target <= 1.15)"
            )
        );
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"a downtime / b downtime = {a.Downtime / b.Downtime:F2} (target >= 2.5)"
            )
        );
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"a total / b total       = {a.Total / b.Total:F2} (target >= 1.7)"
            )
        );
    }

    internal const string Sizes = """
        SELECT string_agg(relname || ' ' || reltuples::bigint || ' rows ' || pg_size_pretty(pg_total_relation_size(oid)), ', ' ORDER BY relname)
        FROM pg_class WHERE relname IN ('organizations', 'users', 'deals', 'documents', 'comments') AND relkind = 'r'
        """;

    internal static string Schema(double scale, KeyKind? kind = null)
    {
        kind ??= KeyKind.Uuid;
        long N(double n) => Math.Max(10, (long)(n * scale));
        return FormattableString.Invariant(
            $"""
            CREATE TABLE organizations (id {kind.OrganizationKey}, name text NOT NULL);
            CREATE TABLE users (id {kind.UserKey}, organization_id {kind.Type} NOT NULL REFERENCES organizations (id) ON DELETE CASCADE, email text NOT NULL);
            CREATE TABLE deals (id bigserial PRIMARY KEY, organization_id {kind.Type} NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
                created_by {kind.Type} REFERENCES users (id) ON DELETE SET NULL, updated_by {kind.Type} REFERENCES users (id) ON DELETE SET NULL,
                owner_id {kind.Type} REFERENCES users (id) ON DELETE RESTRICT, assignee_id {kind.Type} REFERENCES users (id), title text NOT NULL);
            CREATE TABLE documents (id bigserial PRIMARY KEY, uploaded_by {kind.Type} NOT NULL REFERENCES users (id), name text);
            CREATE TABLE comments (id bigserial PRIMARY KEY, author_id {kind.Type} NOT NULL REFERENCES users (id), body text);
            INSERT INTO organizations (name) SELECT 'org ' || g FROM generate_series(1, {N(10_000)}) g;
            CREATE TEMP TABLE o AS SELECT row_number() OVER () AS n, id FROM organizations;
            INSERT INTO users (organization_id, email) SELECT o.id, 'user' || g || '@example.test' FROM generate_series(1, {N(
                1_000_000
            )}) g JOIN o ON o.n = 1 + g % {N(10_000)};
            CREATE TEMP TABLE u AS SELECT row_number() OVER () AS n, id, organization_id FROM users;
            CREATE INDEX ON u (n);
            INSERT INTO deals (organization_id, created_by, updated_by, owner_id, assignee_id, title)
                SELECT u.organization_id, u.id, u.id, u.id, u.id, 'deal ' || g FROM generate_series(1, {N(
                5_000_000
            )}) g JOIN u ON u.n = 1 + g % {N(1_000_000)};
            INSERT INTO documents (uploaded_by, name) SELECT u.id, 'doc ' || g FROM generate_series(1, {N(
                2_000_000
            )}) g JOIN u ON u.n = 1 + g % {N(1_000_000)};
            INSERT INTO comments (author_id, body) SELECT u.id, 'comment ' || g FROM generate_series(1, {N(
                1_000_000
            )}) g JOIN u ON u.n = 1 + g % {N(1_000_000)};
            CREATE INDEX deals_owner_idx ON deals (owner_id);
            CREATE INDEX documents_uploaded_by_idx ON documents (uploaded_by);
            """
        );
    }

    private static Task<(double Total, double Downtime)> OnCopyAsync(
        PostgresServer server,
        TestDatabase source,
        Func<TestDatabase, Task<double>> approach
    ) => OnCopyAsync(server, source, async target =>
        {
            var watch = Stopwatch.StartNew();
            var downtime = await approach(target);
            return (watch.Elapsed.TotalSeconds, downtime);
        });

    /// <summary>
    /// Runs <paramref name="work"/> on a fresh copy of <paramref name="source"/>, dropped afterwards.
    /// </summary>
    internal static async Task<T> OnCopyAsync<T>(
        PostgresServer server,
        TestDatabase source,
        Func<TestDatabase, Task<T>> work
    )
    {
        await using var admin = new NpgsqlConnection(server.Admin.ConnectionString);
        await admin.OpenAsync();
        var name = source.Name + "_copy";
        await using (
            var copy = new NpgsqlCommand(
                $"DROP DATABASE IF EXISTS \"{name}\"; CREATE DATABASE \"{name}\" TEMPLATE \"{source.Name}\"",
                admin
            )
        )
        {
            await copy.ExecuteNonQueryAsync();
        }

        await using var target = new TestDatabase(server, name);
        return await work(target);
    }

    /// <summary>
    /// (a) The hand-written script: drop the keys, one ALTER per column, re-create the keys validated, all locked.
    /// </summary>
    internal static async Task<double> PerColumnAsync(TestDatabase database, KeyKind kind)
    {
        await using var connection = await database.OpenAsync();
        var foreignKeys = await ForeignKeysAsync(connection);
        var sql = new List<string> { "BEGIN" };
        sql.AddRange(foreignKeys.Select(f => $"ALTER TABLE {f.Table} DROP CONSTRAINT {f.Name}"));
        sql.AddRange(
            Referencing.SelectMany(t =>
                t.Columns.Select(c =>
                    $"ALTER TABLE {t.Table} ALTER COLUMN {c} TYPE {kind.Target} USING {kind.Using(c)}"
                )
            )
        );
        if (kind == KeyKind.Integer)
        {
            sql.Add("ALTER SEQUENCE organizations_id_seq AS bigint");
        }

        sql.AddRange(foreignKeys.Select(f => $"ALTER TABLE {f.Table} ADD CONSTRAINT {f.Name} {f.Definition}"));
        sql.Add("COMMIT");
        var locked = Stopwatch.StartNew();
        await ExecuteEachAsync(connection, sql);
        return locked.Elapsed.TotalSeconds;
    }

    private static async Task<List<(string Table, string Name, string Definition)>> ForeignKeysAsync(
        NpgsqlConnection connection
    )
    {
        var foreignKeys = new List<(string Table, string Name, string Definition)>();
        await using var read = new NpgsqlCommand(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f'",
            connection
        );
        await using var reader = await read.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            foreignKeys.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return foreignKeys;
    }

    private static async Task ExecuteEachAsync(NpgsqlConnection connection, IEnumerable<string> statements)
    {
        foreach (var statement in statements)
        {
            await using var command = new NpgsqlCommand(statement, connection) { CommandTimeout = 0 };
            await command.ExecuteNonQueryAsync();
        }
    }

    internal static readonly ConversionRoot[] Roots = [new(null, "users", null), new(null, "organizations", null)];

    internal static JournalContext Journal =>
        new(
            new RecoveryJournal(Path.Combine(Path.GetTempPath(), "dbrecovery-benchmark-journal.jsonl")),
            "benchmark",
            new Dictionary<string, string>()
        );

    /// <summary>
    /// (b) The offline conversion of <paramref name="database"/>, with the times of its locks (the locked window is
    /// from its ACCESS EXCLUSIVE lock to COMMIT).
    /// </summary>
    internal static async Task<TimingLog> ConvertOfflineAsync(TestDatabase database, KeyKind kind)
    {
        var target = ConnectionTarget.Parse(database.ConnectionString + ";Command Timeout=0");
        var log = new TimingLog();
        var plan = await IdConversion.PlanAsync(target, Roots, kind.Target, log, CancellationToken.None);
        await IdConversion.ApplyAsync(
            target.WithLockTimeout(TimeSpan.FromSeconds(30)),
            plan,
            Journal,
            log,
            CancellationToken.None
        );
        log.Finish();
        return log;
    }

    /// <summary>
    /// (c) The floor: copy each affected table with the converted types, then build its indexes; with
    /// <paramref name="foreignKeys"/>, then also add the tables' foreign keys between the copies (validated), the
    /// floor of a conversion that ends with every key checked.
    /// </summary>
    internal static async Task<double> FloorAsync(TestDatabase database, KeyKind kind, bool foreignKeys = false)
    {
        await using var connection = await database.OpenAsync();
        var watch = Stopwatch.StartNew();

        // One snapshot for every copy: under the workload, copies taken one after another would not match each other.
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead);
        foreach (var (table, columns) in Referencing)
        {
            var select = await new NpgsqlCommand(
                $"SELECT string_agg(CASE WHEN attname = ANY(@c) THEN attname || '::{kind.Target} AS ' || attname ELSE "
                    + $"attname END, ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = '{table}'::regclass AND "
                    + "attnum > 0 AND NOT attisdropped",
                connection
            )
            {
                Parameters = { new("c", columns) },
            }.ExecuteScalarAsync();
            var indexes = new List<string>();
            await using (
                var read = new NpgsqlCommand(
                    $"SELECT replace(pg_get_indexdef(indexrelid), ' ON public.{table} ', ' ON public.{table}_copy ') "
                        + $"FROM pg_index WHERE indrelid = '{table}'::regclass",
                    connection
                )
            )
            await using (var reader = await read.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    indexes.Add(reader.GetString(0).Replace("INDEX ", "INDEX copy_", StringComparison.Ordinal));
                }
            }

            await ExecuteEachAsync(
                connection,
                indexes.Prepend($"CREATE TABLE {table}_copy AS SELECT {select} FROM {table}")
            );
        }

        if (foreignKeys)
        {
            var copies = Referencing.Select(r => r.Table).ToList();
            var keys = (await ForeignKeysAsync(connection))
                .Where(f => copies.Contains(f.Table))
                .Select(f =>
                    $"ALTER TABLE {f.Table}_copy ADD "
                    + Regex.Replace(
                        f.Definition,
                        $@"REFERENCES ({string.Join("|", copies)})\(",
                        "REFERENCES ${1}_copy("
                    )
                );
            await ExecuteEachAsync(connection, keys);
        }

        await transaction.CommitAsync();
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Times the locked windows from the engine's own messages: the SHARE lock (writes blocked) and the ACCESS
    /// EXCLUSIVE lock (reads too) to COMMIT.
    /// </summary>
    /// <param name="phases">Where to add the time of each online step the engine reports ("public.deals: Backfill done
    /// in 3.1 s").</param>
    internal sealed partial class TimingLog(List<(string Kind, double Seconds)>? phases = null) : IRecoveryLog
    {
        private readonly ConcurrentDictionary<string, DateTime> _marks = new();

        public TimeSpan Downtime => _marks["committed"] - _marks["locked"];

        /// <summary>
        /// How long writes were blocked: from the SHARE lock (or the ACCESS EXCLUSIVE one, if none) to COMMIT.
        /// </summary>
        public TimeSpan WritesBlocked => _marks["committed"] - _marks.GetValueOrDefault("share", _marks["locked"]);

        /// <summary>
        /// From COMMIT to <see cref="Finish"/>: what runs after the locks are gone (foreign keys validated, ANALYZE).
        /// </summary>
        public TimeSpan AfterCommit => _marks["finished"] - _marks["committed"];

        public void Finish() => _marks.TryAdd("finished", DateTime.UtcNow);

        public void Verbose(string message)
        {
            if (phases is not null && StepTime().Match(message) is { Success: true } step)
            {
                lock (phases)
                {
                    phases.Add(
                        (step.Groups[1].Value, double.Parse(step.Groups[2].Value, CultureInfo.InvariantCulture))
                    );
                }
            }

            if (
                message.StartsWith("LOCK TABLE", StringComparison.Ordinal)
                && message.EndsWith(" IN SHARE MODE", StringComparison.Ordinal)
            )
            {
                _marks.TryAdd("share", DateTime.UtcNow);
            }
            else if (
                message.StartsWith("LOCK TABLE", StringComparison.Ordinal)
                && message.EndsWith("ACCESS EXCLUSIVE MODE", StringComparison.Ordinal)
            )
            {
                _marks.TryAdd("locked", DateTime.UtcNow);
            }
            else if (_marks.ContainsKey("commit") && !_marks.ContainsKey("committed"))
            {
                _marks.TryAdd("committed", DateTime.UtcNow);
            }
            else if (message == "COMMIT")
            {
                _marks.TryAdd("commit", DateTime.UtcNow);
            }
        }

        public void Warning(string message) { }

        public void Progress(ProgressReport report) { }

        [GeneratedRegex(@": (\w+) done in ([\d.]+) s$")]
        private static partial Regex StepTime();
    }
}
