using System.Globalization;
using DbRecovery.Engine.Diagnostics;
using Npgsql;

namespace DbRecovery.Engine.Connections;

/// <summary>
/// Watches one backend from a second connection and, while it waits for a lock, reports who holds it
/// (as progress), so a wait is never silent and a lock timeout can name the blocker. The second
/// connection is opened only once the session has lived for the first poll interval.
/// </summary>
internal sealed class LockWaitMonitor : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _watch;
    private volatile IReadOnlyList<LockHolder> _blockers = [];
    private volatile string? _waitingFor;

    public LockWaitMonitor(ConnectionTarget target, int pid, TimeSpan firstPoll, TimeSpan interval, IRecoveryLog log) =>
        _watch = WatchAsync(target, pid, firstPoll, interval, log, _stop.Token);

    /// <summary>The holders seen the last time the backend was found waiting.</summary>
    public IReadOnlyList<LockHolder> LastBlockers => _blockers;

    /// <summary>The relation it was waiting for then (schema.name), when the lock was on a relation.</summary>
    public string? WaitingFor => _waitingFor;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _watch.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task WatchAsync(
        ConnectionTarget target,
        int pid,
        TimeSpan firstPoll,
        TimeSpan interval,
        IRecoveryLog log,
        CancellationToken stop
    )
    {
        var waitedSince = (DateTimeOffset?)null;
        try
        {
            await Task.Delay(firstPoll, stop).ConfigureAwait(false);
            await using var connection = new NpgsqlConnection(
                new NpgsqlConnectionStringBuilder(target.Settings.ConnectionString)
                {
                    ApplicationName = ConnectionTarget.ApplicationName + " lock monitor",
                }.ConnectionString
            );
            await connection.OpenAsync(stop).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(
                """
                SELECT a.pid, a.usename, a.application_name, a.state, a.xact_start, a.query_start, w.nspname, w.relname
                FROM pg_stat_activity a
                LEFT JOIN (SELECT n.nspname, c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN
                    pg_namespace n ON n.oid = c.relnamespace
                           WHERE l.pid = @pid AND NOT l.granted LIMIT 1) w ON true
                WHERE a.pid = ANY(pg_blocking_pids(@pid)) ORDER BY a.pid
                """,
                connection
            );
            command.Parameters.AddWithValue("pid", pid);
            while (!stop.IsCancellationRequested)
            {
                var holders = new List<LockHolder>();
                string? waitingFor = null;
                await using (var reader = await command.ExecuteReaderAsync(stop).ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(stop).ConfigureAwait(false))
                    {
                        waitingFor = reader.IsDBNull(6)
                            ? null
                            : new Sql.QualifiedName(reader.GetString(6), reader.GetString(7)).ToString();
                        holders.Add(
                            new LockHolder(
                                reader.GetInt32(0),
                                Text(reader, 1),
                                Text(reader, 2),
                                Text(reader, 3),
                                reader.IsDBNull(4) ? null : reader.GetDateTime(4),
                                reader.IsDBNull(5) ? null : reader.GetDateTime(5)
                            )
                        );
                    }
                }

                if (holders.Count > 0)
                {
                    _blockers = holders;
                    _waitingFor = waitingFor;
                    waitedSince ??= DateTimeOffset.UtcNow - firstPoll;
                    var waited = (DateTimeOffset.UtcNow - waitedSince.Value).TotalSeconds;
                    var limit = target.LockTimeout is { } timeout
                        ? string.Create(CultureInfo.InvariantCulture, $" of at most {timeout.TotalSeconds:0.#} s")
                        : string.Empty;
                    log.Progress(
                        new ProgressReport(
                            "Waiting for a lock" + (waitingFor is null ? string.Empty : " on " + waitingFor),
                            string.Create(
                                CultureInfo.InvariantCulture,
                                $"{waited:0} s{limit}, held by {string.Join("; ", holders)}"
                            ),
                            (int)waited,
                            target.LockTimeout is { } t ? (int)Math.Ceiling(t.TotalSeconds) : 0
                        )
                    );
                }
                else
                {
                    waitedSince = null;
                }

                await Task.Delay(interval, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        catch (Exception ex)
            when (ex is NpgsqlException or IOException or TimeoutException or System.Net.Sockets.SocketException)
        {
            // A monitor that cannot connect (connection limit, pooler) only costs the progress report.
            log.Verbose("The lock-wait monitor stopped: " + ex.Message);
        }
    }

    private static string? Text(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
