using DbRecovery.Engine.Backup;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Engine.Planning;

/// <summary>
/// The schema of a database, without its data, copied into an empty scratch database (pg_dump --schema-only, then
/// psql).
/// </summary>
public static class SchemaClone
{
    /// <summary>
    /// Copies the schema of <paramref name="source"/> into <paramref name="scratch"/>, which the caller has checked is
    /// empty.
    /// </summary>
    /// <exception cref="RecoveryException">pg_dump or psql failed (<c>SchemaCloneFailed</c>).</exception>
    public static async Task CopyAsync(
        ConnectionTarget source,
        ConnectionTarget scratch,
        PgTools tools,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(tools);
        ArgumentNullException.ThrowIfNull(log);
        var file = Path.Combine(Path.GetTempPath(), $"dbrecovery-schema-{Guid.NewGuid():N}.sql");
        try
        {
            var (dumped, dumpOutput) = await tools
                .RunAsync(
                    "pg_dump",
                    ["--schema-only", "--no-owner", "--no-acl", "--file", file, .. PgTools.ConnectionArguments(source)],
                    source,
                    log.Verbose,
                    cancellationToken
                )
                .ConfigureAwait(false);
            if (dumped != 0)
            {
                throw Failed(source, "pg_dump --schema-only", dumpOutput);
            }

            var (loaded, loadOutput) = await tools
                .RunAsync(
                    "psql",
                    [
                        "--no-psqlrc",
                        "--quiet",
                        "--set",
                        "ON_ERROR_STOP=1",
                        "--file",
                        file,
                        .. PgTools.ConnectionArguments(scratch),
                    ],
                    scratch,
                    log.Verbose,
                    cancellationToken
                )
                .ConfigureAwait(false);
            if (loaded != 0)
            {
                throw Failed(scratch, "psql", loadOutput);
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static RecoveryException Failed(ConnectionTarget target, string tool, string output) =>
        new(
            "SchemaCloneFailed",
            FailureKind.InvalidOperation,
            $"The schema could not be copied ({tool} on {target.DisplayName} failed): "
                + $"{string.Join(" ", output.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(3))}",
            target.DisplayName
        );
}
