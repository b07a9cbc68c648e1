using System.Text.RegularExpressions;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Journal;
using DbRecovery.Engine.Plans;

namespace DbRecovery.Engine.Alembic;

/// <summary>
/// Runs <c>alembic upgrade</c> after the checks Alembic does not make: the target is unambiguous, the
/// stamped revisions exist in the history, and no other DbRecovery operation holds the lock (Alembic
/// has no mutex of its own). The lock is held for the whole run and the run is journaled.
/// </summary>
public static partial class AlembicUpgrade
{
    /// <summary>Checks that the upgrade can run; returns the revisions it will apply.</summary>
    /// <exception cref="RecoveryException">Several heads and a target of <c>head</c> (<c>MultipleHeads</c>), or a stamp the history lacks (<c>StampNotInHistory</c>).</exception>
    public static async Task<IReadOnlyList<AlembicRevision>> PreflightAsync(
        ConnectionTarget target, AlembicHistory history, string revision, VersionTable versionTable, IRecoveryLog log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (revision == "head" && history.Heads.Count > 1)
        {
            throw new RecoveryException("MultipleHeads", FailureKind.InvalidArgument,
                $"The history has {history.Heads.Count} heads ({string.Join(", ", history.Heads)}); name one with -Revision, or use 'heads'.", revision);
        }

        var stamped = await ReadStampAsync(target, versionTable, log, cancellationToken).ConfigureAwait(false);
        var unknown = stamped.Where(s => history.Revisions.All(r => r.Revision != s)).ToList();
        if (unknown.Count > 0)
        {
            throw new RecoveryException("StampNotInHistory", FailureKind.InvalidOperation,
                $"alembic_version holds {string.Join(", ", unknown)}, which the history in '{history.Source}' does not contain; Alembic cannot upgrade from there. Set a known revision with Set-AlembicVersion first.",
                string.Join(",", unknown));
        }

        var targets = revision == "heads" ? history.Heads : [history.Resolve(revision).Revision];
        return history.Revisions.Where(r => targets.Any(t => history.IsAncestor(r.Revision, t)) && !stamped.Any(s => history.IsAncestor(r.Revision, s))).ToList();
    }

    /// <summary>Runs the upgrade holding DbRecovery's lock, reporting progress per revision, and journals it.</summary>
    /// <exception cref="RecoveryException">Alembic failed (<c>AlembicUpgradeFailed</c>, with its error, password removed) or the lock is held.</exception>
    public static async Task<AlembicRun> RunAsync(
        ConnectionTarget target, AlembicCli cli, string revision, IReadOnlyList<AlembicRevision> pending, TimeSpan lockTimeout, JournalContext journal, IRecoveryLog log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cli);
        ArgumentNullException.ThrowIfNull(pending);
        var command = new PlanStep(target.DisplayName, $"alembic upgrade {revision}", $"{string.Join(' ', cli.Command)} -c {cli.IniFile} upgrade {revision}");
        var done = 0;
        return await GuardedTransaction.RunAsync(target, log, lockTimeout, journal, [command], async (_, cancel) =>
        {
            var run = await cli.RunAsync(target, ["upgrade", revision], log, line =>
            {
                if (RunningUpgrade().Match(line) is { Success: true } match)
                {
                    log.Progress(new ProgressReport("alembic upgrade " + revision, match.Groups[1].Value, done++, Math.Max(1, pending.Count)));
                }
            }, cancel).ConfigureAwait(false);
            return run.ExitCode == 0 ? run : throw Failed(run, target);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The SQL Alembic would run from the stamped revision to <paramref name="revision"/> (offline mode); changes nothing.</summary>
    public static async Task<string> ScriptAsync(ConnectionTarget target, AlembicCli cli, VersionTable versionTable, string revision, IRecoveryLog log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var stamped = await ReadStampAsync(target, versionTable, log, cancellationToken).ConfigureAwait(false);
        var range = stamped.Count == 1 ? $"{stamped[0]}:{revision}" : revision;
        var run = await cli.RunAsync(target, ["upgrade", range, "--sql"], NullRecoveryLog.Instance, null, cancellationToken).ConfigureAwait(false);
        return run.ExitCode == 0
            ? string.Join(Environment.NewLine, run.Output.Where(l => !l.StartsWith("INFO  [", StringComparison.Ordinal)))
            : throw Failed(run, target);
    }

    private static async Task<IReadOnlyList<string>> ReadStampAsync(ConnectionTarget target, VersionTable versionTable, IRecoveryLog log, CancellationToken cancellationToken) =>
        (await AlembicVersionRow.ReadAsync(target, versionTable, log, cancellationToken).ConfigureAwait(false))?.Select(r => r.Revision).ToList() ?? [];

    private static RecoveryException Failed(AlembicRun run, ConnectionTarget target) => new(
        "AlembicUpgradeFailed", FailureKind.InvalidOperation,
        $"alembic upgrade failed on {target.DisplayName} (exit code {run.ExitCode}): {AlembicCli.ErrorOf(run)}", target.DisplayName);

    [GeneratedRegex(@"Running upgrade (.*)$")]
    private static partial Regex RunningUpgrade();
}
