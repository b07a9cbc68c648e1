using DbRecovery.Engine.Alembic;
using DbRecovery.Engine.Alembic.Replay;
using DbRecovery.Engine.Backup;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Conversion;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Journal;

namespace DbRecovery.Engine.Planning;

/// <summary>What the exact decision needs: an empty scratch database, real Alembic, and pg_dump/psql to copy the
/// schema.</summary>
/// <param name="Scratch">An empty database DbRecovery may fill and empty again.</param>
/// <param name="Cli">How to run the project's Alembic.</param>
/// <param name="Tools">pg_dump and psql.</param>
public sealed record ExactCheckOptions(ConnectionTarget Scratch, AlembicCli Cli, PgTools Tools);

/// <summary>What real Alembic made of the way to the target: its report, and the end state when it reached
/// it.</summary>
/// <param name="Report">The exact upgrade report (no findings: it succeeded).</param>
/// <param name="Reference">The schema the upgrade left, or null when it failed.</param>
public sealed record ExactUpgradeResult(UpgradeReport Report, SchemaState? Reference);

/// <summary>
/// The exact forecast of a recovery: the live schema (no data) copied into the scratch database, the plan's
/// conversions applied there, the true revisions stamped, then real <c>alembic upgrade</c>. Where it succeeds,
/// the schema it leaves is the recovery's end state; where it fails, its error is the blocker. The database
/// itself is only read, and the scratch database is emptied again however the check ends.
/// </summary>
public static class ExactUpgradeCheck
{
    private const string Activity = "Checking the recovery with real Alembic";

    /// <summary>Runs the check of <paramref name="target"/> from <paramref name="from"/> to <paramref
    /// name="to"/>.</summary>
    /// <exception cref="RecoveryException">The scratch database is not empty, or the schema could not be
    /// copied.</exception>
    public static async Task<ExactUpgradeResult> RunAsync(
        ConnectionTarget target,
        ExactCheckOptions exact,
        AlembicHistory history,
        IReadOnlyList<KeyConversion> conversions,
        IReadOnlyList<string> from,
        IReadOnlyList<string> to,
        string upgradeTo,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(exact);
        ArgumentNullException.ThrowIfNull(log);
        var scratch = exact.Scratch;
        var initialSchemas = await ScratchDatabase
            .EnsureEmptyAsync(scratch, log, cancellationToken)
            .ConfigureAwait(false);
        try
        {
            log.Progress(new ProgressReport(Activity, $"copying the schema of {target.DisplayName}", 0, 3));
            await SchemaClone.CopyAsync(target, scratch, exact.Tools, log, cancellationToken).ConfigureAwait(false);
            log.Progress(new ProgressReport(Activity, "converting the keys on the copy", 1, 3));

            await ConvertAsync(scratch, conversions, log, cancellationToken).ConfigureAwait(false);
            log.Progress(new ProgressReport(Activity, "stamping and upgrading the copy", 2, 3));
            var report = await AlembicUpgradeProbe
                .RunAsync(scratch, history, exact.Cli, from, to, upgradeTo, target.DisplayName, log, cancellationToken)
                .ConfigureAwait(false);
            var reference =
                report.Findings.Count > 0
                    ? null
                    : await SchemaReader
                        .CaptureAsync(scratch, new SchemaReadOptions(), log, cancellationToken)
                        .ConfigureAwait(false) with
                    {
                        Origin =
                            $"real Alembic: the schema of {target.DisplayName} with the plan's conversions, "
                            + $"upgraded to {upgradeTo}",
                    };
            return new ExactUpgradeResult(report, reference);
        }
        finally
        {
            await ScratchDatabase
                .ResetQuietlyAsync(scratch, initialSchemas, "the exact check", log)
                .ConfigureAwait(false);
        }
    }

    /// <summary>Converts keys of the scratch database; journaled apart, in a journal removed afterwards: only scratch
    /// changes.</summary>
    internal static async Task ConvertAsync(
        ConnectionTarget scratch,
        IReadOnlyList<KeyConversion> conversions,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        var folder = Directory.CreateTempSubdirectory("dbrecovery-exact-");
        try
        {
            var journal = new JournalContext(
                new RecoveryJournal(Path.Combine(folder.FullName, "journal.jsonl")),
                "exact check on the scratch database",
                new Dictionary<string, string>()
            );
            foreach (var group in conversions.GroupBy(c => c.To, StringComparer.Ordinal))
            {
                var roots = group.Select(c => new ConversionRoot(c.Schema, c.Table, c.Column)).ToList();
                var plan = await IdConversion
                    .PlanAsync(scratch, roots, group.Key, log, cancellationToken)
                    .ConfigureAwait(false);
                if (!plan.IsEmpty)
                {
                    await IdConversion.ApplyAsync(scratch, plan, journal, log, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
