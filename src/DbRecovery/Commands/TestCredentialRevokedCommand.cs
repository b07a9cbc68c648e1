using System.Management.Automation;
using DbRecovery.Engine.Secrets;

namespace DbRecovery.Commands;

/// <summary>Proves exposed database credentials no longer work, by trying them.</summary>
/// <remarks>
/// Tries to authenticate with the credentials in -ConnectionString (or -Credential). Pass when the server
/// rejects them (SQLSTATE 28P01 or 28000), Fail when it accepts them (the connection is closed at once),
/// Inconclusive when the server cannot be reached, with the reason. Nothing is changed.
/// </remarks>
/// <example>
/// <code>Test-CredentialRevoked -ConnectionString 'postgresql://app@db.internal/app' -Credential $leaked</code>
/// <para>Checks that the password pasted into the chat no longer opens the database.</para>
/// </example>
/// <example>
/// <code>if ((Test-CredentialRevoked -Credential $leaked).Status -ne 'Pass') { throw 'The leaked password still works' }</code>
/// <para>Stops a runbook while the old password still authenticates.</para>
/// </example>
[Cmdlet(VerbsDiagnostic.Test, "CredentialRevoked")]
[OutputType(typeof(CredentialCheck))]
public sealed class TestCredentialRevokedCommand : DatabaseCmdlet
{
    /// <inheritdoc />
    protected override void EndProcessing()
    {
        try
        {
            WriteObject(Run((log, cancel) => CredentialCheck.TestAsync(Target, log, cancel)));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowFailure(ex, Target.DisplayName);
        }
    }
}
