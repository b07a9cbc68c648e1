using System.Data;
using System.Data.Common;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using DbRecovery.Engine.Diagnostics;
using Npgsql;

namespace DbRecovery.Engine.Connections;

/// <summary>One open connection to a target database, reporting NOTICEs and SQL to an <see cref="IRecoveryLog"/>.</summary>
public sealed partial class DatabaseSession : IAsyncDisposable
{
    private DatabaseSession(ConnectionTarget target, NpgsqlConnection connection, IRecoveryLog log)
    {
        Target = target;
        Connection = connection;
        Log = log;
    }

    /// <summary>The database this session is connected to.</summary>
    public ConnectionTarget Target { get; }

    /// <summary>The server's version as PostgreSQL reports it, e.g. <c>15.18</c>.</summary>
    public string ServerVersion => Connection.PostgreSqlVersion.ToString();

    internal NpgsqlConnection Connection { get; }

    internal IRecoveryLog Log { get; }

    /// <summary>Connects to <paramref name="target"/>.</summary>
    /// <exception cref="RecoveryException">The server cannot be reached, rejects the credentials, or has no such database.</exception>
    public static async Task<DatabaseSession> OpenAsync(ConnectionTarget target, IRecoveryLog log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(log);
        var connection = new NpgsqlConnection(target.Settings.ConnectionString);
        connection.Notice += (_, e) => log.Verbose($"{e.Notice.Severity}: {e.Notice.MessageText}");
        try
        {
            log.Verbose($"Connecting to {target.DisplayName}");
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw PostgresFailure.Translate(ex, target.DisplayName);
        }

        log.Verbose($"Connected to {target.DisplayName} (PostgreSQL {connection.PostgreSqlVersion})");
        return new DatabaseSession(target, connection, log);
    }

    /// <summary>
    /// Starts a <c>REPEATABLE READ, READ ONLY</c> transaction: every query in it sees one snapshot and
    /// the server refuses any write. Works on a hot standby.
    /// </summary>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <param name="snapshot">A snapshot exported by another transaction (<see cref="ReadOnlyTransaction.ExportSnapshotAsync"/>) to share, or null.</param>
    public async Task<ReadOnlyTransaction> BeginReadOnlyAsync(CancellationToken cancellationToken, string? snapshot = null)
    {
        if (snapshot is not null && !SnapshotId().IsMatch(snapshot))
        {
            throw new ArgumentException("Not a snapshot id from pg_export_snapshot().", nameof(snapshot));
        }

        try
        {
            var transaction = await Connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);

            // SET takes no parameters; the snapshot id was checked to be hex digits and dashes above.
            var sql = snapshot is null ? "SET TRANSACTION READ ONLY" : $"SET TRANSACTION SNAPSHOT '{snapshot}'; SET TRANSACTION READ ONLY";
            await using var command = CreateCommand(sql);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return new ReadOnlyTransaction(this, transaction);
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            throw PostgresFailure.Translate(ex, Target.DisplayName);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Connection.DisposeAsync();

    internal NpgsqlCommand CreateCommand(string sql)
    {
        Log.Verbose(sql);
        return new NpgsqlCommand(sql, Connection);
    }

    internal static bool IsConnectionFailure(Exception ex) =>
        ex is DbException or SocketException or TimeoutException or IOException or OperationCanceledException;

    [GeneratedRegex("^[0-9A-F]+(-[0-9A-F]+)+$")]
    private static partial Regex SnapshotId();
}
