using System.Diagnostics;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Comparison;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Engine.Backup;

/// <summary>
/// Proves a backup: every file's SHA-256 against the manifest, pg_restore --list, a restore into an empty
/// scratch database, and the restored schema and exact row counts against the manifest. The restored
/// objects are dropped afterwards unless kept.
/// </summary>
public static class BackupVerifier
{
    /// <summary>
    /// Verifies the backup in <paramref name="path"/> by restoring it into <paramref name="scratch"/>.
    /// </summary>
    /// <param name="path">The backup folder.</param>
    /// <param name="scratch">The empty database to restore into.</param>
    /// <param name="jobs">Parallel pg_restore workers.</param>
    /// <param name="keep">Whether to leave the restored objects in place.</param>
    /// <param name="tools">pg_restore and friends.</param>
    /// <param name="log">Where to report.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <param name="ownership">Restore owners and grants too (a real restore), rather than only the objects (a proof on
    /// a scratch server).</param>
    /// <exception cref="RecoveryException">No backup there, the scratch database is not empty, or pg_restore cannot
    /// run.</exception>
    public static async Task<BackupVerification> VerifyAsync(
        string path,
        ConnectionTarget scratch,
        int jobs,
        bool keep,
        PgTools tools,
        IRecoveryLog log,
        CancellationToken cancellationToken,
        bool ownership = false
    )
    {
        ArgumentNullException.ThrowIfNull(tools);
        ArgumentNullException.ThrowIfNull(log);
        var watch = Stopwatch.StartNew();
        var manifest = BackupManifest.Load(path);
        var differences = await CheckFilesAsync(path, manifest, tools, cancellationToken).ConfigureAwait(false);
        if (differences.Count > 0)
        {
            return new BackupVerification
            {
                Path = path,
                Differences = differences,
                Duration = watch.Elapsed,
            };
        }

        var initialSchemas = await ScratchDatabase
            .EnsureEmptyAsync(scratch, log, cancellationToken)
            .ConfigureAwait(false);
        try
        {
            log.Progress(new ProgressReport("Verifying backup", $"restoring into {scratch.DisplayName}", 1, 3));
            var (code, error) = await RestoreIntoAsync(
                    path,
                    manifest,
                    scratch,
                    jobs,
                    ownership,
                    tools,
                    log,
                    cancellationToken
                )
                .ConfigureAwait(false);
            if (code != 0)
            {
                differences.Add($"pg_restore fails: {error}");
                return new BackupVerification
                {
                    Path = path,
                    Differences = differences,
                    Duration = watch.Elapsed,
                };
            }

            log.Progress(new ProgressReport("Verifying backup", "comparing schema and row counts", 2, 3));
            differences.AddRange(await CompareAsync(manifest, scratch, log, cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            if (!keep)
            {
                // Cleanup runs even when the work was cancelled, bounded by its own timeout.
                using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await ScratchDatabase.ResetAsync(scratch, initialSchemas, log, cleanup.Token).ConfigureAwait(false);
            }
        }

        return new BackupVerification
        {
            Path = path,
            Differences = differences,
            Duration = watch.Elapsed,
        };
    }

    /// <summary>
    /// Every file against its SHA-256, then pg_restore --list: what is wrong with the backup's files, or nothing.
    /// </summary>
    internal static async Task<List<string>> CheckFilesAsync(
        string path,
        BackupManifest manifest,
        PgTools tools,
        CancellationToken cancellationToken
    )
    {
        var differences = new List<string>();
        var actual = DatabaseBackup.Checksums(path).ToDictionary(f => f.Name, StringComparer.Ordinal);
        foreach (var file in manifest.Files)
        {
            if (!actual.TryGetValue(file.Name, out var found))
            {
                differences.Add($"file {file.Name} is missing");
            }
            else if (found.Sha256 != file.Sha256 || found.Size != file.Size)
            {
                differences.Add($"file {file.Name} does not match its checksum (the backup is corrupted)");
            }
        }

        if (differences.Count == 0)
        {
            var (listCode, list) = await tools
                .RunAsync("pg_restore", ["--list", DumpOf(path, manifest)], null, null, cancellationToken)
                .ConfigureAwait(false);
            if (listCode != 0)
            {
                differences.Add($"pg_restore --list fails: {list.Trim()}");
            }
        }

        return differences;
    }

    /// <summary>
    /// The pg_restore command line that restores the backup into <paramref name="target"/> (password through
    /// PGPASSWORD).
    /// </summary>
    internal static List<string> RestoreArguments(
        string path,
        BackupManifest manifest,
        ConnectionTarget target,
        int jobs,
        bool ownership
    )
    {
        List<string> arguments = ["--exit-on-error", .. PgTools.ConnectionArguments(target), DumpOf(path, manifest)];
        if (!ownership)
        {
            arguments.InsertRange(0, ["--no-owner", "--no-acl"]);
        }

        if (manifest.Format == "directory")
        {
            arguments.InsertRange(0, ["--jobs", jobs.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        return arguments;
    }

    /// <summary>
    /// Runs pg_restore into <paramref name="target"/>; returns its exit code and, on failure, its last lines.
    /// </summary>
    internal static async Task<(int ExitCode, string Error)> RestoreIntoAsync(
        string path,
        BackupManifest manifest,
        ConnectionTarget target,
        int jobs,
        bool ownership,
        PgTools tools,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        var (code, output) = await tools
            .RunAsync(
                "pg_restore",
                RestoreArguments(path, manifest, target, jobs, ownership),
                target,
                log.Verbose,
                cancellationToken
            )
            .ConfigureAwait(false);
        return (
            code,
            code == 0
                ? string.Empty
                : string.Join(" ", output.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(3))
        );
    }

    /// <summary>The restored schema and exact row counts against the manifest.</summary>
    internal static async Task<List<string>> CompareAsync(
        BackupManifest manifest,
        ConnectionTarget target,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        var differences = new List<string>();
        await using var session = await DatabaseSession.OpenAsync(target, log, cancellationToken).ConfigureAwait(false);
        await using var transaction = await session.BeginReadOnlyAsync(cancellationToken).ConfigureAwait(false);
        var restored = await SchemaReader
            .ReadAsync(transaction, new SchemaReadOptions(), cancellationToken)
            .ConfigureAwait(false);
        differences.AddRange(SchemaComparer.Compare(manifest.Schema, restored).Select(d => d.ToString()));
        var rows = await TableRows.CountAsync(session, restored, cancellationToken).ConfigureAwait(false);
        foreach (var (table, count) in manifest.RowCounts)
        {
            var restoredCount = rows.GetValueOrDefault(table, -1);
            if (restoredCount != count)
            {
                differences.Add($"{table} has {restoredCount} rows restored, {count} in the manifest");
            }
        }

        return differences;
    }

    private static string DumpOf(string path, BackupManifest manifest) =>
        manifest.Format == "directory" ? path : Path.Combine(path, "database.dump");
}
