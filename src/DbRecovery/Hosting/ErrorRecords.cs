using System.Management.Automation;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Hosting;

/// <summary>
/// Turns engine failures into ErrorRecords: the one map from <see cref="FailureKind"/> to <see cref="ErrorCategory"/>.
/// </summary>
internal static class ErrorRecords
{
    public static ErrorRecord From(Exception exception, SecretMask mask, object? target)
    {
        var failure =
            exception as RecoveryException
            ?? new RecoveryException(
                "UnexpectedFailure",
                FailureKind.InvalidOperation,
                $"{exception.GetType().Name}: {exception.Message}",
                target,
                exception
            );
        var message = mask.Apply(failure.Message);
        if (!string.Equals(message, failure.Message, StringComparison.Ordinal))
        {
            // A secret reached the text: drop the original (and its inner exceptions) rather than carry it along.
            failure = new RecoveryException(failure.ErrorId, failure.Kind, message, failure.Target)
            {
                SqlState = failure.SqlState,
            };
        }

        return new ErrorRecord(failure, failure.ErrorId, Category(failure.Kind), failure.Target ?? target);
    }

    private static ErrorCategory Category(FailureKind kind) =>
        kind switch
        {
            FailureKind.InvalidArgument => ErrorCategory.InvalidArgument,
            FailureKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
            FailureKind.AuthenticationError => ErrorCategory.AuthenticationError,
            FailureKind.PermissionDenied => ErrorCategory.PermissionDenied,
            FailureKind.ConnectionError => ErrorCategory.ConnectionError,
            FailureKind.ResourceBusy => ErrorCategory.ResourceBusy,
            FailureKind.Timeout => ErrorCategory.OperationTimeout,
            FailureKind.ResourceExists => ErrorCategory.ResourceExists,
            FailureKind.InvalidData => ErrorCategory.InvalidData,
            _ => ErrorCategory.InvalidOperation,
        };
}
