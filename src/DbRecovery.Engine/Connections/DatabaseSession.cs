using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using DbRecovery.Engine.Diagnostics;
using Npgsql;

namespace DbRecovery.Engine.Connections;

/// <summary>
/// One open connection to a target database, reporting NOTICEs and SQL to an <see cref="IRecoveryLog"/>.
/// </summary>
public sealed partial class DatabaseSession : IAsyncDisposable
{
    private readonly LockWaitMonitor _monitor;

    private DatabaseSession(ConnectionTarget target, NpgsqlConnection connection, IRecoveryLog log)
    {
        Target = target;
        Connection = connection;
        Log = log;
        // The monitor must have named the holder before a short lock timeout ends the wait, even on a busy machine:
        // with a short timeout it polls early and often (a quarter of it), else after a second and every half second.
        var quarter = target.LockTimeout is { } timeout ? timeout / 4 : TimeSpan.MaxValue;
        var firstPoll = quarter < TimeSpan.FromSeconds(1) ? quarter : TimeSpan.FromSeconds(1);
        var interval = quarter < TimeSpan.FromMilliseconds(500) ? quarter : TimeSpan.FromMilliseconds(500);
        _monitor = new LockWaitMonitor(target, connection.ProcessID, firstPoll, interval, log);
    }

    /// <summary>The database this session is connected to.</summary>
    public ConnectionTarget Target { get; }

    /// <summary>The server's version as PostgreSQL reports it, e.g. <c>15.18</c>.</summary>
    public string ServerVersion => Connection.PostgreSqlVersion.ToString();

    internal NpgsqlConnection Connection { get; }

    internal IRecoveryLog Log { get; }

    /// <summary>Connects to <paramref name="target"/>.</summary>
    /// <exception cref="RecoveryException">The server cannot be reached, rejects the credentials, or has no such
    /// database.</exception>
    public static async Task<DatabaseSession> OpenAsync(
        ConnectionTarget target,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
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
        var session = new DatabaseSession(target, connection, log);
        if (target.LockTimeout is { } lockTimeout)
        {
            try
            {
                await session.SetLockTimeoutAsync(lockTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsConnectionFailure(ex))
            {
                await session.DisposeAsync().ConfigureAwait(false);
                throw PostgresFailure.Translate(ex, target.DisplayName);
            }
        }

        return session;
    }

    /// <summary>
    /// The failure to report for <paramref name="exception"/> raised in this session: a lock timeout names the
    /// sessions that held the lock and says how long was waited.
    /// </summary>
    public RecoveryException Failure(Exception exception)
    {
        var failure = PostgresFailure.Translate(exception, Target.DisplayName);
        if (failure.ErrorId != "LockTimeout" || exception is RecoveryException)
        {
            return failure;
        }

        var blockers = _monitor.LastBlockers;
        var waited = Target.LockTimeout is { } timeout
            ? string.Create(CultureInfo.InvariantCulture, $"{timeout.TotalSeconds:0.###} s")
            : "lock_timeout";
        var held =
            blockers.Count == 0
                ? "the holder ended before it could be named"
                : "held by " + string.Join("; ", blockers);
        return new RecoveryException(
            "LockTimeout",
            FailureKind.ResourceBusy,
            $"Gave up after waiting {waited} for a lock on "
                + $"{(_monitor.WaitingFor is { } relation ? relation + " in " : string.Empty)}{Target.DisplayName}, "
                + $"{held}; nothing was changed. Let that transaction finish (or end it with pg_terminate_backend), or "
                + "raise -LockTimeout.",
            Target.DisplayName,
            exception
        )
        {
            SqlState = failure.SqlState,
        };
    }

    /// <summary>
    /// Starts a <c>REPEATABLE READ, READ ONLY</c> transaction: every query in it sees one snapshot and
    /// the server refuses any write. Works on a hot standby.
    /// </summary>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <param name="snapshot">A snapshot exported by another transaction
    /// (<see cref="ReadOnlyTransaction.ExportSnapshotAsync"/>) to share, or null.</param>
    public async Task<ReadOnlyTransaction> BeginReadOnlyAsync(
        CancellationToken cancellationToken,
        string? snapshot = null
    )
    {
        if (snapshot is not null && !SnapshotId().IsMatch(snapshot))
        {
            throw new ArgumentException("Not a snapshot id from pg_export_snapshot().", nameof(snapshot));
        }

        try
        {
            var transaction = await Connection
                .BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken)
                .ConfigureAwait(false);

            // SET takes no parameters; the snapshot id was checked to be hex digits and dashes above.
            var sql = snapshot is null
                ? "SET TRANSACTION READ ONLY"
                : $"SET TRANSACTION SNAPSHOT '{snapshot}'; SET TRANSACTION READ ONLY";
            await using var command = CreateCommand(sql);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return new ReadOnlyTransaction(this, transaction);
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            throw Failure(ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _monitor.DisposeAsync().ConfigureAwait(false);
        await Connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Sets how long this session's statements wait for a lock before they fail with LockTimeout; null: as long as it
    /// takes.
    /// </summary>
    internal async Task SetLockTimeoutAsync(TimeSpan? lockTimeout, CancellationToken cancellationToken)
    {
        // SET takes no parameters; the value is a formatted integer (0 is no limit).
        var milliseconds = lockTimeout is { } timeout ? Math.Max(1, (long)timeout.TotalMilliseconds) : 0;
        await using var command = CreateCommand(
            string.Create(CultureInfo.InvariantCulture, $"SET lock_timeout = '{milliseconds}ms'")
        );
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A command on this session, logged as <paramref name="display"/> (default: the SQL; empty: not logged, for
    /// statements repeated per batch).
    /// </summary>
    internal NpgsqlCommand CreateCommand(string sql, string? display = null)
    {
        if (display is not { Length: 0 })
        {
            Log.Verbose(display ?? sql);
        }

        return new NpgsqlCommand(sql, Connection);
    }

    internal static bool IsConnectionFailure(Exception ex) =>
        ex is DbException or SocketException or TimeoutException or IOException;

    [GeneratedRegex("^[0-9A-F]+(-[0-9A-F]+)+$")]
    private static partial Regex SnapshotId();
}
