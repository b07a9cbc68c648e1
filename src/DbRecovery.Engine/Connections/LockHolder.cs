using System.Globalization;

namespace DbRecovery.Engine.Connections;

/// <summary>
/// A session that holds a lock another one waits for: what an operator needs to find it (never its query text,
/// which may carry a secret).
/// </summary>
/// <param name="Pid">Its backend process id (pg_terminate_backend takes it).</param>
/// <param name="Role">Its role.</param>
/// <param name="Application">Its application_name.</param>
/// <param name="State">active, idle in transaction, …</param>
/// <param name="TransactionStart">When its transaction began.</param>
/// <param name="QueryStart">When its current (or last) statement began.</param>
public sealed record LockHolder(
    int Pid,
    string? Role,
    string? Application,
    string? State,
    DateTime? TransactionStart,
    DateTime? QueryStart
)
{
    /// <inheritdoc />
    public override string ToString() =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"pid {Pid} (role {Role ?? "?"}, application '{Application}', {State ?? "state unknown"}, transaction "
                + $"since {Time(TransactionStart)}, query since {Time(QueryStart)})"
        );

    private static string Time(DateTime? time) =>
        time?.ToUniversalTime().ToString("HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "?";
}
