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

    /// <summary>Exports this transaction's snapshot, so another session can see exactly what this one sees.</summary>
    public async Task<string> ExportSnapshotAsync(CancellationToken cancellationToken)
    {
        await using var command = Session.CreateCommand("SELECT pg_export_snapshot()");
        return (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _transaction.DisposeAsync();
}
