using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Commands;

/// <summary>
/// Base of cmdlets that make one change from one input: the change runs in EndProcessing, so piping several
/// objects (the ranked candidates of Find-AlembicRevision, several backups or plans) is refused before any of
/// them is applied, instead of acting on the first and failing on the next.
/// </summary>
public abstract class SingleChangeCmdlet : StateChangingCmdlet
{
    private int _inputs;

    /// <summary>Makes the change for the one input the cmdlet was given.</summary>
    protected abstract void Change();

    /// <summary>
    /// The text the refusal suggests for choosing one input, e.g. "Select-Object -First 1, or name the revision with
    /// -Revision".
    /// </summary>
    protected abstract string ChooseOne { get; }

    /// <inheritdoc />
    protected sealed override void ProcessRecord() => _inputs++;

    /// <inheritdoc />
    protected sealed override void EndProcessing()
    {
        if (_inputs > 1)
        {
            ThrowFailure(
                new RecoveryException(
                    "SeveralInputsPiped",
                    FailureKind.InvalidArgument,
                    $"{_inputs} objects were piped into {MyInvocation.MyCommand.Name}, which changes the database "
                        + $"for one; nothing was changed. Pick one: {ChooseOne}."
                ),
                _inputs
            );
        }

        Change();
    }
}
