namespace DbRecovery.Engine.Diagnostics;

/// <summary>
/// What kind of failure a <see cref="RecoveryException"/> reports; hosts map it to their own categories.
/// </summary>
public enum FailureKind
{
    /// <summary>The caller's input is malformed or out of range.</summary>
    InvalidArgument,

    /// <summary>A named object (database, table, revision, file) does not exist.</summary>
    ObjectNotFound,

    /// <summary>The server rejected the credentials.</summary>
    AuthenticationError,

    /// <summary>The role lacks a privilege the operation needs.</summary>
    PermissionDenied,

    /// <summary>The server could not be reached or the connection was lost.</summary>
    ConnectionError,

    /// <summary>The operation is not possible in the current state (read-only session, lock held, ...).</summary>
    InvalidOperation,

    /// <summary>A lock or another resource could not be obtained in time.</summary>
    ResourceBusy,

    /// <summary>The operation did not finish in time.</summary>
    Timeout,

    /// <summary>Something that would be created already exists (a file, a backup folder).</summary>
    ResourceExists,

    /// <summary>Input data (a file, a snapshot) is not in the expected form.</summary>
    InvalidData,

    /// <summary>Any other failure reported by the server.</summary>
    ServerError,
}
