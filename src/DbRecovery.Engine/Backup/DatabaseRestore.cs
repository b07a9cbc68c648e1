using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Execution;
using DbRecovery.Engine.Journal;
using DbRecovery.Engine.Plans;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Backup;

/// <summary>
/// Restores a backup into a database with the one executor: the backup's files are proven before anything
/// changes; with -Clean every schema is dropped in one transaction (journaled as destructive); pg_restore runs
/// as an external step; the result is compared with the manifest.
/// </summary>
public static class DatabaseRestore
{
    /// <summary>
    /// What a restore would do, read from the backup and the target; refuses a corrupt backup or a non-empty target
    /// without <paramref name="clean"/>.
    /// </summary>
    /// <exception cref="RecoveryException">The backup is corrupt (<c>BackupInvalid</c>) or the target is not empty and
    /// <paramref name="clean"/> is not set (<c>TargetNotEmpty</c>).</exception>
    public static async Task<OperationPlan> PlanAsync(
        string path,
        ConnectionTarget target,
        int jobs,
        bool clean,
        PgTools tools,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(target);
        var manifest = BackupManifest.Load(path);
        var broken = await BackupVerifier
            .CheckFilesAsync(path, manifest, tools, cancellationToken)
            .ConfigureAwait(false);
        if (broken.Count > 0)
        {
            throw new RecoveryException(
                "BackupInvalid",
                FailureKind.InvalidData,
                $"The backup in {path} cannot be restored: {string.Join("; ", broken)}. Nothing was changed.",
                path
            );
        }

        var state = await SchemaReader
            .CaptureAsync(target, new SchemaReadOptions(), log, cancellationToken)
            .ConfigureAwait(false);
        if (!clean && !ScratchDatabase.IsEmpty(state))
        {
            throw new RecoveryException(
                "TargetNotEmpty",
                FailureKind.InvalidOperation,
                $"{target.DisplayName} is not empty ({state.Tables.Count} tables); nothing was restored. Restore "
                    + "into an empty database, or pass -Clean to drop everything in it first.",
                target.DisplayName
            );
        }

        var steps = clean ? ScratchDatabase.EmptyingSteps(state.Schemas, ["public"]).ToList() : [];
        steps.Add(
            new ExternalStep
            {
                Kind = StepKind.Command,
                Targets = [new QualifiedName(null, target.Database)],
                Action = $"Restore the backup in {path} with pg_restore (password in PGPASSWORD)",
                Command = new ExternalCommand(
                    "pg_restore",
                    BackupVerifier.RestoreArguments(path, manifest, target, jobs, ownership: true)
                ),
                StateIfFailed = clean
                    ? $"{target.DisplayName} was emptied by -Clean and the restore did not complete, so it holds at "
                        + "most part of the backup; run Restore-Database -Clean again"
                    : $"{target.DisplayName} holds whatever pg_restore restored before it failed; run "
                        + "Restore-Database -Clean again",
            }
        );
        return new OperationPlan(
            clean
                ? $"Empty {target.DisplayName} and restore {path} into it"
                : $"Restore {path} into {target.DisplayName}",
            steps
        );
    }

    /// <summary>Runs a restore plan, then compares the database with the backup's manifest.</summary>
    /// <exception cref="RecoveryException">pg_restore failed (<c>RestoreFailed</c>, saying what state the target is in)
    /// or the result differs from the manifest (<c>RestoreVerificationFailed</c>).</exception>
    public static async Task<BackupVerification> RestoreAsync(
        string path,
        OperationPlan plan,
        ConnectionTarget target,
        int jobs,
        PgTools tools,
        JournalContext journal,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(target);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var manifest = BackupManifest.Load(path);
        await PlanExecutor
            .RunAsync(
                target,
                plan,
                journal,
                new RestoreRun(path, manifest, target, jobs, tools),
                log,
                cancellationToken
            )
            .ConfigureAwait(false);
        var differences = await BackupVerifier
            .CompareAsync(manifest, target, log, cancellationToken)
            .ConfigureAwait(false);
        return differences.Count == 0
            ? new BackupVerification
            {
                Path = path,
                Differences = differences,
                Duration = watch.Elapsed,
            }
            : throw new RecoveryException(
                "RestoreVerificationFailed",
                FailureKind.InvalidOperation,
                $"The restore into {target.DisplayName} does not match the backup's manifest: "
                    + $"{string.Join("; ", differences.Take(10))}",
                target.DisplayName
            );
    }

    private sealed class RestoreRun(
        string path,
        BackupManifest manifest,
        ConnectionTarget target,
        int jobs,
        PgTools tools
    ) : PlanHooks
    {
        public override async Task<ExternalResult> RunExternalAsync(
            ExternalStep step,
            IRecoveryLog log,
            CancellationToken cancellationToken
        )
        {
            var (code, error) = await BackupVerifier
                .RestoreIntoAsync(path, manifest, target, jobs, ownership: true, tools, log, cancellationToken)
                .ConfigureAwait(false);
            return new ExternalResult(code, error);
        }

        public override RecoveryException ExternalFailure(ExternalStep step, ExternalResult result, string state) =>
            new(
                "RestoreFailed",
                FailureKind.InvalidOperation,
                $"pg_restore failed (exit code {result.ExitCode}): {result.Error} Now: {state}.",
                target.DisplayName
            );
    }
}
