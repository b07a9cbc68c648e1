using System.Diagnostics;
using System.Globalization;
using DbRecovery.Engine.Alembic;
using DbRecovery.Engine.Backup;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Journal;
using DbRecovery.Engine.Planning;
using DbRecovery.Engine.Sql;
using DbRecovery.TestSupport;

namespace DbRecovery.Benchmarks;

/// <summary>
/// Recovery planning and execution: (1) Get-RecoveryPlan's static planning and Test-AlembicUpgrade's exact
/// rehearsal on the 1,000-revision history over a 2,000-table database stamped head but at revision 600;
/// (2) Invoke-RecoveryPlan -Rehearse on the incident database at scale (the conversion benchmark's
/// generator, later revisions referencing users.id as String(36)): each step's time and lock window on the
/// rehearsal copy against the real run.
/// </summary>
internal static class RecoveryBenchmark
{
    private const string IncidentHistory = """
        op.create_table("organizations", sa.Column("id", postgresql.UUID(), primary_key=True, server_default=sa.text("gen_random_uuid()")), sa.Column("name", sa.Text(), nullable=False))
        op.create_table("users", sa.Column("id", postgresql.UUID(), primary_key=True, server_default=sa.text("gen_random_uuid()")),
            sa.Column("organization_id", postgresql.UUID(), sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False), sa.Column("email", sa.Text(), nullable=False))
        op.create_table("deals", sa.Column("id", sa.BigInteger(), primary_key=True),
            sa.Column("organization_id", postgresql.UUID(), sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
            sa.Column("created_by", postgresql.UUID(), sa.ForeignKey("users.id", ondelete="SET NULL")),
            sa.Column("updated_by", postgresql.UUID(), sa.ForeignKey("users.id", ondelete="SET NULL")),
            sa.Column("owner_id", postgresql.UUID(), sa.ForeignKey("users.id", ondelete="RESTRICT")),
            sa.Column("assignee_id", postgresql.UUID(), sa.ForeignKey("users.id")),
            sa.Column("title", sa.Text(), nullable=False))
        op.create_table("documents", sa.Column("id", sa.BigInteger(), primary_key=True), sa.Column("uploaded_by", postgresql.UUID(), sa.ForeignKey("users.id"), nullable=False), sa.Column("name", sa.Text()))
        op.create_table("comments", sa.Column("id", sa.BigInteger(), primary_key=True), sa.Column("author_id", postgresql.UUID(), sa.ForeignKey("users.id"), nullable=False), sa.Column("body", sa.Text()))
        op.create_index("deals_owner_idx", "deals", ["owner_id"])
        op.create_index("documents_uploaded_by_idx", "documents", ["uploaded_by"])
        """;

    public static async Task RunAsync(double scale, int runs)
    {
        var server = await PostgresServer.GetAsync();
        await PlanningAsync(server, runs);
        await RehearsalAsync(server, scale);
    }

    private static async Task PlanningAsync(PostgresServer server, int runs)
    {
        using var project = new AlembicTestProject();
        AlembicBenchmark.Generate(project);
        await using var database = await server.CreateDatabaseAsync();
        await using var scratch = await server.CreateDatabaseAsync();
        var history = AlembicHistory.Load(project.Root, NullRecoveryLog.Instance);
        var at = history.Revisions[AlembicBenchmark.LiveRevision].Revision;
        var schema = Engine.Alembic.Replay.StaticReplay.Run(history).SchemaOf(at);
        await database.ExecuteAsync(
            AlembicBenchmark.Ddl(schema)
                + "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY); INSERT INTO alembic_version "
                + $"VALUES ('{history.Heads[0]}');",
            timeoutSeconds: 0
        );
        var target = ConnectionTarget.Parse(database.Url);

        RecoveryPlan? plan = null;
        var planning = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            plan = await RecoveryPlanner.PlanAsync(
                target,
                AlembicHistory.Load(project.Root, NullRecoveryLog.Instance),
                project.Root,
                VersionTable.Default,
                null,
                null,
                null,
                NullRecoveryLog.Instance,
                CancellationToken.None
            );
            planning.Add(watch.Elapsed.TotalMilliseconds);
        }

