using DbRecovery.Engine.Alembic;
using DbRecovery.Engine.Alembic.Replay;
using DbRecovery.Engine.Backup;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Engine.Planning;

/// <summary>
/// The exact answer to "will the upgrade succeed here?": the live schema (no data) is copied into an empty
/// scratch database, stamped, and upgraded with real Alembic; the scratch database is emptied afterwards
/// however the run ends. The database itself is only read.
/// </summary>
public static class UpgradeRehearsal
{
    /// <summary>
    /// Rehearses the upgrade of <paramref name="target"/> from <paramref name="from"/> to <paramref name="upgradeTo"/>.
    /// </summary>
    /// <exception cref="RecoveryException">The scratch database is not empty, or the schema could not be
    /// copied.</exception>
    public static async Task<UpgradeReport> RunAsync(
        ConnectionTarget target,
        ConnectionTarget scratch,
        AlembicHistory history,
        AlembicCli cli,
        IReadOnlyList<string> from,
        IReadOnlyList<string> to,
        string upgradeTo,
        PgTools tools,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(log);
        var initialSchemas = await ScratchDatabase
            .EnsureEmptyAsync(scratch, log, cancellationToken)
            .ConfigureAwait(false);
        try
        {
            log.Progress(
                new ProgressReport("Rehearsing the upgrade", $"copying the schema of {target.DisplayName}", 0, 2)
            );
            await SchemaClone.CopyAsync(target, scratch, tools, log, cancellationToken).ConfigureAwait(false);
            log.Progress(new ProgressReport("Rehearsing the upgrade", "running Alembic on the copy", 1, 2));
            return await AlembicUpgradeProbe
                .RunAsync(scratch, history, cli, from, to, upgradeTo, target.DisplayName, log, cancellationToken)
                .ConfigureAwait(false);
        }
        finally
        {
            await ScratchDatabase
                .ResetQuietlyAsync(scratch, initialSchemas, "the rehearsal", log)
                .ConfigureAwait(false);
        }
    }
}
