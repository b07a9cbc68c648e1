using System.Text.RegularExpressions;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Execution;
using DbRecovery.Engine.Journal;
using DbRecovery.Engine.Plans;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Alembic;

/// <summary>
/// Runs <c>alembic upgrade</c> after the checks Alembic does not make: the target is unambiguous, the
/// stamped revisions exist in the history, and no other DbRecovery operation holds the lock (Alembic
/// has no mutex of its own). The lock is held for the whole run and the run is journaled.
/// </summary>
public static partial class AlembicUpgrade
{
    /// <summary>Checks that the upgrade can run; returns the revisions it will apply.</summary>
    /// <exception cref="RecoveryException">Several heads and a target of <c>head</c> (<c>MultipleHeads</c>), or a stamp
    /// the history lacks (<c>StampNotInHistory</c>).</exception>
    public static async Task<IReadOnlyList<AlembicRevision>> PreflightAsync(
        ConnectionTarget target,
        AlembicHistory history,
        string revision,
        QualifiedName versionTable,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(history);
        if (revision == "head" && history.Heads.Count > 1)
        {
            throw new RecoveryException(
                "MultipleHeads",
                FailureKind.InvalidArgument,
                $"The history has {history.Heads.Count} heads ({string.Join(", ", history.Heads)}); name one with "
                    + "-Revision, or use 'heads'.",
                revision
            );
        }

        var stamped = await ReadStampAsync(target, versionTable, log, cancellationToken).ConfigureAwait(false);
        var unknown = stamped.Where(s => history.Revisions.All(r => r.Revision != s)).ToList();
        if (unknown.Count > 0)
        {
            throw new RecoveryException(
                "StampNotInHistory",
                FailureKind.InvalidOperation,
                $"alembic_version holds {string.Join(", ", unknown)}, which the history in '{history.Source}' does "
                    + "not contain; Alembic cannot upgrade from there. Set a known revision with Set-AlembicVersion "
                    + "first.",
                string.Join(",", unknown)
            );
        }

        return history.Path(stamped, revision == "heads" ? history.Heads : [history.Resolve(revision).Revision]);
    }

    /// <summary>The plan of an upgrade: one external step, alembic, run under DbRecovery's lock.</summary>
    public static OperationPlan Plan(
        AlembicCli cli,
        string revision,
        IReadOnlyList<AlembicRevision> pending,
        QualifiedName versionTable
    )
    {
        ArgumentNullException.ThrowIfNull(cli);
        ArgumentNullException.ThrowIfNull(pending);
        return new OperationPlan(
            $"alembic upgrade {revision} ({pending.Count} revisions)",
            [
                new ExternalStep
                {
                    Kind = StepKind.Command,
                    Targets = [versionTable],
                    Action =
                        $"alembic upgrade {revision}: apply "
                        + $"{string.Join(", ", pending.Select(p => p.Revision).DefaultIfEmpty("nothing"))} "
                        + $"(database URL in ${cli.UrlVariable})",
                    Command = new ExternalCommand(
                        cli.Command[0],
                        [.. cli.Command.Skip(1), "-c", cli.IniFile, "upgrade", revision]
                    ),
                },
            ]
        );
    }

    /// <summary>
    /// Runs the upgrade with the one executor, reporting progress per revision; the journal records the version it
    /// left.
    /// </summary>
    /// <exception cref="RecoveryException">Alembic failed (<c>AlembicUpgradeFailed</c>, with its error, password
    /// removed, and the version it left) or the lock is held.</exception>
    public static Task RunAsync(
        ConnectionTarget target,
        AlembicCli cli,
        string revision,
        IReadOnlyList<AlembicRevision> pending,
        QualifiedName versionTable,
        JournalContext journal,
        IRecoveryLog log,
        CancellationToken cancellationToken
    ) =>
        PlanExecutor.RunAsync(
            target,
            Plan(cli, revision, pending, versionTable),
            journal,
            new UpgradeRun(target, cli, revision, pending, versionTable),
            log,
            cancellationToken
        );

