using System.Diagnostics;
using System.Globalization;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Conversion.Online;
using DbRecovery.TestSupport;

namespace DbRecovery.Benchmarks;

/// <summary>
/// The conversion benchmark's incident database, converted on fresh copies several ways while an application keeps
/// working (<see cref="ApplicationWorkload"/>: several clients at a fixed rate inserting users with deals, updating
/// deals, reading users with their deals): (a) the per-column script, (b) offline Convert-IdColumns, (c) -Online,
/// (d) the floor (CREATE TABLE AS with the new types, then the indexes; it blocks nothing and converts nothing in
/// place), (e) that floor with the tables' foreign keys added between the copies, validated.
/// Prints for each the total time, the longest write and read, errors, p99 latency and whether every row the
/// workload wrote is there; for (b) also how long writes were blocked (SHARE lock to COMMIT).
/// </summary>
internal static class ConversionWorkloadBenchmark
{
    private const int Clients = 6;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);
    private static readonly List<(string Kind, double Seconds)> PhaseTimes = [];

    public static async Task RunAsync(double scale, KeyKind kind)
    {
        var server = await PostgresServer.GetAsync();
        await using var source = await server.CreateDatabaseAsync();
        var generate = Stopwatch.StartNew();
        await source.ExecuteAsync(ConversionBenchmark.Schema(scale, kind), timeoutSeconds: 0);
        await source.ExecuteAsync("VACUUM ANALYZE", timeoutSeconds: 0);
        var sizes = await source.ScalarAsync<string>(ConversionBenchmark.Sizes);
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"Scale {scale}, {kind.Name} keys to {kind.Target}: generated in {generate.Elapsed.TotalSeconds:F0} s: "
            ) + sizes
        );
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"Workload: {Clients} clients, one request each every {Interval.TotalMilliseconds:F0} ms, for the "
            ) + "whole run"
        );

        var (writesBlocked, readsBlocked, afterCommit) = (0.0, 0.0, 0.0);
        var rows = new List<(string Name, double Total, WorkloadReport Report, int Wrong)>
        {
            await UnderLoadAsync(server, source, "(a) per-column script", database =>
                ConversionBenchmark.PerColumnAsync(database, kind)
            ),
            await UnderLoadAsync(server, source, "(b) Convert-IdColumns", async database =>
            {
                var log = await ConversionBenchmark.ConvertOfflineAsync(database, kind);
                (writesBlocked, readsBlocked, afterCommit) = (
                    log.WritesBlocked.TotalSeconds,
                    log.Downtime.TotalSeconds,
                    log.AfterCommit.TotalSeconds
                );
                return log.Downtime.TotalSeconds;
            }),
            await UnderLoadAsync(server, source, "(c) -Online", database => OnlineAsync(database, kind)),
            await UnderLoadAsync(server, source, "(d) floor (CTAS+index)", database =>
                ConversionBenchmark.FloorAsync(database, kind)
            ),
            await UnderLoadAsync(server, source, "(e) floor + foreign keys", database =>
                ConversionBenchmark.FloorAsync(database, kind, foreignKeys: true)
            ),
        };

        Console.WriteLine(
            "approach                  total s   longest write s   longest read s   errors   p99 ms   requests   "
                + "rows wrong"
        );
        foreach (var (name, total, report, wrong) in rows)
        {
            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{name, -24} {total, 8:F1} {report.LongestWrite.TotalSeconds, 17:F2} "
                )
                    + string.Create(
                        CultureInfo.InvariantCulture,
                        $"{report.LongestRead.TotalSeconds, 16:F2} {report.Errors.Count, 8} "
                    )
                    + string.Create(
                        CultureInfo.InvariantCulture,
                        $"{report.P99.TotalMilliseconds, 8:F0} {report.Requests, 10} {wrong, 12}"
                    )
            );
        }

        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"(b) writes blocked (SHARE lock to COMMIT): {writesBlocked:F1} s, reads too (ACCESS EXCLUSIVE lock "
            )
                + string.Create(
                    CultureInfo.InvariantCulture,
                    $"to COMMIT): {readsBlocked:F1} s; after COMMIT, blocking nothing (foreign keys validated, "
                )
                + string.Create(CultureInfo.InvariantCulture, $"ANALYZE): {afterCommit:F1} s")
        );
        Console.WriteLine(
            "(c) by phase: "
                + string.Join(
                    "; ",
                    PhaseTimes
                        .GroupBy(p => p.Kind)
                        .Select(g =>
                            string.Create(CultureInfo.InvariantCulture, $"{g.Key} {g.Sum(p => p.Seconds):F1} s")
                        )
                )
        );
        PhaseTimes.Clear();
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"(c) total / (b) total = {rows[2].Total / rows[1].Total:F2} (target <= 3)"
            )
        );
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"(b) outage / (d) total: writes blocked {writesBlocked / rows[3].Total:F2}, reads blocked "
            )
                + string.Create(
                    CultureInfo.InvariantCulture,
                    $"{readsBlocked / rows[3].Total:F2} (target <= 1.1); (b) total / (d) total = "
                )
                + string.Create(
                    CultureInfo.InvariantCulture,
                    $"{rows[1].Total / rows[3].Total:F2}, / (e) total = {rows[1].Total / rows[4].Total:F2} (after "
                )
                + "COMMIT it validates and analyzes, blocking nothing)"
        );
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"(c) longest write {rows[2].Report.LongestWrite.TotalSeconds:F2} s, longest read "
            )
                + string.Create(
                    CultureInfo.InvariantCulture,
                    $"{rows[2].Report.LongestRead.TotalSeconds:F2} s (target < 1 s), errors "
                )
                + string.Create(CultureInfo.InvariantCulture, $"{rows[2].Report.Errors.Count} (target 0)")
        );
        foreach (var error in rows.SelectMany(r => r.Report.Errors.Take(3).Select(e => $"{r.Name}: {e}")))
        {
            Console.WriteLine(error);
        }
    }

    private static async Task<(string Name, double Total, WorkloadReport Report, int Wrong)> UnderLoadAsync(
        PostgresServer server,
        TestDatabase source,
        string name,
        Func<TestDatabase, Task<double>> approach
    )
    {
        var result = await ConversionBenchmark.OnCopyAsync(server, source, async copy =>
        {
            var workload = await ApplicationWorkload.StartAsync(copy.ConnectionString, Clients, Interval);
            await Task.Delay(Settle);
            var watch = Stopwatch.StartNew();
            await approach(copy);
            var total = watch.Elapsed.TotalSeconds;
            await Task.Delay(Settle);
            var report = await workload.StopAsync();
            return (total, report, (await workload.CheckRowsAsync()).Count);
        });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: done in {result.total:F1} s"));
        return (name, result.total, result.report, result.Item3);
    }

    /// <summary>(c) The online conversion with its defaults: batches of 5000 rows, 1 s lock timeout per try.</summary>
    private static async Task<double> OnlineAsync(TestDatabase database, KeyKind kind)
    {
        var target = ConnectionTarget.Parse(database.ConnectionString + ";Command Timeout=0");
        var log = new ConversionBenchmark.TimingLog(PhaseTimes);
        var plan = await OnlineConversion.PlanAsync(
            target,
            ConversionBenchmark.Roots,
            kind.Target,
            new OnlineThrottle(),
            log,
            CancellationToken.None
        );
        await OnlineConversion.ApplyAsync(
            target.WithLockTimeout(OnlineConversion.DefaultLockTimeout),
            plan,
            ConversionBenchmark.Journal,
            log,
            CancellationToken.None
        );
        return log.Downtime.TotalSeconds;
    }
}
