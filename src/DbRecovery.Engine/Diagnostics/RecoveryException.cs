namespace DbRecovery.Engine.Diagnostics;

/// <summary>
/// A failure the engine reports to its host: a stable <see cref="ErrorId"/>, a <see cref="Kind"/>
/// and the object it concerns. Messages never contain secrets.
/// </summary>
public sealed class RecoveryException : Exception
{
    /// <summary>Creates a failure.</summary>
    /// <param name="errorId">Stable PascalCase identifier, e.g. <c>AuthenticationFailed</c>.</param>
    /// <param name="kind">What kind of failure this is.</param>
    /// <param name="message">What went wrong and what to do about it.</param>
    /// <param name="target">The object the failure concerns, safe to display.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public RecoveryException(
        string errorId,
        FailureKind kind,
        string message,
        object? target = null,
        Exception? innerException = null
    )
        : base(message, innerException)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
    }

    /// <summary>Stable PascalCase identifier of the failure.</summary>
    public string ErrorId { get; }

    /// <summary>What kind of failure this is.</summary>
    public FailureKind Kind { get; }

    /// <summary>The object the failure concerns, safe to display.</summary>
    public object? Target { get; }

    /// <summary>The SQLSTATE the server reported, when the failure came from PostgreSQL.</summary>
    public string? SqlState { get; init; }
}
