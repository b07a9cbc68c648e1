using System.Diagnostics;
using DbRecovery.Engine.Alembic;
using DbRecovery.Engine.Alembic.Replay;
using DbRecovery.Engine.Backup;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Conversion;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Execution;
using DbRecovery.Engine.Journal;
using DbRecovery.Engine.Sql;
using DbRecovery.Engine.Verification;

namespace DbRecovery.Engine.Planning;

/// <summary>
/// Executes a recovery plan: refuses a plan with blockers or one whose database changed since it was made,
/// backs up and proves the backup, optionally rehearses the whole plan on a copy restored from that backup
/// (real data, each step timed with its lock window), then runs the steps on the database, stopping at the
/// first failure with what state it left and what to run next, and checks the end state. Every change is
/// journaled by the operation that makes it.
/// </summary>
public static class RecoveryExecution
{
    /// <summary>Executes <paramref name="plan"/> on <paramref name="target"/>.</summary>
    /// <exception cref="RecoveryException">
    /// Blockers (<c>RecoveryPlanBlocked</c>), a changed database (<c>RecoveryPlanOutdated</c>), a backup that does not
    /// prove (<c>BackupNotProven</c>), a failed rehearsal (<c>RehearsalFailed</c>, database untouched) or a failed step
    /// (<c>RecoveryStepFailed</c>, saying what the completed steps left and what to run next).
    /// </exception>
    public static async Task<RecoveryResult> RunAsync(
        ConnectionTarget target,
        RecoveryPlan plan,
        RecoveryRunOptions options,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        if (!plan.CanExecute)
        {
            throw new RecoveryException(
                "RecoveryPlanBlocked",
                FailureKind.InvalidOperation,
                "The plan cannot be executed; nothing was changed. No DbRecovery step can fix: "
                    + $"{string.Join("; ", plan.Blockers)}.",
                target.DisplayName
            );
        }

        var history = AlembicHistory.Load(plan.Project, log);
        var versionTable = QualifiedName.Parse(plan.VersionTable);
        var live = await SchemaReader
            .CaptureAsync(target, new SchemaReadOptions { VersionTable = plan.VersionTable }, log, cancellationToken)
            .ConfigureAwait(false);
        if (SchemaFingerprint.Of(live) != plan.Fingerprint)
        {
            throw new RecoveryException(
                "RecoveryPlanOutdated",
                FailureKind.InvalidOperation,
                $"The schema or alembic_version of {target.DisplayName} changed since the plan was made "
                    + $"({plan.CreatedAt:u}); nothing was changed. Make a new plan with Get-RecoveryPlan.",
                target.DisplayName
            );
        }

        var run = new Runner(plan, history, versionTable, options, log);
        if (plan.IsEmpty)
        {
            log.Verbose($"{target.DisplayName} is already recovered: nothing to change.");
            return await run.FinishAsync(target, false, null, cancellationToken).ConfigureAwait(false);
        }

        var initialSchemas = await ScratchDatabase
            .EnsureEmptyAsync(options.Scratch, log, cancellationToken)
            .ConfigureAwait(false);
        log.Progress(
            new ProgressReport(
                "Recovering " + target.DisplayName,
                $"backing up to {options.BackupPath}",
                0,
                plan.Steps.Count
            )
        );
        await run.JournaledAsync(plan.Steps[0], target, () =>
                DatabaseBackup.BackupAsync(
                    target,
                    options.BackupPath,
                    "directory",
                    options.Jobs,
                    false,
                    options.Tools,
                    log,
                    cancellationToken
                )
            )
            .ConfigureAwait(false);
        log.Progress(new ProgressReport("Recovering " + target.DisplayName, "proving the backup", 1, plan.Steps.Count));
        try
        {
            await run.JournaledAsync(plan.Steps[1], options.Scratch, async () =>
                {
                    var proof = await BackupVerifier
                        .VerifyAsync(
                            options.BackupPath,
                            options.Scratch,
                            options.Jobs,
                            options.Rehearse,
                            options.Tools,
                            log,
                            cancellationToken
                        )
                        .ConfigureAwait(false);
                    return proof.Passed
                        ? proof
                        : throw new RecoveryException(
                            "BackupNotProven",
                            FailureKind.InvalidOperation,
                            $"The backup in {options.BackupPath} does not prove "
                                + $"({string.Join("; ", proof.Differences)}); nothing was changed.",
                            options.BackupPath
                        );
                })
                .ConfigureAwait(false);
            if (options.Rehearse)
            {
                await run.StepsAsync(options.Scratch, "Rehearsal", cancellationToken).ConfigureAwait(false);
                await run.RehearseChecksAsync(options.Scratch, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                run.ExpectRows(BackupManifest.Load(options.BackupPath).RowCounts, exact: false);
            }
        }
        finally
        {
            if (options.Rehearse)
            {
                await ScratchDatabase
                    .ResetAsync(options.Scratch, initialSchemas, log, CancellationToken.None)
                    .ConfigureAwait(false);
            }
        }

        await run.StepsAsync(target, "Database", cancellationToken).ConfigureAwait(false);
        return await run.FinishAsync(target, true, options.BackupPath, cancellationToken).ConfigureAwait(false);
    }

    private sealed class Runner(
        RecoveryPlan plan,
        AlembicHistory history,
        QualifiedName versionTable,
        RecoveryRunOptions options,
        IRecoveryLog log
    )
    {
        private readonly List<StepResult> _results = [];
        private readonly StaticReplay _replay = StaticReplay.Run(history);
        private ChecklistOptions _checks = new()
        {
            AlembicPath = plan.Project,
            ExpectedColumnTypes = plan.ExpectedColumnTypes,
            VersionTable = plan.VersionTable,
            Reference = plan.ReferenceSchema is null
                ? null
                : SchemaStateJson.Deserialize(plan.ReferenceSchema, "the recovery plan's reference"),
        };

        public void Record(RecoveryStep step, string on, TimeSpan duration, TimeSpan lockWindow, string outcome) =>
            _results.Add(
                new StepResult
                {
                    Order = step.Order,
                    Kind = step.Kind,
                    On = on,
                    Description = step.Description,
                    Duration = duration,
                    LockWindow = lockWindow,
                    Outcome = outcome,
                }
            );

        /// <summary>
        /// Runs a step that changes no database (the backup, its proof), journaled and timed like the others.
        /// </summary>
        public async Task JournaledAsync<T>(RecoveryStep step, ConnectionTarget where, Func<Task<T>> action)
        {
            var watch = Stopwatch.StartNew();
            await JournaledStep
                .RunAsync(
                    options.Journal with
                    {
                        Operation = $"{options.Journal.Operation}: {step.Kind}",
                    },
                    where,
                    step.Command,
                    action
                )
                .ConfigureAwait(false);
            Record(step, "Database", watch.Elapsed, TimeSpan.Zero, "Done");
        }

        /// <summary>
        /// Runs the changing steps on <paramref name="database"/>; a failure says what the completed ones left.
        /// </summary>
        public async Task StepsAsync(ConnectionTarget database, string on, CancellationToken cancellationToken)
        {
            var completed = new List<RecoveryStep>();
            foreach (var step in plan.Steps.Where(s => s.ChangesDatabase))
            {
                log.Progress(
                    new ProgressReport(
                        $"Recovering {database.DisplayName} ({on.ToLowerInvariant()})",
                        step.Description,
                        step.Order - 1,
                        plan.Steps.Count
                    )
                );
                var operation = $"{options.Journal.Operation}: {step.Kind}";
                var journal = options.Journal with { Operation = operation, Rehearsal = on == "Rehearsal" };
                var watch = Stopwatch.StartNew();
                try
                {
                    var outcome = step switch
                    {
                        ConvertStep convert => await ConvertAsync(database, convert, journal, cancellationToken)
                            .ConfigureAwait(false),
                        StampStep stamp => await StampAsync(database, stamp, journal, cancellationToken)
                            .ConfigureAwait(false),
                        UpgradeStep upgrade => await UpgradeAsync(database, upgrade, journal, cancellationToken)
                            .ConfigureAwait(false),
                        _ => throw new InvalidOperationException(
                            $"A {step.GetType().Name} does not change the database."
                        ),
                    };
                    var entry = options
                        .Journal.Journal.Read()
                        .LastOrDefault(e =>
                            e.Operation == operation && e.Target == database.DisplayName && e.CompletedAt is not null
                        );
                    Record(
                        step,
                        on,
                        watch.Elapsed,
                        outcome == "Done" ? entry?.LockWindow ?? watch.Elapsed : TimeSpan.Zero,
                        outcome
                    );
                    completed.Add(step);
                }
                catch (RecoveryException ex)
                {
                    Record(step, on, watch.Elapsed, TimeSpan.Zero, "Failed: " + ex.Message);
                    throw on == "Rehearsal"
                        ? RehearsalFailed(database, step, ex)
                        : StepFailed(database, step, completed, ex);
                }
            }
        }

        /// <summary>Production's end check is judged by <paramref name="rows"/>.</summary>
        public void ExpectRows(IReadOnlyDictionary<string, long> rows, bool exact) =>
            _checks = _checks with { ExpectedRows = rows, RowsExact = exact };

        /// <summary>
        /// The end check on the rehearsal copy: a failure there stops the recovery before the database is touched. Then
        /// the copy's catalog and rows (real Alembic's work on the same data) are what production's end check compares
        /// with.
        /// </summary>
        public async Task RehearseChecksAsync(ConnectionTarget copy, CancellationToken cancellationToken)
        {
            var failed = (await RecoveryChecklist.RunAsync(copy, _checks, log, cancellationToken).ConfigureAwait(false))
                .Where(c => c.Status == "Fail")
                .ToList();
            if (failed.Count > 0)
            {
                throw new RecoveryException(
                    "RehearsalFailed",
                    FailureKind.InvalidOperation,
                    $"The rehearsal on a copy of the database restored from the backup into {copy.DisplayName} ran "
                        + "every step, but its end check fails: "
                        + $"{string.Join("; ", failed.Select(f => $"{f.Name}: {f.Detail}"))}. The database itself "
                        + "was not changed.",
                    copy.DisplayName
                );
            }

            var rehearsed = await SchemaReader
                .CaptureAsync(copy, new SchemaReadOptions(), log, cancellationToken)
                .ConfigureAwait(false);
            _checks = _checks with
            {
                Reference = rehearsed with { Origin = "the rehearsal copy after the plan's steps" },
            };
            ExpectRows(
                await TableRows.CountAsync(copy, rehearsed, log, cancellationToken).ConfigureAwait(false),
                exact: true
            );
        }

        public async Task<RecoveryResult> FinishAsync(
            ConnectionTarget target,
            bool changed,
            string? backupPath,
            CancellationToken cancellationToken
        )
        {
            var checks = await RecoveryChecklist
                .RunAsync(target, _checks, log, cancellationToken)
                .ConfigureAwait(false);
            var version = await AlembicVersionRow
                .ReadAsync(target, versionTable, log, cancellationToken)
                .ConfigureAwait(false);
            return new RecoveryResult
            {
                Database = target.DisplayName,
                BackupPath = backupPath,
                Rehearsed = options.Rehearse && changed,
                Changed = changed,
                Steps = _results,
                Checks = checks,
                AlembicVersion = version?.Select(r => r.Revision).ToList() ?? [],
            };
        }

        private async Task<string> ConvertAsync(
            ConnectionTarget database,
            ConvertStep step,
            JournalContext journal,
            CancellationToken cancellationToken
        )
        {
            var roots = step.Keys.Select(k => new ConversionRoot(k.Schema, k.Table, k.Column)).ToList();
            var conversion = await IdConversion
                .PlanAsync(database, roots, step.To, log, cancellationToken)
                .ConfigureAwait(false);
            if (conversion.IsEmpty)
            {
                return "Skipped: already converted";
            }

            await IdConversion.ApplyAsync(database, conversion, journal, log, cancellationToken).ConfigureAwait(false);
            return "Done";
        }

        private async Task<string> StampAsync(
            ConnectionTarget database,
            StampStep step,
            JournalContext journal,
            CancellationToken cancellationToken
        )
        {
            // An exact plan's revision was proven by real Alembic, so the static replay's guard does not get a veto (as
            // the script's -Force says).
            var stamp = await VersionStamp
                .PlanAsync(
                    database,
                    _replay,
                    step.Revisions,
                    versionTable,
                    step.ExpectedCurrent,
                    step.Force,
                    log,
                    cancellationToken
                )
                .ConfigureAwait(false);
            await VersionStamp.ApplyAsync(database, stamp, journal, log, cancellationToken).ConfigureAwait(false);
            return "Done";
        }

        private async Task<string> UpgradeAsync(
            ConnectionTarget database,
            UpgradeStep step,
            JournalContext journal,
            CancellationToken cancellationToken
        )
        {
            var pending = await AlembicUpgrade
                .PreflightAsync(database, history, step.Revision, versionTable, log, cancellationToken)
                .ConfigureAwait(false);
            if (pending.Count == 0)
            {
                return "Skipped: already at the target";
            }

            await AlembicUpgrade
                .RunAsync(database, options.Cli, step.Revision, pending, versionTable, journal, log, cancellationToken)
                .ConfigureAwait(false);
            return "Done";
        }

        private static RecoveryException RehearsalFailed(
            ConnectionTarget scratch,
            RecoveryStep step,
            RecoveryException error
        ) =>
            new(
                "RehearsalFailed",
                FailureKind.InvalidOperation,
                $"The rehearsal on a copy of the database restored from the backup into {scratch.DisplayName} failed "
                    + $"at step {step.Order} ({step.Description}): {error.Message} "
                    + "The database itself was not changed.",
                step.Kind.ToString(),
                error
            );

        private RecoveryException StepFailed(
            ConnectionTarget database,
            RecoveryStep step,
            List<RecoveryStep> completed,
            RecoveryException error
        )
        {
            var state =
                completed.Count == 0
                    ? "the database is as it was before the recovery (each step is one transaction, and this one "
                        + "rolled back)"
                    : $"the database is as step {completed[^1].Order} left it, after: "
                        + $"{string.Join("; ", completed.Select(c => c.Description))}";
            return new RecoveryException(
                "RecoveryStepFailed",
                FailureKind.InvalidOperation,
                $"Step {step.Order} of the recovery of {database.DisplayName} ({step.Description}) failed: "
                    + $"{error.Message} Now {state}. "
                    + "To go on, remove the cause and run Get-RecoveryPlan again, then Invoke-RecoveryPlan: the new "
                    + "plan starts from here. "
                    + $"To go back, Restore-Database -Path '{options.BackupPath}' -Clean restores the backup taken "
                    + "before the first change.",
                step.Kind.ToString(),
                error
            );
        }
    }
}
