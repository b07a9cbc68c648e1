using Npgsql;

namespace DbRecovery.Engine.Connections;

/// <summary>
/// A read-only, single-snapshot transaction. Readers that must never write take one of these,
/// so the server itself guarantees they cannot change anything. Disposing rolls it back.
/// </summary>
public sealed class ReadOnlyTransaction : IAsyncDisposable
{
    private readonly NpgsqlTransaction _transaction;

    internal ReadOnlyTransaction(DatabaseSession session, NpgsqlTransaction transaction)
    {
        Session = session;
        _transaction = transaction;
    }

    /// <summary>The session this transaction runs in.</summary>
    public DatabaseSession Session { get; }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _transaction.DisposeAsync();
}
