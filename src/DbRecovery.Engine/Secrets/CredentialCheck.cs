using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Engine.Secrets;

/// <summary>
/// Whether old credentials still work: Pass when the server rejects them, Fail when it accepts them, Inconclusive
/// otherwise.
/// </summary>
public sealed record CredentialCheck
{
    /// <summary>The server and database tried, without the password.</summary>
    public required string Target { get; init; }

    /// <summary>The user tried.</summary>
    public string? User { get; init; }

    /// <summary>Pass, Fail or Inconclusive.</summary>
    public required string Status { get; init; }

    /// <summary>Why.</summary>
    public required string Reason { get; init; }

    /// <summary>
    /// Tries to authenticate with <paramref name="target"/>'s credentials; an accepted connection is closed at once.
    /// </summary>
    public static async Task<CredentialCheck> TestAsync(
        ConnectionTarget target,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(target);
        try
        {
            await using var session = await DatabaseSession
                .OpenAsync(target, log, cancellationToken)
                .ConfigureAwait(false);
            return Result(target, "Fail", "The server accepted the credentials; they still work and must be rotated.");
        }
        catch (RecoveryException ex) when (ex.Kind == FailureKind.AuthenticationError)
        {
            return Result(target, "Pass", $"The server rejected the credentials (SQLSTATE {ex.SqlState}).");
        }
        catch (RecoveryException ex) when (ex.ErrorId == "DatabaseNotFound")
        {
            // PostgreSQL authenticates before it looks the database up.
            return Result(
                target,
                "Fail",
                "The server accepted the credentials (the database does not exist, which is only checked after "
                    + "authentication)."
            );
        }
        catch (RecoveryException ex)
        {
            return Result(target, "Inconclusive", $"The credentials could not be tried: {ex.Message}");
        }
    }

    private static CredentialCheck Result(ConnectionTarget target, string status, string reason) =>
        new()
        {
            Target = target.DisplayName,
            User = target.Username,
            Status = status,
            Reason = reason,
        };

    /// <inheritdoc />
    public override string ToString() => $"{Status} {User}@{Target}";
}
