using System.Diagnostics;
using DbRecovery.Engine.Alembic;
using DbRecovery.Engine.Backup;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Comparison;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Journal;
using DbRecovery.Engine.Planning;
using DbRecovery.TestSupport;
using static System.FormattableString;

namespace DbRecovery.Benchmarks;

/// <summary>
/// The recovery on public histories (Debian's gnocchi, mistral, ironic), each drifted four ways by real Alembic: per
/// database, the static plan against the plan real Alembic decides (time, true revision, blockers, replay defects),
/// then the exact plan executed with a rehearsal, and judged by the catalog of a database real Alembic built at head
/// and by the next plan, which must be empty.
/// </summary>
internal static class CorpusBenchmark
{
    public static async Task RunAsync()
    {
        var server = await PostgresServer.GetAsync();
        var log = NullRecoveryLog.Instance;
        Console.WriteLine(
            "history   drift                 static s  exact s  static rev     exact rev      "
                + "predicted blockers  exact blockers  defects  recovered  next plan"
        );
        var (recovered, total, defects, falseBlocked) = (0, 0, 0, 0);
        foreach (var history in PublicHistory.All)
        {
            using var project = history.CreateProject();
            await using var head = await server.CreateDatabaseAsync();
            project.Upgrade(head.Url, "heads");
            var headSchema = await SchemaReader.CaptureAsync(
                ConnectionTarget.Parse(head.Url),
                new SchemaReadOptions(),
                log,
                CancellationToken.None
            );
            foreach (var drift in Enum.GetValues<PublicDrift>())
            {
                await using var database = await server.CreateDatabaseAsync();
                await using var scratch = await server.CreateDatabaseAsync();
                await PublicDrifts.BuildAsync(history, project, database, drift);
                var target = ConnectionTarget.Parse(database.Url);
                var cli = AlembicCli.For(project.Root, AlembicTestProject.AlembicCommand, "DATABASE_URL");
                var exact = new ExactCheckOptions(ConnectionTarget.Parse(scratch.Url), cli, PgTools.Locate(null));
                var alembic = AlembicHistory.Load(project.Root, log);

                var watch = Stopwatch.StartNew();
                Task<RecoveryPlan> Plan(ExactCheckOptions? by) =>
                    RecoveryPlanner.PlanAsync(
                        target,
                        alembic,
                        project.Root,
                        VersionTable.Default,
                        null,
                        null,
                        by,
                        log,
                        CancellationToken.None
                    );
                var predicted = await Plan(null);
                var staticSeconds = watch.Elapsed.TotalSeconds;
                watch.Restart();
                var plan = await Plan(exact);
                var exactSeconds = watch.Elapsed.TotalSeconds;

                var ok = plan.CanExecute && await RecoverAsync(target, plan, exact, headSchema, log);
                var next = ok ? await Plan(exact) : null;
                total++;
                recovered += ok && next!.IsEmpty ? 1 : 0;
                defects += plan.ReplayDefects.Count;
                falseBlocked += predicted.Blockers.Count > 0 && ok ? 1 : 0;
                Console.WriteLine(
                    Invariant($"{history.Name, -9} {drift, -21} {staticSeconds, 8:F2} {exactSeconds, 8:F2}  ")
                        + Invariant(
                            $"{string.Join(",", predicted.Revisions), -14} {string.Join(",", plan.Revisions), -14} "
                        )
                        + Invariant(
                            $"{predicted.Blockers.Count, 18} {plan.Blockers.Count, 15} {plan.ReplayDefects.Count, 8}  "
                        )
                        + Invariant($"{(ok ? "yes" : "NO"), -9}  ")
                        + Invariant($"{(next is null ? "-" : next.IsEmpty ? "empty" : next.ToString())}")
                );
            }
        }

        Console.WriteLine(
            Invariant(
                $"{recovered} of {total} drifted databases recovered to exactly real Alembic's head with an empty "
            )
                + "next plan; "
                + Invariant($"the static plan alone would have refused {falseBlocked} of them; ")
                + Invariant($"{defects} static findings contradicted by real Alembic (replay defects)")
        );
    }

    private static async Task<bool> RecoverAsync(
        ConnectionTarget target,
        RecoveryPlan plan,
        ExactCheckOptions exact,
        SchemaState head,
        IRecoveryLog log
    )
    {
        var folder = Directory.CreateTempSubdirectory("dbr-corpus-").FullName;
        try
        {
            var options = new RecoveryRunOptions
            {
                BackupPath = Path.Combine(folder, "backup"),
                Scratch = exact.Scratch,
                Cli = exact.Cli,
                Tools = exact.Tools,
                Journal = new JournalContext(
                    new RecoveryJournal(Path.Combine(folder, "journal.jsonl")),
                    "Invoke-RecoveryPlan",
                    new Dictionary<string, string>()
                ),
                Rehearse = true,
            };
            var result = await RecoveryExecution.RunAsync(target, plan, options, log, CancellationToken.None);
            var after = await SchemaReader.CaptureAsync(target, new SchemaReadOptions(), log, CancellationToken.None);
            return result.Passed && SchemaComparer.Compare(head, after).Count == 0;
        }
        catch (RecoveryException ex)
        {
            Console.WriteLine("  failed: " + ex.Message);
            return false;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
