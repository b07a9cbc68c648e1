namespace DbRecovery.Engine.Tests;

/// <summary>
/// The tests that run after all others, with none beside them: those that measure what PostgreSQL does with dead row
/// versions. It prunes a page only once its dead versions are older than the oldest snapshot, and it recomputes that
/// horizon precisely (per database) only when the oldest snapshot on the server has moved, so a long transaction of
/// another test, even in another database, can keep it from pruning.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneOnTheServer
{
    public const string Name = "Alone on the server";
}
