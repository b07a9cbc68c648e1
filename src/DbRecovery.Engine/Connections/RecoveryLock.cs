using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Engine.Connections;

/// <summary>
/// The session advisory lock every state-changing DbRecovery operation holds, so two recoveries
/// (or a recovery and an upgrade started by DbRecovery) never interleave. It is released when the
/// session ends, even if the process dies.
/// </summary>
public static class RecoveryLock
{
    /// <summary>The advisory lock key shared by all DbRecovery operations ("DbRecovr" in ASCII).</summary>
    public const long Key = 0x4462_5265_636F_7672;

    /// <summary>Takes the lock without waiting.</summary>
    /// <exception cref="RecoveryException">Another session holds it (<c>RecoveryInProgress</c>), naming that
    /// session.</exception>
    public static async Task AcquireAsync(DatabaseSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        await using (var command = session.CreateCommand("SELECT pg_try_advisory_lock(@key)"))
        {
            command.Parameters.AddWithValue("key", Key);
            if ((bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                return;
            }
        }

        throw new RecoveryException(
            "RecoveryInProgress",
            FailureKind.ResourceBusy,
            $"Another DbRecovery operation is running on {session.Target.DisplayName} "
                + $"({await DescribeHolderAsync(session, cancellationToken).ConfigureAwait(false)}). Wait for it to "
                + "finish; nothing was changed.",
            session.Target.DisplayName
        );
    }

    private static async Task<string> DescribeHolderAsync(DatabaseSession session, CancellationToken cancellationToken)
    {
        await using var command = session.CreateCommand(
            """
            SELECT l.pid, a.usename, a.application_name, a.backend_start
            FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.classid = (@key >> 32)::oid AND l.objid = (@key &
                4294967295)::oid AND l.objsubid = 1
            """
        );
        command.Parameters.AddWithValue("key", Key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? FormattableString.Invariant($"held by pid {reader.GetInt32(0)}, ")
                + $"role {(reader.IsDBNull(1) ? "?" : reader.GetString(1))}, "
                + $"application '{(reader.IsDBNull(2) ? string.Empty : reader.GetString(2))}', connected since "
                + (
                    reader.IsDBNull(3)
                        ? "?"
                        : reader.GetDateTime(3).ToString("u", System.Globalization.CultureInfo.InvariantCulture)
                )
            : "the holder has just finished";
    }
}
