using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Execution;
using DbRecovery.Engine.Journal;
using DbRecovery.Engine.Plans;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Secrets;

/// <summary>
/// Sets a role's password to a SCRAM-SHA-256 verifier computed here, then proves the new password
/// authenticates and the old one (when known) no longer does.
/// </summary>
public static class PasswordRotation
{
    /// <summary>What -WhatIf and the journal show instead of the verifier.</summary>
    public const string VerifierShown = "'SCRAM-SHA-256$4096:<salt>$<StoredKey>:<ServerKey>'";

    /// <summary>
    /// The plan that sets the password; what it shows hides the verifier, which only the executor sends.
    /// </summary>
    /// <param name="role">The role whose password changes.</param>
    /// <param name="newPassword">The new password, or null for a plan that is only shown (-WhatIf).</param>
    public static OperationPlan Plan(string role, string? newPassword) =>
        new(
            $"Set the password of role {role}",
            [
                new SqlStep
                {
                    Kind = StepKind.Write,
                    Targets = [new QualifiedName(null, role)],
                    Action =
                        $"Set the password of role {role} (only a SCRAM-SHA-256 verifier computed on this machine is "
                        + "sent)",
                    Statement = $"ALTER ROLE {SqlIdentifier.Quote(role)} PASSWORD {VerifierShown}",
                    SecretStatement = newPassword is null
                        ? null
                        : $"ALTER ROLE {SqlIdentifier.Quote(role)} PASSWORD '{ScramVerifier.Compute(newPassword)}'",
                },
            ]
        );

    /// <summary>Rotates the password of <paramref name="role"/> on <paramref name="admin"/>'s server.</summary>
    /// <param name="admin">A connection allowed to ALTER ROLE.</param>
    /// <param name="role">The role whose password changes.</param>
    /// <param name="newPassword">The new password.</param>
    /// <param name="oldPassword">The old password, to prove it no longer works, or null.</param>
    /// <param name="journal">The journal and what to record.</param>
    /// <param name="log">Where to report.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <exception cref="RecoveryException">The new password does not authenticate (<c>NewPasswordRejected</c>) or the
    /// old one still does (<c>OldPasswordStillWorks</c>).</exception>
    public static async Task<ConnectionTarget> RotateAsync(
        ConnectionTarget admin,
        string role,
        string newPassword,
        string? oldPassword,
        JournalContext journal,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(admin);
        await PlanExecutor
            .RunAsync(admin, Plan(role, newPassword), journal, PlanHooks.None, log, cancellationToken)
            .ConfigureAwait(false);
        var rotated = admin.WithCredentials(role, newPassword);
        var check = await CredentialCheck
            .TestAsync(rotated, NullRecoveryLog.Instance, cancellationToken)
            .ConfigureAwait(false);
        if (check.Status != "Fail")
        {
            throw new RecoveryException(
                "NewPasswordRejected",
                FailureKind.AuthenticationError,
                $"The password of {role} was changed, but the new one does not authenticate: {check.Reason}",
                role
            );
        }

        if (oldPassword is not null)
        {
            var old = await CredentialCheck
                .TestAsync(admin.WithCredentials(role, oldPassword), NullRecoveryLog.Instance, cancellationToken)
                .ConfigureAwait(false);
            if (old.Status == "Fail")
            {
                throw new RecoveryException(
                    "OldPasswordStillWorks",
                    FailureKind.InvalidOperation,
                    $"The old password of {role} still authenticates after the rotation (check pg_hba.conf for trust "
                        + $"or other methods): {old.Reason}",
                    role
                );
            }
        }

        log.Verbose(
            $"The new password of {role} "
                + $"authenticates{(oldPassword is null ? string.Empty : " and the old one is rejected")}."
        );
        return rotated;
    }
}
