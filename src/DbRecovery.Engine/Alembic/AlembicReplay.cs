using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Engine.Alembic;

/// <summary>
/// The exact schema of each revision, by upgrading an empty scratch database with real Alembic one
/// revision at a time (one Python process for the whole history) and snapshotting it after each step. A revision whose
/// upgrade fails is recorded with Alembic's error; it and the revisions that build on it are left to the static replay.
/// The scratch database is emptied again afterwards, however the replay ends.
/// </summary>
public static class AlembicReplay
{
    /// <summary>Replays <paramref name="revisions"/> (with their ancestors) on the scratch database.</summary>
    /// <exception cref="RecoveryException">The scratch database is not empty (<c>ScratchNotEmpty</c>).</exception>
    public static async Task<AlembicReplayResult> RunAsync(
        AlembicHistory history,
        AlembicCli cli,
        ConnectionTarget scratch,
        IReadOnlyList<string> revisions,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(cli);
        ArgumentNullException.ThrowIfNull(log);
        var initialSchemas = await ScratchDatabase
            .EnsureEmptyAsync(scratch, log, cancellationToken)
            .ConfigureAwait(false);

        var stepper = AlembicStepper.Start(cli, scratch, log);
        try
        {
            var wanted = history.Revisions.Where(r => revisions.Any(w => history.IsAncestor(r.Revision, w))).ToList();
            var schemas = new Dictionary<string, SchemaState>(StringComparer.Ordinal);
            var failures = new Dictionary<string, string>(StringComparer.Ordinal);
            var applied = new List<string>();
            for (var i = 0; i < wanted.Count; i++)
            {
                var revision = wanted[i];
                log.Progress(
                    new ProgressReport("Replaying the history with Alembic", revision.Revision, i, wanted.Count)
                );
                if (failures.Keys.Any(f => history.IsAncestor(f, revision.Revision)))
                {
                    continue;
                }

                if (!applied.All(a => history.IsAncestor(a, revision.Revision)))
                {
                    await ScratchDatabase
                        .ResetAsync(scratch, initialSchemas, log, cancellationToken)
                        .ConfigureAwait(false);
                    applied.Clear();
                }

                if (await stepper.UpgradeAsync(revision.Revision, cancellationToken).ConfigureAwait(false) is { } error)
                {
                    failures[revision.Revision] = error;
                    log.Warning(
                        $"alembic upgrade {revision.Revision} failed on the scratch database: "
                            + $"{failures[revision.Revision]}. It and the revisions after it fall back to the static "
                            + "replay."
                    );

                    // Alembic rolled the revision back; what was applied before it still stands.
                    continue;
                }

                applied.Add(revision.Revision);
                schemas[revision.Revision] = await SchemaReader
                    .CaptureAsync(scratch, new SchemaReadOptions(), log, cancellationToken)
                    .ConfigureAwait(false) with
                {
                    Origin = $"alembic replay of {revision.Revision}",
                };
            }

            return new AlembicReplayResult(schemas, failures);
        }
        finally
        {
            await stepper.DisposeAsync().ConfigureAwait(false);

            // Whatever happened (success, a failed revision, Ctrl+C), the scratch database is left as empty as it was
            // found.
            await ScratchDatabase.ResetQuietlyAsync(scratch, initialSchemas, "the replay", log).ConfigureAwait(false);
        }
    }
}
