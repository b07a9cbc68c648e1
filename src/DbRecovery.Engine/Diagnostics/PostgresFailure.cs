using System.Net.Sockets;
using Npgsql;

namespace DbRecovery.Engine.Diagnostics;

/// <summary>
/// The one place where PostgreSQL and network failures become <see cref="RecoveryException"/>s:
/// SQLSTATE and socket errors map to stable error ids and kinds here and nowhere else.
/// </summary>
public static class PostgresFailure
{
    /// <summary>Translates a failure raised while talking to <paramref name="target"/>.</summary>
    /// <param name="exception">What Npgsql or the network raised.</param>
    /// <param name="target">Display form of the server or object, without secrets.</param>
    /// <returns>The failure to report; <paramref name="exception"/> itself when it already is one.</returns>
    public static RecoveryException Translate(Exception exception, string target)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is RecoveryException known)
        {
            return known;
        }

        if (exception is PostgresException pg)
        {
            return FromSqlState(pg, target);
        }

        var socket = FindInner<SocketException>(exception);
        if (socket is not null)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => new RecoveryException(
                    "HostNotFound",
                    FailureKind.ConnectionError,
                    $"The host of {target} could not be resolved. Check the host name in the connection string.",
                    target,
                    exception
                ),
                SocketError.ConnectionRefused => new RecoveryException(
                    "ConnectionRefused",
                    FailureKind.ConnectionError,
                    $"{target} refused the connection: no PostgreSQL server is listening on that host and port.",
                    target,
                    exception
                ),
                SocketError.TimedOut => Timeout(target, exception),
                _ => new RecoveryException(
                    "ConnectionFailed",
                    FailureKind.ConnectionError,
                    $"Could not connect to {target}: {socket.SocketErrorCode}.",
                    target,
                    exception
                ),
            };
        }

        if (FindInner<TimeoutException>(exception) is not null)
        {
            return Timeout(target, exception);
        }

        // Npgsql says so in a plain NpgsqlException, before any SQLSTATE: the server asked for a password (SCRAM, md5)
        // and none was configured.
        if (
            exception is NpgsqlException
            && exception.Message.Contains("No password has been provided", StringComparison.Ordinal)
        )
        {
            return new RecoveryException(
                "PasswordRequired",
                FailureKind.AuthenticationError,
                $"{target} asks for a password and none was given. Pass -Credential (Get-Credential), put the "
                    + "password percent-encoded in the URL, or use PGPASSWORD or ~/.pgpass.",
                target,
                exception
            );
        }

        if (exception is OperationCanceledException)
        {
            return new RecoveryException(
                "OperationCanceled",
                FailureKind.InvalidOperation,
                "The operation was canceled.",
                target,
                exception
            );
        }

        return new RecoveryException(
            "DatabaseError",
            FailureKind.ServerError,
            $"The operation on {target} failed: {exception.Message}",
            target,
            exception
        );
    }

    private static RecoveryException FromSqlState(PostgresException pg, string target)
    {
        var (errorId, kind, message) = pg.SqlState switch
        {
            PostgresErrorCodes.InvalidPassword => (
                "AuthenticationFailed",
                FailureKind.AuthenticationError,
                $"{target} rejected the credentials (password authentication failed). Check the user and password, "
                    + "or pass -Credential."
            ),
            PostgresErrorCodes.InvalidAuthorizationSpecification => (
                "AuthorizationRejected",
                FailureKind.AuthenticationError,
                $"{target} does not allow this connection: {pg.MessageText}"
            ),
            PostgresErrorCodes.InvalidCatalogName => (
                "DatabaseNotFound",
                FailureKind.ObjectNotFound,
                $"The database of {target} does not exist. Check the database name in the connection string."
            ),
            PostgresErrorCodes.InsufficientPrivilege => (
                "PermissionDenied",
                FailureKind.PermissionDenied,
                $"The role lacks a privilege on {target}: {pg.MessageText}"
            ),
            PostgresErrorCodes.ReadOnlySqlTransaction => (
                "ReadOnlyTransaction",
                FailureKind.InvalidOperation,
                $"{target} refused a write in a read-only transaction: {pg.MessageText}"
            ),
            PostgresErrorCodes.LockNotAvailable => (
                "LockTimeout",
                FailureKind.ResourceBusy,
                $"A lock could not be obtained on {target} within lock_timeout: {pg.MessageText}"
            ),
            PostgresErrorCodes.QueryCanceled => (
                "StatementCanceled",
                FailureKind.Timeout,
                $"A statement on {target} was canceled: {pg.MessageText}"
            ),
            PostgresErrorCodes.AdminShutdown
            or PostgresErrorCodes.CrashShutdown
            or PostgresErrorCodes.CannotConnectNow => (
                "ConnectionLost",
                FailureKind.ConnectionError,
                $"The connection to {target} was closed by the server: {pg.MessageText}"
            ),
            PostgresErrorCodes.TooManyConnections => (
                "TooManyConnections",
                FailureKind.ResourceBusy,
                $"{target} has no free connection slots: {pg.MessageText}"
            ),
            PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected => (
                "TransactionConflict",
                FailureKind.ResourceBusy,
                $"A concurrent transaction on {target} conflicted with this one: {pg.MessageText}"
            ),
            PostgresErrorCodes.UndefinedTable => (
                "UndefinedTable",
                FailureKind.ObjectNotFound,
                $"{pg.MessageText} (on {target})"
            ),
            PostgresErrorCodes.UndefinedColumn => (
                "UndefinedColumn",
                FailureKind.ObjectNotFound,
                $"{pg.MessageText} (on {target})"
            ),
            _ => (
                "PostgresError",
                FailureKind.ServerError,
                $"{target} reported SQLSTATE {pg.SqlState}: {pg.MessageText}"
            ),
        };
        return new RecoveryException(errorId, kind, message, target, pg) { SqlState = pg.SqlState };
    }

    private static RecoveryException Timeout(string target, Exception exception) =>
        new(
            "ConnectionTimeout",
            FailureKind.Timeout,
            $"{target} did not answer in time. Check the host, port and firewall, or raise the connect timeout.",
            target,
            exception
        );

    private static T? FindInner<T>(Exception exception)
        where T : Exception
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is T match)
            {
                return match;
            }
        }

        return null;
    }
}
