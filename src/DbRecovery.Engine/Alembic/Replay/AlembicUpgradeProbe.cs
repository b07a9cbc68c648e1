using System.Text.RegularExpressions;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Engine.Alembic.Replay;

/// <summary>
/// Runs real Alembic on a copy of a database (never on the database itself): stamps the revisions it is at,
/// upgrades to the target, and reports the revision that fails with Alembic's error, SQLSTATE and object.
/// </summary>
public static partial class AlembicUpgradeProbe
{
    /// <summary>
    /// Stamps <paramref name="from"/> on <paramref name="copy"/>, then runs <c>alembic upgrade
    /// <paramref name="upgradeTo"/></c> there.
    /// </summary>
    /// <param name="copy">The copy to run on.</param>
    /// <param name="history">The history.</param>
    /// <param name="cli">How to run Alembic.</param>
    /// <param name="from">The revisions the copy is at (empty for base).</param>
    /// <param name="to">The revisions <paramref name="upgradeTo"/> stands for.</param>
    /// <param name="upgradeTo">What alembic upgrade is given: <c>heads</c> or a revision.</param>
    /// <param name="database">The name of the database the copy is of, for the report.</param>
    /// <param name="log">Where to report.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    public static async Task<UpgradeReport> RunAsync(
        ConnectionTarget copy,
        AlembicHistory history,
        AlembicCli cli,
        IReadOnlyList<string> from,
        IReadOnlyList<string> to,
        string upgradeTo,
        string database,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(cli);
        var pending = history.Path(from, to);
        var report = new UpgradeReport
        {
            Database = database,
            From = from,
            To = to,
            Revisions = pending.Select(r => r.Revision).ToList(),
            Mode = "Exact",
        };
        var stamp = await cli.RunAsync(
                copy,
                ["stamp", "--purge", .. from.DefaultIfEmpty("base")],
                log,
                null,
                cancellationToken
            )
            .ConfigureAwait(false);
        if (stamp.ExitCode != 0)
        {
            return report with
            {
                Findings = [Failure(from.FirstOrDefault() ?? "base", "alembic stamp", AlembicCli.ErrorOf(stamp))],
            };
        }

        string? running = null;
        var done = 0;
        var run = await cli.RunAsync(
                copy,
                ["upgrade", upgradeTo],
                log,
                line =>
                {
                    if (RunningUpgrade().Match(line) is { Success: true } match)
                    {
                        running = match.Groups[1].Value;
                        log.Progress(
                            new ProgressReport(
                                "Rehearsing alembic upgrade " + upgradeTo,
                                running,
                                done++,
                                Math.Max(1, pending.Count)
                            )
                        );
                    }
                },
                cancellationToken
            )
            .ConfigureAwait(false);
        return run.ExitCode == 0
            ? report
            : report with
            {
                Findings =
                [
                    Failure(
                        running ?? "(before the first revision)",
                        $"alembic upgrade {upgradeTo}",
                        AlembicCli.ErrorOf(run)
                    ),
                ],
            };
    }

    private static UpgradeFinding Failure(string revision, string operation, string error) =>
        new()
        {
            Revision = revision,
            Operation = operation,
            Object = PsycopgErrors.ObjectOf(error) ?? string.Empty,
            Kind = UpgradeFindingKind.Failed,
            Reason = error,
            SqlState = PsycopgErrors.SqlStateOf(error),
        };

    [GeneratedRegex(@"Running upgrade .*?-> (\w+)")]
    private static partial Regex RunningUpgrade();
}