        planning.Sort();
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"Get-RecoveryPlan (static), {history.Revisions.Count} revisions, {plan!.Forecast!.Revisions.Count} "
            )
                + string.Create(
                    CultureInfo.InvariantCulture,
                    $"to run over a database of {schema.Tables.Count} tables: median of {runs} "
                )
                + string.Create(
                    CultureInfo.InvariantCulture,
                    $"{planning[runs / 2], 7:F0} ms (target < 2000); true revision "
                )
                + string.Create(
                    CultureInfo.InvariantCulture,
                    $"{string.Join(",", plan.Revisions)} (expected {at}), forecast {plan.Forecast.Verdict}, "
                )
                + string.Create(CultureInfo.InvariantCulture, $"{plan.Blockers.Count} blockers")
        );

        var decided = Stopwatch.StartNew();
        var exactPlan = await RecoveryPlanner.PlanAsync(
            target,
            history,
            project.Root,
            VersionTable.Default,
            null,
            null,
            Exact(project, scratch),
            NullRecoveryLog.Instance,
            CancellationToken.None
        );
        Console.WriteLine(
            "Get-RecoveryPlan -ScratchConnectionString (real Alembic decides: exact replay of every revision, "
                + string.Create(
                    CultureInfo.InvariantCulture,
                    $"schema copy, upgrade): {decided.Elapsed.TotalSeconds, 7:F1} s, true revision "
                )
                + string.Create(
                    CultureInfo.InvariantCulture,
                    $"{string.Join(",", exactPlan.Revisions)}, {exactPlan.Blockers.Count} blockers, "
                )
                + string.Create(CultureInfo.InvariantCulture, $"{exactPlan.ReplayDefects.Count} replay defects")
        );

        var exact = Stopwatch.StartNew();
        var report = await UpgradeRehearsal.RunAsync(
            target,
            ConnectionTarget.Parse(scratch.Url),
            history,
            AlembicCli.For(project.Root, AlembicTestProject.AlembicCommand, "DATABASE_URL"),
            plan.Revisions,
            history.Heads,
            "heads",
            PgTools.Locate(null),
            NullRecoveryLog.Instance,
            CancellationToken.None
        );
        Console.WriteLine(
            "Test-AlembicUpgrade -ScratchConnectionString (exact: schema copy + real Alembic, "
                + string.Create(
                    CultureInfo.InvariantCulture,
                    $"{report.Revisions.Count} revisions): {exact.Elapsed.TotalSeconds, 7:F1} s, verdict "
                )
                + string.Create(CultureInfo.InvariantCulture, $"{report.Verdict}")
        );
    }

    private static async Task RehearsalAsync(PostgresServer server, double scale)
    {
        using var project = new AlembicTestProject()
            .Revision("inc00001", null, IncidentHistory, "incident schema")
            .Revision(
                "inc00002",
                "inc00001",
                """op.create_table("folders", sa.Column("id", sa.String(36), primary_key=True), sa.Column("owner_id", sa.String(36), sa.ForeignKey("users.id"), nullable=False))""",
                "folders"
            );
        await using var database = await server.CreateDatabaseAsync();
        await using var scratch = await server.CreateDatabaseAsync();
        var generate = Stopwatch.StartNew();
        await database.ExecuteAsync(
            ConversionBenchmark.Schema(scale)
                + "CREATE TABLE alembic_version (version_num varchar(32) NOT NULL, CONSTRAINT alembic_version_pkc "
                + "PRIMARY KEY (version_num)); INSERT INTO alembic_version VALUES ('inc00002');",
            timeoutSeconds: 0
        );
        await database.ExecuteAsync("VACUUM ANALYZE", timeoutSeconds: 0);
        var sizes = await database.ScalarAsync<string>(ConversionBenchmark.Sizes);
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"Generated the incident database at scale {scale} in {generate.Elapsed.TotalSeconds:F0} s: {sizes}"
            )
        );

        var target = ConnectionTarget.Parse(database.Url);
        var history = AlembicHistory.Load(project.Root, NullRecoveryLog.Instance);
        var predicting = Stopwatch.StartNew();
        var predicted = await RecoveryPlanner.PlanAsync(
            target,
            history,
            project.Root,
            VersionTable.Default,
            null,
            null,
            null,
            NullRecoveryLog.Instance,
            CancellationToken.None
        );
        var predictedSeconds = predicting.Elapsed.TotalSeconds;
        var deciding = Stopwatch.StartNew();
        var plan = await RecoveryPlanner.PlanAsync(
            target,
            history,
            project.Root,
            VersionTable.Default,
            null,
            null,
            Exact(project, scratch),
            NullRecoveryLog.Instance,
            CancellationToken.None
        );
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"Get-RecoveryPlan on the incident: static {predictedSeconds:F2} s ({predicted}), with real Alembic "
            ) + string.Create(CultureInfo.InvariantCulture, $"deciding {deciding.Elapsed.TotalSeconds:F2} s ({plan})")
        );
        Console.WriteLine(
            $"Plan: {plan}; conversions {string.Join("; ", plan.Conversions)}; blockers {plan.Blockers.Count}"
        );
        var folder = Directory.CreateTempSubdirectory("dbr-recovery-bench-").FullName;
        try
        {
            var options = new RecoveryRunOptions
            {
                BackupPath = Path.Combine(folder, "backup"),
                Scratch = ConnectionTarget.Parse(scratch.Url),
                Cli = AlembicCli.For(project.Root, AlembicTestProject.AlembicCommand, "DATABASE_URL"),
                Tools = PgTools.Locate(null),
                Journal = new JournalContext(
                    new RecoveryJournal(Path.Combine(folder, "journal.jsonl")),
                    "Invoke-RecoveryPlan",
                    new Dictionary<string, string>()
                ),
                Rehearse = true,
            };
            var watch = Stopwatch.StartNew();
            var result = await RecoveryExecution.RunAsync(
                target,
                plan,
                options,
                NullRecoveryLog.Instance,
                CancellationToken.None
            );
            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"Invoke-RecoveryPlan -Rehearse: {watch.Elapsed.TotalSeconds:F1} s in all, checks "
                ) + string.Create(CultureInfo.InvariantCulture, $"{(result.Passed ? "pass" : "FAIL")}")
            );
            foreach (var step in result.Steps)
            {
                Console.WriteLine(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"  {step.On, -9} {step.Order}. {step.Kind, -11} {step.Duration.TotalSeconds, 7:F1} s   lock "
                    )
                        + string.Create(
                            CultureInfo.InvariantCulture,
                            $"window {step.LockWindow.TotalSeconds, 7:F1} s   {step.Outcome}"
                        )
                );
            }

            foreach (var kind in result.Steps.Where(s => s.On == "Rehearsal").Select(s => s.Kind))
            {
                var (rehearsal, real) = (
                    result.Steps.First(s => s.On == "Rehearsal" && s.Kind == kind),
                    result.Steps.First(s => s.On == "Database" && s.Kind == kind)
                );
                Console.WriteLine(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"{kind, -8} rehearsal/real time {rehearsal.Duration / real.Duration, 5:F2}   lock window "
                    )
                        + string.Create(
                            CultureInfo.InvariantCulture,
                            $"rehearsal {rehearsal.LockWindow.TotalSeconds:F1} s vs real "
                        )
                        + string.Create(CultureInfo.InvariantCulture, $"{real.LockWindow.TotalSeconds:F1} s ")
                        + string.Create(
                            CultureInfo.InvariantCulture,
                            $"({(rehearsal.LockWindow - real.LockWindow) / real.LockWindow * 100, 6:F1} %)"
                        )
                );
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static ExactCheckOptions Exact(AlembicTestProject project, TestDatabase scratch) =>
        new(
            ConnectionTarget.Parse(scratch.Url),
            AlembicCli.For(project.Root, AlembicTestProject.AlembicCommand, "DATABASE_URL"),
            PgTools.Locate(null)
        );
}
