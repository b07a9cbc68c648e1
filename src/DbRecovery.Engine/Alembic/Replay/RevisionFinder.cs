using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Comparison;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Engine.Alembic.Replay;

/// <summary>
/// Which revision a schema really is at: the static replay by default, real Alembic on a scratch database when asked.
/// </summary>
public static class RevisionFinder
{
    /// <summary>Ranks the revisions of <paramref name="history"/> against <paramref name="actual"/>.</summary>
    /// <param name="history">The history.</param>
    /// <param name="actual">The live schema (or an imported snapshot).</param>
    /// <param name="cli">With <paramref name="scratch"/>: replay with real Alembic for exact schemas.</param>
    /// <param name="scratch">An empty scratch database for the exact replay, or null for the static replay
    /// only.</param>
    /// <param name="top">How many candidates to describe.</param>
    /// <param name="log">Where to report.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    public static async Task<IReadOnlyList<RevisionMatch>> FindAsync(
        AlembicHistory history,
        SchemaState actual,
        AlembicCli? cli,
        ConnectionTarget? scratch,
        int top,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        var replay = StaticReplay.Run(history);
        var matches =
            cli is null || scratch is null
                ? RevisionRanker.Rank(replay, actual, top)
                : RevisionRanker.Rank(
                    replay,
                    (
                        await AlembicReplay
                            .RunAsync(history, cli, scratch, history.Heads, log, cancellationToken)
                            .ConfigureAwait(false)
                    ).Schemas,
                    actual,
                    top
                );
        return matches.Select(m => m with { ProjectPath = history.Source }).ToList();
    }
}
