using System.Diagnostics;
using System.Globalization;
using DbRecovery.Engine.Backup;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.TestSupport;

namespace DbRecovery.Benchmarks;

/// <summary>
/// Backup-Database (directory format, 2 jobs) against a plain <c>pg_dump -Fc</c> of the incident database, and
/// Test-DatabaseBackup's total time.
/// </summary>
internal static class BackupBenchmark
{
    public static async Task RunAsync(double scale)
    {
        var server = await PostgresServer.GetAsync();
        await using var source = await server.CreateDatabaseAsync();
        await source.ExecuteAsync(ConversionBenchmark.Schema(scale), timeoutSeconds: 0);
        await source.ExecuteAsync("VACUUM ANALYZE", timeoutSeconds: 0);
        Console.WriteLine(
            $"Incident database at scale {scale}: {await source.ScalarAsync<string>(ConversionBenchmark.Sizes)}"
        );
        var root = Directory.CreateTempSubdirectory("dbr-backup-bench-").FullName;
        try
        {
            var tools = PgTools.Locate(null);
            var target = ConnectionTarget.Parse(source.Url);
            var plain = Stopwatch.StartNew();
            var (code, output) = await tools.RunAsync(
                "pg_dump",
                ["-Fc", "-f", Path.Combine(root, "plain.dump"), .. PgTools.ConnectionArguments(target)],
                target,
                null,
                CancellationToken.None
            );
            plain.Stop();
            if (code != 0)
            {
                throw new InvalidOperationException(output);
            }

            var backup = await DatabaseBackup.BackupAsync(
                target,
                Path.Combine(root, "backup"),
                "directory",
                2,
                false,
                tools,
                NullRecoveryLog.Instance,
                CancellationToken.None
            );
            await using var scratch = await server.CreateDatabaseAsync();
            var verify = await BackupVerifier.VerifyAsync(
                backup.Path,
                ConnectionTarget.Parse(scratch.Url),
                2,
                false,
                tools,
                NullRecoveryLog.Instance,
                CancellationToken.None
            );
            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"pg_dump -Fc                         {plain.Elapsed.TotalSeconds, 7:F1} s  "
                )
                    + string.Create(
                        CultureInfo.InvariantCulture,
                        $"{new FileInfo(Path.Combine(root, "plain.dump")).Length / 1048576.0, 8:F0} MiB"
                    )
            );
            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"Backup-Database (directory, jobs 2) {backup.Duration.TotalSeconds, 7:F1} s  "
                )
                    + string.Create(
                        CultureInfo.InvariantCulture,
                        $"{backup.Size / 1048576.0, 8:F0} MiB (manifest with exact row counts and checksums)"
                    )
            );
            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"Test-DatabaseBackup (restore+check) {verify.Duration.TotalSeconds, 7:F1} s  passed: "
                ) + string.Create(CultureInfo.InvariantCulture, $"{verify.Passed}")
            );
            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"Backup-Database / pg_dump -Fc = {backup.Duration.TotalSeconds / plain.Elapsed.TotalSeconds:F2} "
                ) + "(target <= 1.0)"
            );
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
