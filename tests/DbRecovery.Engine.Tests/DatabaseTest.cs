using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Connections;
using DbRecovery.TestSupport;

namespace DbRecovery.Engine.Tests;

/// <summary>Base for tests that need a database of their own on the shared server.</summary>
public abstract class DatabaseTest : IAsyncLifetime
{
    private TestDatabase? _database;

    protected TestDatabase Database => _database ?? throw new InvalidOperationException("InitializeAsync has not run.");

    internal EngineLog Log { get; } = new();

    public async Task InitializeAsync()
    {
        var server = await PostgresServer.GetAsync();
        _database = await server.CreateDatabaseAsync();
    }

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    protected Task<DatabaseSession> OpenSessionAsync() =>
        DatabaseSession.OpenAsync(ConnectionTarget.Parse(Database.Url), Log, CancellationToken.None);

    protected async Task<SchemaState> SnapshotAsync(SchemaReadOptions? options = null)
    {
        await using var session = await OpenSessionAsync();
        await using var transaction = await session.BeginReadOnlyAsync(CancellationToken.None);
        return await SchemaReader.ReadAsync(transaction, options ?? new SchemaReadOptions(), CancellationToken.None);
    }
}
