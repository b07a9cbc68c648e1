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
    /// <summary>Verifies the backup in <paramref name="path"/> by restoring it into <paramref name="scratch"/>.</summary>
    /// <param name="path">The backup folder.</param>
    /// <param name="scratch">The empty database to restore into.</param>
    /// <param name="jobs">Parallel pg_restore workers.</param>
    /// <param name="keep">Whether to leave the restored objects in place.</param>
    /// <param name="tools">pg_restore and friends.</param>
    /// <param name="log">Where to report.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <param name="ownership">Restore owners and grants too (a real restore), rather than only the objects (a proof on a scratch server).</param>
    /// <exception cref="RecoveryException">No backup there, the scratch database is not empty, or pg_restore cannot run.</exception>
    public static async Task<BackupVerification> VerifyAsync(
        string path, ConnectionTarget scratch, int jobs, bool keep, PgTools tools, IRecoveryLog log, CancellationToken cancellationToken, bool ownership = false)
    {
        ArgumentNullException.ThrowIfNull(tools);
        ArgumentNullException.ThrowIfNull(log);
        var watch = Stopwatch.StartNew();
        var manifest = BackupManifest.Load(path);
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

        if (differences.Count > 0)
        {
            return new BackupVerification { Path = path, Differences = differences, Duration = watch.Elapsed };
        }

        var dump = manifest.Format == "directory" ? path : Path.Combine(path, "database.dump");
        var (listCode, list) = await tools.RunAsync("pg_restore", ["--list", dump], null, null, cancellationToken).ConfigureAwait(false);
        if (listCode != 0)
        {
            differences.Add($"pg_restore --list fails: {list.Trim()}");
            return new BackupVerification { Path = path, Differences = differences, Duration = watch.Elapsed };
        }

        var initialSchemas = await ScratchDatabase.EnsureEmptyAsync(scratch, log, cancellationToken).ConfigureAwait(false);
        try
        {
            log.Progress(new ProgressReport("Verifying backup", $"restoring into {scratch.DisplayName}", 1, 3));
            List<string> arguments = ["--exit-on-error", .. PgTools.ConnectionArguments(scratch), dump];
            if (!ownership)
            {
                arguments.InsertRange(0, ["--no-owner", "--no-acl"]);
            }

            if (manifest.Format == "directory")
            {
                arguments.InsertRange(0, ["--jobs", jobs.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            }

            var (code, output) = await tools.RunAsync("pg_restore", arguments, scratch, log.Verbose, cancellationToken).ConfigureAwait(false);
            if (code != 0)
            {
                differences.Add($"pg_restore fails: {string.Join(" ", output.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(3))}");
                return new BackupVerification { Path = path, Differences = differences, Duration = watch.Elapsed };
            }

            log.Progress(new ProgressReport("Verifying backup", "comparing schema and row counts", 2, 3));
            await using var session = await DatabaseSession.OpenAsync(scratch, log, cancellationToken).ConfigureAwait(false);
            await using var transaction = await session.BeginReadOnlyAsync(cancellationToken).ConfigureAwait(false);
            var restored = await SchemaReader.ReadAsync(transaction, new SchemaReadOptions(), cancellationToken).ConfigureAwait(false);
            differences.AddRange(SchemaComparer.Compare(manifest.Schema, restored).Select(d => d.ToString()));
            var rows = await DatabaseBackup.CountRowsAsync(session, restored, cancellationToken).ConfigureAwait(false);
            foreach (var (table, count) in manifest.RowCounts)
            {
                var restoredCount = rows.GetValueOrDefault(table, -1);
                if (restoredCount != count)
                {
                    differences.Add($"{table} has {restoredCount} rows restored, {count} in the manifest");
                }
            }
        }
        finally
        {
            if (!keep)
            {
                await ScratchDatabase.ResetAsync(scratch, initialSchemas, log, cancellationToken).ConfigureAwait(false);
            }
        }

        return new BackupVerification { Path = path, Differences = differences, Duration = watch.Elapsed };
    }
}
