using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Backup;

/// <summary>
/// Dumps a database with pg_dump (directory format with parallel jobs, or custom format) inside a snapshot
/// DbRecovery exports, so the manifest's schema and exact row counts describe exactly what was dumped. The
/// dump is written under a temporary name and renamed at the end: an interrupted backup never looks complete.
/// </summary>
public static partial class DatabaseBackup
{
    /// <summary>Dumps <paramref name="target"/> into the new folder <paramref name="path"/>.</summary>
    /// <exception cref="RecoveryException">The folder exists (<c>BackupExists</c>), pg_dump is too old
    /// (<c>PgDumpTooOld</c>) or fails (<c>PgDumpFailed</c>).</exception>
    public static async Task<BackupInfo> BackupAsync(
        ConnectionTarget target,
        string path,
        string format,
        int jobs,
        bool includeGlobals,
        PgTools tools,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(tools);
        if (Directory.Exists(path) || File.Exists(path))
        {
            throw new RecoveryException(
                "BackupExists",
                FailureKind.ResourceExists,
                $"'{path}' already exists; a backup is never written over another. Choose a new folder.",
                path
            );
        }

        var watch = Stopwatch.StartNew();
        var started = DateTimeOffset.UtcNow;
        await using var session = await DatabaseSession.OpenAsync(target, log, cancellationToken).ConfigureAwait(false);
        var serverMajor = int.Parse(
            session.ServerVersion.Split('.')[0],
            System.Globalization.CultureInfo.InvariantCulture
        );
        var dumpMajor = await tools.MajorVersionAsync(cancellationToken).ConfigureAwait(false);
        if (dumpMajor < serverMajor)
        {
            throw new RecoveryException(
                "PgDumpTooOld",
                FailureKind.InvalidOperation,
                $"pg_dump {dumpMajor} (in {tools.Directory}) cannot dump a PostgreSQL {serverMajor} server; install "
                    + $"pg_dump {serverMajor} or newer, or pass -PgBinPath.",
                tools.Directory
            );
        }

        var temporary = path.TrimEnd('/', '\\') + ".partial-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            await using var transaction = await session.BeginReadOnlyAsync(cancellationToken).ConfigureAwait(false);
            var snapshot = await transaction.ExportSnapshotAsync(cancellationToken).ConfigureAwait(false);
            var schema = await SchemaReader
                .ReadAsync(transaction, new SchemaReadOptions(), cancellationToken)
                .ConfigureAwait(false);
            var rows = await TableRows.CountAsync(session, schema, cancellationToken).ConfigureAwait(false);
            var tables = schema.Tables.Count(t => t.Kind != TableKind.Partitioned);
            var dumped = 0;
            var directory = format == "directory";
            var output = directory ? temporary : Path.Combine(temporary, "database.dump");
            PrivateFiles.CreateFolder(temporary);
            List<string> arguments =
            [
                "--format",
                directory ? "directory" : "custom",
                "--file",
                output,
                "--snapshot",
                snapshot,
                "--verbose",
                .. PgTools.ConnectionArguments(target),
            ];
            if (directory)
            {
                arguments.AddRange(["--jobs", jobs.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            }

            var (code, text) = await tools
                .RunAsync(
                    "pg_dump",
                    arguments,
                    target,
                    line =>
                    {
                        if (DumpingTable().Match(line) is { Success: true } match)
                        {
                            log.Progress(
                                new ProgressReport(
                                    $"Backing up {target.Database}",
                                    match.Groups[1].Value,
                                    dumped++,
                                    Math.Max(1, tables)
                                )
                            );
                        }
                    },
                    cancellationToken
                )
                .ConfigureAwait(false);
            if (code != 0)
            {
                throw new RecoveryException(
                    "PgDumpFailed",
                    FailureKind.InvalidOperation,
                    $"pg_dump failed (exit code {code}): {LastLines(text)}",
                    target.DisplayName
                );
            }

            if (includeGlobals)
            {
                var (globalsCode, globals) = await tools
                    .RunAsync(
                        "pg_dumpall",
                        ["--globals-only", "--no-role-passwords", .. PgTools.ConnectionArguments(target, "postgres")],
                        target,
                        null,
                        cancellationToken
                    )
                    .ConfigureAwait(false);
                if (globalsCode != 0)
                {
                    throw new RecoveryException(
                        "PgDumpFailed",
                        FailureKind.InvalidOperation,
                        $"pg_dumpall --globals-only failed: {LastLines(globals)}",
                        target.DisplayName
                    );
                }

                var sql = string.Join(
                    '\n',
                    globals
                        .Split('\n')
                        .Where(l => l.Length == 0 || !l.StartsWith("pg_dumpall:", StringComparison.Ordinal))
                );
                await PrivateFiles
                    .WriteAllTextAsync(Path.Combine(temporary, "globals.sql"), sql, cancellationToken)
                    .ConfigureAwait(false);
            }

            var manifest = new BackupManifest
            {
                Database = schema.Database,
                ServerVersion = schema.ServerVersion,
                Format = format,
                AlembicVersion = schema.AlembicVersion,
                Schema = schema,
                RowCounts = rows,
                Files = Checksums(temporary),
                StartedAt = started,
                FinishedAt = DateTimeOffset.UtcNow,
            };
            manifest.Save(temporary);

            // pg_dump writes its files with the process's umask; inside the 0700 folder no one else could read them,
            // and 0600 keeps them so.
            PrivateFiles.Restrict(temporary);
            Directory.Move(temporary, path);
            log.Verbose($"Backup of {target.DisplayName} written to {path}.");
            return new BackupInfo
            {
                Path = path,
                Database = schema.Database,
                Size = manifest.Files.Sum(f => f.Size),
                Tables = tables,
                Rows = rows.Values.Sum(),
                Duration = watch.Elapsed,
            };
        }
        catch
        {
            if (Directory.Exists(temporary))
            {
                Directory.Delete(temporary, recursive: true);
            }

            throw;
        }
    }

    /// <summary>Size and SHA-256 of every file under <paramref name="folder"/> except the manifest.</summary>
    internal static List<BackupFile> Checksums(string folder) =>
        Directory
            .EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => !string.Equals(Path.GetFileName(f), BackupManifest.FileName, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f =>
            {
                using var stream = File.OpenRead(f);
                return new BackupFile(
                    Path.GetRelativePath(folder, f),
                    stream.Length,
                    Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant()
                );
            })
            .ToList();

    private static string LastLines(string text) =>
        string.Join(" ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(3));

    [GeneratedRegex(@"dumping contents of table ""?([^""]+)""?")]
    private static partial Regex DumpingTable();
}
