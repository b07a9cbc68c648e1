using System.Diagnostics;
using System.Globalization;
using System.Text;
using DbRecovery.Engine.Alembic;
using DbRecovery.Engine.Alembic.Replay;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Comparison;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Sql;
using DbRecovery.TestSupport;

namespace DbRecovery.Benchmarks;

/// <summary>
/// A 1,000-revision history with branches and merges over 2,000 tables: time to parse it, to replay it
/// to head, and to rank all revisions against a live snapshot of a database at revision 600.
/// </summary>
internal static class AlembicBenchmark
{
    internal const int Revisions = 1000;
    internal const int LiveRevision = 600;

    public static async Task RunAsync(int runs)
    {
        using var project = new AlembicTestProject();
        Generate(project);
        var server = await PostgresServer.GetAsync();
        await using var database = await server.CreateDatabaseAsync();

        var history = AlembicHistory.Load(project.Root, NullRecoveryLog.Instance);
        var replay = StaticReplay.Run(history);
        var live = history.Revisions[LiveRevision].Revision;
        await database.ExecuteAsync(
            Ddl(replay.SchemaOf(live))
                + "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY); INSERT INTO alembic_version "
                + $"VALUES ('{history.Heads[0]}');"
        );
        var actual = await SchemaReader.CaptureAsync(
            ConnectionTarget.Parse(database.Url),
            new SchemaReadOptions(),
            NullRecoveryLog.Instance,
            CancellationToken.None
        );
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"History: {history.Revisions.Count} revisions ({history.Revisions.Count(r => r.IsMerge)} merges), "
                    + $"{replay.SchemaOf(history.Heads).Tables.Count} tables at head; live database at revision "
                    + $"#{LiveRevision} ({actual.Tables.Count} tables)"
            )
        );

        var parse = Median(runs, () => AlembicHistory.Load(project.Root, NullRecoveryLog.Instance));
        var toHead = Median(runs, () => StaticReplay.Run(history).SchemaOf(history.Heads));
        IReadOnlyList<RevisionMatch> ranked = [];
        var rank = Median(runs, () => ranked = RevisionRanker.Rank(StaticReplay.Run(history), actual, 5));
        var rankOnly = Median(runs, () => RevisionRanker.Rank(replay, actual, 5));
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"parse 1,000 migration files          median of {runs}: {parse, 7:F0} ms (target < 1000)"
            )
        );
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"replay to head                       median of {runs}: {toHead, 7:F0} ms (target < 1000)"
            )
        );
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"replay + rank all revisions          median of {runs}: {rank, 7:F0} ms (target < 1000)"
            )
        );
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"rank all revisions (replay reused)   median of {runs}: {rankOnly, 7:F0} ms"
            )
        );
        Console.WriteLine($"best match: {ranked[0].Revision} (expected {live}), score {ranked[0].Score:F3}");
    }

    /// <summary>
    /// A linear trunk; every 50th revision opens a 4-revision branch that a later trunk revision merges.
    /// </summary>
    internal static void Generate(AlembicTestProject project)
    {
        var table = 0;
        string? previous = null;
        string? branchTip = null;
        for (var i = 0; i < Revisions; i++)
        {
            var id = string.Create(CultureInfo.InvariantCulture, $"r{i:0000}aa");
            var body = new StringBuilder();
            if (i % 50 == 10 && branchTip is not null)
            {
                project.Revision(id, $"{previous},{branchTip}", "pass", "merge");
                previous = id;
                branchTip = null;
                continue;
            }

            var onBranch = i % 50 is >= 1 and <= 4;
            var parent = onBranch ? branchTip ?? previous : previous;
            for (var k = 0; k < 2; k++, table++)
            {
                body.Append(
                    CultureInfo.InvariantCulture,
                    $"op.create_table('t{table}', sa.Column('id', sa.String(36), primary_key=True)"
                );
                for (var c = 0; c < 8; c++)
                {
                    body.Append(
                        CultureInfo.InvariantCulture,
                        $", sa.Column('c{c}', sa.{(c % 2 == 0 ? "Integer()" : "Text()")})"
                    );
                }

                body.Append(
                    table > 0
                        ? string.Create(
                            CultureInfo.InvariantCulture,
                            $", sa.Column('parent_id', sa.String(36), sa.ForeignKey('t{table - 1}.id'))"
                        )
                        : ", sa.Column('parent_id', sa.String(36))"
                );
                body.Append(")\n");
                if (table % 3 == 0)
                {
                    body.Append(
                        CultureInfo.InvariantCulture,
                        $"op.create_index('ix_t{table}_c0', 't{table}', ['c0'])\n"
                    );
                }
            }

            project.Revision(id, parent, body.ToString());
            if (onBranch)
            {
                branchTip = id;
            }
            else
            {
                previous = id;
            }
        }
    }

    /// <summary>
    /// The DDL that builds <paramref name="state"/>: tables with their primary keys, then indexes and foreign keys.
    /// </summary>
    internal static string Ddl(SchemaState state)
    {
        var sql = new StringBuilder();
        foreach (var table in state.Tables)
        {
            var key = table.PrimaryKey is { } pk
                ? $", CONSTRAINT {SqlIdentifier.Quote(pk.Name)} PRIMARY KEY "
                    + $"({string.Join(", ", pk.Columns.Select(SqlIdentifier.Quote))})"
                : string.Empty;
            sql.Append(
                CultureInfo.InvariantCulture,
                $"CREATE TABLE {SqlIdentifier.Quote(table.Schema, table.Name)} "
                    + $"({string.Join(", ", table.Columns.Select(c => $"{SqlIdentifier.Quote(c.Name)} {c.Type}{(c.IsNullable ? string.Empty : " NOT NULL")}"))}{key});\n"
            );
            foreach (var index in table.Indexes.Where(i => !i.IsPrimary))
            {
                sql.Append(
                    CultureInfo.InvariantCulture,
                    $"CREATE INDEX {SqlIdentifier.Quote(index.Name)} ON "
                        + $"{SqlIdentifier.Quote(table.Schema, table.Name)} "
                        + $"({string.Join(", ", index.Columns.Select(c => SqlIdentifier.Quote(c!)))});\n"
                );
            }
        }

        foreach (var fk in state.Tables.SelectMany(t => t.ForeignKeys))
        {
            sql.Append(
                CultureInfo.InvariantCulture,
                $"ALTER TABLE {SqlIdentifier.Quote(fk.Schema, fk.Table)} ADD CONSTRAINT "
                    + $"{SqlIdentifier.Quote(fk.Name)} FOREIGN KEY "
                    + $"({string.Join(", ", fk.Columns.Select(SqlIdentifier.Quote))}) REFERENCES "
                    + $"{SqlIdentifier.Quote(fk.ReferencedSchema, fk.ReferencedTable)} "
                    + $"({string.Join(", ", fk.ReferencedColumns.Select(SqlIdentifier.Quote))});\n"
            );
        }

        return sql.ToString();
    }

    internal static double Median<T>(int runs, Func<T> action)
    {
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }
}