    /// <summary>
    /// The SQL Alembic would run from the stamped revision to <paramref name="revision"/> (offline mode); changes
    /// nothing.
    /// </summary>
    public static async Task<string> ScriptAsync(
        ConnectionTarget target,
        AlembicCli cli,
        QualifiedName versionTable,
        string revision,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(cli);
        var stamped = await ReadStampAsync(target, versionTable, log, cancellationToken).ConfigureAwait(false);
        var range = stamped.Count == 1 ? $"{stamped[0]}:{revision}" : revision;
        var run = await cli.RunAsync(
                target,
                ["upgrade", range, "--sql"],
                NullRecoveryLog.Instance,
                null,
                cancellationToken
            )
            .ConfigureAwait(false);
        return run.ExitCode == 0
            ? string.Join(
                Environment.NewLine,
                run.Output.Where(l => !l.StartsWith("INFO  [", StringComparison.Ordinal))
            )
            : throw Failed(run, target);
    }

    private static async Task<IReadOnlyList<string>> ReadStampAsync(
        ConnectionTarget target,
        QualifiedName versionTable,
        IRecoveryLog log,
        CancellationToken cancellationToken
    ) =>
        (await AlembicVersionRow.ReadAsync(target, versionTable, log, cancellationToken).ConfigureAwait(false))
            ?.Select(r => r.Revision)
            .ToList()
        ?? [];

    private static RecoveryException Failed(AlembicRun run, ConnectionTarget target) =>
        new(
            "AlembicUpgradeFailed",
            FailureKind.InvalidOperation,
            $"alembic upgrade failed on {target.DisplayName} (exit code {run.ExitCode}): {AlembicCli.ErrorOf(run)}",
            target.DisplayName
        );

    /// <summary>Runs alembic for the executor and reads back the version it left when it fails.</summary>
    private sealed class UpgradeRun(
        ConnectionTarget target,
        AlembicCli cli,
        string revision,
        IReadOnlyList<AlembicRevision> pending,
        QualifiedName versionTable
    ) : PlanHooks
    {
        public override async Task<ExternalResult> RunExternalAsync(
            ExternalStep step,
            IRecoveryLog log,
            CancellationToken cancellationToken
        )
        {
            var done = 0;
            var run = await cli.RunAsync(
                    target,
                    ["upgrade", revision],
                    log,
                    line =>
                    {
                        if (RunningUpgrade().Match(line) is { Success: true } match)
                        {
                            log.Progress(
                                new ProgressReport(
                                    "alembic upgrade " + revision,
                                    match.Groups[1].Value,
                                    done++,
                                    Math.Max(1, pending.Count)
                                )
                            );
                        }
                    },
                    cancellationToken
                )
                .ConfigureAwait(false);
            return new ExternalResult(run.ExitCode, run.ExitCode == 0 ? string.Empty : AlembicCli.ErrorOf(run));
        }

        public override async Task<string?> DescribeStateAsync(
            DatabaseSession session,
            CancellationToken cancellationToken
        )
        {
            var located = await VersionTable
                .LocateAsync(session, versionTable, cancellationToken)
                .ConfigureAwait(false);
            if (located is null)
            {
                return $"{versionTable} does not exist; Alembic's transaction rolled back whatever it had begun";
            }

            var rows = await VersionTable.ReadRowsAsync(session, located, cancellationToken).ConfigureAwait(false);
            return $"{located} reads [{string.Join(", ", rows)}]; "
                + "revisions before the failing one stay applied when the project commits per migration";
        }

        public override RecoveryException ExternalFailure(ExternalStep step, ExternalResult result, string state) =>
            new(
                "AlembicUpgradeFailed",
                FailureKind.InvalidOperation,
                $"alembic upgrade failed on {target.DisplayName} (exit code {result.ExitCode}): {result.Error} Now: "
                    + $"{state}.",
                target.DisplayName
            );
    }

    [GeneratedRegex(@"Running upgrade (.*)$")]
    private static partial Regex RunningUpgrade();
}
