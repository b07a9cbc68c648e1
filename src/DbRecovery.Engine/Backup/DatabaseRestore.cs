using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Journal;
using DbRecovery.Engine.Plans;

namespace DbRecovery.Engine.Backup;

/// <summary>Restores a backup into a target database and verifies the result against the manifest, under DbRecovery's lock and journal.</summary>
public static class DatabaseRestore
{
    /// <summary>Restores <paramref name="path"/> into <paramref name="target"/>; with <paramref name="clean"/> the target is emptied first.</summary>
    /// <exception cref="RecoveryException">The target is not empty and <paramref name="clean"/> is not set (<c>TargetNotEmpty</c>).</exception>
    public static Task<BackupVerification> RestoreAsync(
        string path, ConnectionTarget target, int jobs, bool clean, PgTools tools, TimeSpan lockTimeout, JournalContext journal, IRecoveryLog log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        BackupManifest.Load(path);
        var steps = new List<PlanStep>();
        if (clean)
        {
            steps.Add(new PlanStep(target.DisplayName, "Drop every schema of the target (re-creating public)", "DROP SCHEMA … CASCADE for each schema"));
        }

        steps.Add(new PlanStep(target.DisplayName, $"Restore the backup in {path}", $"pg_restore --exit-on-error --jobs {jobs} {path}"));
        return GuardedTransaction.RunAsync(target, log, lockTimeout, journal, steps, async (_, cancel) =>
        {
            if (clean)
            {
                await ScratchDatabase.ResetAsync(target, ["public"], log, cancel).ConfigureAwait(false);
            }

            try
            {
                await ScratchDatabase.EnsureEmptyAsync(target, log, cancel).ConfigureAwait(false);
            }
            catch (RecoveryException ex) when (ex.ErrorId == "ScratchNotEmpty")
            {
                throw new RecoveryException("TargetNotEmpty", FailureKind.InvalidOperation,
                    $"{target.DisplayName} is not empty; nothing was restored. Restore into an empty database, or pass -Clean to drop everything in it first.", target.DisplayName, ex);
            }

            var verification = await BackupVerifier.VerifyAsync(path, target, jobs, keep: true, tools, log, cancel, ownership: true).ConfigureAwait(false);
            return verification.Passed ? verification : throw new RecoveryException("RestoreVerificationFailed", FailureKind.InvalidOperation,
                $"The restore into {target.DisplayName} does not match the backup's manifest: {string.Join("; ", verification.Differences.Take(10))}", target.DisplayName);
        }, cancellationToken);
    }
}
