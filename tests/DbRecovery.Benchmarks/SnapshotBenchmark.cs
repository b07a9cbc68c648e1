using System.Diagnostics;
using System.Globalization;
using System.Text;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.TestSupport;

namespace DbRecovery.Benchmarks;

/// <summary>
/// The engine's catalog snapshot against <c>pg_dump --schema-only</c> on a database of 2,000 tables
/// of 10 columns, 2,000 foreign keys and 3,000 indexes: medians of several runs each, in one run.
/// </summary>
internal static class SnapshotBenchmark
{
    private const int Tables = 2000;

    public static async Task RunAsync(int runs)
    {
        var server = await PostgresServer.GetAsync();
        await using var database = await server.CreateDatabaseAsync();
        var generate = Stopwatch.StartNew();
        await database.ExecuteAsync(GenerateSchema());
        var state = await SnapshotAsync(database);
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"Generated {state.Tables.Count} tables, {state.Tables.Sum(t => t.Columns.Count)} columns, "
                    + $"{state.ForeignKeys.Count} foreign keys, {state.Tables.Sum(t => t.Indexes.Count)} indexes in "
                    + $"{generate.Elapsed.TotalSeconds:F1} s"
            )
        );

        var pgDump = Path.Combine(
            LocalCluster.FindBinDirectory() ?? throw new InvalidOperationException("pg_dump not found"),
            "pg_dump"
        );
        await DumpAsync(pgDump, database);
        var snapshotTimes = new List<double>();
        var dumpTimes = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            // Interleaved, so both see the same machine load.
            snapshotTimes.Add(await TimeAsync(() => SnapshotAsync(database)));
            dumpTimes.Add(await TimeAsync(() => DumpAsync(pgDump, database)));
        }

        var snapshot = Median(snapshotTimes);
        var dump = Median(dumpTimes);
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"snapshot (engine)       median of {runs}: {snapshot, 8:F0} ms"
            )
        );
        Console.WriteLine(
            string.Create(CultureInfo.InvariantCulture, $"pg_dump --schema-only   median of {runs}: {dump, 8:F0} ms")
        );
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"ratio snapshot / pg_dump: {snapshot / dump:F2} (target <= 0.50)"
            )
        );
    }

    private static string GenerateSchema()
    {
        var sql = new StringBuilder();
        for (var i = 0; i < Tables; i++)
        {
            sql.Append(
                CultureInfo.InvariantCulture,
                $"""
                CREATE TABLE t{i} (id uuid PRIMARY KEY, parent_id uuid, name text NOT NULL, note text, amount numeric(12,2),
                    created_at timestamptz DEFAULT now(), flags int DEFAULT 0, code varchar(36), payload jsonb, active boolean);

                """
            );
        }

        for (var i = 0; i < Tables; i++)
        {
            sql.Append(
                CultureInfo.InvariantCulture,
                $"ALTER TABLE t{i} ADD CONSTRAINT t{i}_parent_fk FOREIGN KEY (parent_id) REFERENCES "
                    + $"t{(i + 1) % Tables} (id);\n"
            );
            if (i % 2 == 0)
            {
                sql.Append(
                    CultureInfo.InvariantCulture,
                    $"CREATE INDEX t{i}_parent_idx ON t{i} (parent_id) WHERE active;\n"
                );
            }
        }

        return sql.ToString();
    }

    private static async Task<SchemaState> SnapshotAsync(TestDatabase database) =>
        await SchemaReader.CaptureAsync(
            ConnectionTarget.Parse(database.Url),
            new SchemaReadOptions(),
            NullRecoveryLog.Instance,
            CancellationToken.None
        );

    private static async Task DumpAsync(string pgDump, TestDatabase database)
    {
        var settings = database.Settings;
        var start = new ProcessStartInfo(pgDump) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (
            var argument in new[]
            {
                "--schema-only",
                "-h",
                settings.Host!,
                "-p",
                settings.Port.ToString(CultureInfo.InvariantCulture),
                "-U",
                settings.Username!,
                "-d",
                database.Name,
            }
        )
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PGPASSWORD"] = settings.Password;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await output;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("pg_dump failed: " + await error);
        }
    }

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var watch = Stopwatch.StartNew();
        await action();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1
            ? sorted[sorted.Count / 2]
            : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
