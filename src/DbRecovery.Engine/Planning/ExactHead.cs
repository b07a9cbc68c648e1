using DbRecovery.Engine.Alembic;
using DbRecovery.Engine.Alembic.Replay;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Engine.Planning;

/// <summary>
/// The head as real Alembic builds it from empty on the scratch database, revision by revision: the exact reference a
/// recovered database is judged by. Where the history contradicts itself (a key created with one type and referenced
/// later with another), the key is converted to the type the later reference needs before that revision runs, as the
/// recovery resolves it, so such a history has an exact head too. The scratch database is emptied again afterwards.
/// </summary>
public static class ExactHead
{
    /// <summary>
    /// What a recovered database is judged by, exactly: the head real Alembic builds from empty, and the key types the
    /// application's models declare (env.py's target_metadata built with create_all()), which win over the revisions'.
    /// </summary>
    /// <returns>The head (null with Alembic's error when even the resolution does not help) and the declared
    /// keys.</returns>
    public static async Task<(SchemaState? Head, string? Error, IReadOnlyList<string> DeclaredKeys)> ReferenceAsync(
        AlembicHistory history,
        AlembicCli cli,
        ConnectionTarget scratch,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        var models = await ModelSchema.BuildAsync(cli, scratch, log, cancellationToken).ConfigureAwait(false);
        var (head, error) = await BuildAsync(history, cli, scratch, log, cancellationToken).ConfigureAwait(false);
        return (head, error, models is null ? [] : ModelSchema.DeclaredKeys(models));
    }

    /// <summary>Builds the head of <paramref name="history"/>; returns it, or Alembic's error where even the resolution
    /// does not help.</summary>
    /// <exception cref="RecoveryException">The scratch database is not empty (<c>ScratchNotEmpty</c>).</exception>
    public static async Task<(SchemaState? Head, string? Error)> BuildAsync(
        AlembicHistory history,
        AlembicCli cli,
        ConnectionTarget scratch,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(log);
        var contradictions = HistoryContradiction.Find(StaticReplay.Run(history)).ToList();
        var initialSchemas = await ScratchDatabase
            .EnsureEmptyAsync(scratch, log, cancellationToken)
            .ConfigureAwait(false);
        try
        {
            await using (var stepper = AlembicStepper.Start(cli, scratch, log))
            {
                var revisions = history.Revisions;
                for (var i = 0; i < revisions.Count; i++)
                {
                    var revision = revisions[i].Revision;
                    log.Progress(
                        new ProgressReport("Building the head with real Alembic", revision, i, revisions.Count)
                    );
                    if (await stepper.UpgradeAsync(revision, cancellationToken).ConfigureAwait(false) is not { } error)
                    {
                        continue;
                    }

                    var resolved = contradictions.Where(c => c.ReferencedBy == revision).ToList();
                    if (resolved.Count == 0)
                    {
                        return (null, $"revision {revision}: {error}");
                    }

                    contradictions.RemoveAll(resolved.Contains);
                    var keys = resolved
                        .Select(c => new KeyConversion
                        {
                            Schema = c.Schema,
                            Table = c.Table,
                            Column = c.Column,
                            From = c.CreatedType,
                            To = c.ReferencedAs,
                            Reason = c.ToString(),
                        })
                        .ToList();
                    await ExactUpgradeCheck.ConvertAsync(scratch, keys, log, cancellationToken).ConfigureAwait(false);
                    if (await stepper.UpgradeAsync(revision, cancellationToken).ConfigureAwait(false) is { } again)
                    {
                        return (null, $"revision {revision}: {again}");
                    }
                }
            }

            var head = await SchemaReader
                .CaptureAsync(scratch, new SchemaReadOptions(), log, cancellationToken)
                .ConfigureAwait(false);
            return (head with { Origin = $"real Alembic: {string.Join(" + ", history.Heads)} built from empty" }, null);
        }
        finally
        {
            await ScratchDatabase
                .ResetQuietlyAsync(scratch, initialSchemas, "building the head", log)
                .ConfigureAwait(false);
        }
    }
}
