using System.Management.Automation;
using System.Net;
using System.Security;
using DbRecovery.Completion;
using DbRecovery.Engine.Secrets;

namespace DbRecovery.Commands;

/// <summary>Rotates a database role's password without the plaintext ever reaching the server.</summary>
/// <remarks>
/// Generates a password from a cryptographically secure source (-Length characters, URL-safe) or takes
/// -NewPassword, computes its SCRAM-SHA-256 verifier on this machine as psql's \password does, and sends only
/// the verifier in ALTER ROLE, so neither the server's logs nor pg_stat_statements can see the password. It
/// then proves the new password authenticates and, given -OldCredential, that the old one no longer does.
/// Returns a PSCredential, or with -AsConnectionString the updated URL as a SecureString. Journaled, under
/// DbRecovery's lock; -WhatIf shows the statement with the verifier hidden.
/// </remarks>
/// <example>
/// <code>$app = Reset-DatabasePassword -ConnectionString $adminUrl -Role app -OldCredential $leaked</code>
/// <para>Gives the app role a new 32-character password, proves the leaked one is dead, and keeps the new one in
/// $app.</para>
/// </example>
/// <example>
/// <code>$url = Reset-DatabasePassword -ConnectionString $adminUrl -Role app -AsConnectionString -Confirm:$false</code>
/// <para>Rotates without asking and returns the app's new database URL as a SecureString for the secret store.</para>
/// </example>
/// <seealso cref="FindExposedSecretCommand"/>
/// <seealso cref="TestCredentialRevokedCommand"/>
[Cmdlet(VerbsCommon.Reset, "DatabasePassword", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(PSCredential), typeof(SecureString))]
public sealed class ResetDatabasePasswordCommand : StateChangingCmdlet
{
    /// <summary>The role whose password changes.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RoleCompleter))]
    public string Role { get; set; } = string.Empty;

    /// <summary>Length of the generated password.</summary>
    [Parameter]
    [ValidateRange(16, 1024)]
    public int Length { get; set; } = 32;

    /// <summary>The new password, instead of a generated one.</summary>
    [Parameter]
    public SecureString? NewPassword { get; set; }

    /// <summary>The old (exposed) credential, to prove it no longer authenticates.</summary>
    [Parameter]
    [Credential]
    public PSCredential? OldCredential { get; set; }

    /// <summary>Return the role's updated connection URL as a SecureString instead of a PSCredential.</summary>
    [Parameter]
    public SwitchParameter AsConnectionString { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        Guarded(
            () =>
            {
                if (!ShouldApply(PasswordRotation.Plan(Role, newPassword: null)))
                {
                    return;
                }

                var password = NewPassword is null
                    ? PasswordGenerator.Generate(Length)
                    : new NetworkCredential(string.Empty, NewPassword).Password;
                var old = OldCredential?.GetNetworkCredential().Password;
                Mask.Add(password);
                Mask.Add(old);
                var journal = Journal();
                var rotated = Run(
                    (log, cancel) => PasswordRotation.RotateAsync(Target, Role, password, old, journal, log, cancel)
                );
                var secure = new NetworkCredential(
                    string.Empty,
                    AsConnectionString ? rotated.ToUrlWithPassword() : password
                ).SecurePassword;
                secure.MakeReadOnly();
                WriteObject(AsConnectionString ? secure : new PSCredential(Role, secure));
            },
            () => Role
        );
    }
}
