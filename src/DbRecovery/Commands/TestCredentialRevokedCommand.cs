using System.Management.Automation;
using System.Security;
using DbRecovery.Engine.Secrets;

namespace DbRecovery.Commands;

/// <summary>
/// Proves exposed credentials no longer work, by trying them: a database password, or an HTTP API key.
/// </summary>
/// <remarks>
/// For a database, tries to authenticate with the credentials in -ConnectionString (or -Credential): Pass when
/// the server rejects them (SQLSTATE 28P01 or 28000), Fail when it accepts them (the connection is closed at
/// once), Inconclusive when the server cannot be reached. For an API key, -Uri and -Token send one GET with the
/// key (Authorization: Bearer by default, -Scheme for another scheme, -HeaderName for X-API-Key styles): Pass on
/// 401 or 403, Fail on 2xx (the key still works), Inconclusive on network errors, timeouts, 429, 5xx and other
/// answers, with the status and reason. A redirect is followed only to the same server, so the key never reaches
/// another host; the key never appears in any output. Nothing is changed.
/// </remarks>
/// <example>
/// <code>Test-CredentialRevoked -ConnectionString 'postgresql://app@db.internal/app' -Credential $leaked</code>
/// <para>Checks that the password pasted into the chat no longer opens the database.</para>
/// </example>
/// <example>
/// <code>Test-CredentialRevoked -Uri https://api.hosting.example/v1/services -Token (Read-Host -AsSecureString 'Old API
/// key')</code>
/// <para>Checks that the old hosting API key is refused (401), as the incident's plan asks.</para>
/// </example>
/// <example>
/// <code>if ((Test-CredentialRevoked -Credential $leaked).Status -ne 'Pass') { throw 'The leaked password still works'
/// }</code>
/// <para>Stops a runbook while the old password still authenticates.</para>
/// </example>
/// <seealso cref="FindExposedSecretCommand"/>
/// <seealso cref="ResetDatabasePasswordCommand"/>
[Cmdlet(VerbsDiagnostic.Test, "CredentialRevoked", DefaultParameterSetName = DatabaseSet)]
[OutputType(typeof(CredentialCheck))]
public sealed class TestCredentialRevokedCommand : DatabaseCmdlet
{
    private const string DatabaseSet = "Database";
    private const string HttpSet = "Http";

    /// <summary>An endpoint of the API that needs the key.</summary>
    [Parameter(Mandatory = true, ParameterSetName = HttpSet)]
    public Uri? Uri { get; set; }

    /// <summary>The old API key.</summary>
    [Parameter(Mandatory = true, ParameterSetName = HttpSet)]
    public SecureString? Token { get; set; }

    /// <summary>The Authorization scheme the key is sent with.</summary>
    [Parameter(ParameterSetName = HttpSet)]
    [ValidateNotNullOrEmpty]
    public string Scheme { get; set; } = "Bearer";

    /// <summary>Send the bare key in this header (e.g. X-API-Key) instead of Authorization.</summary>
    [Parameter(ParameterSetName = HttpSet)]
    [ValidateNotNullOrEmpty]
    public string? HeaderName { get; set; }

    /// <summary>How long to wait for the endpoint's answer, in seconds.</summary>
    [Parameter(ParameterSetName = HttpSet)]
    [ValidateRange(1, 600)]
    public int TimeoutSec { get; set; } = 10;

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        if (ParameterSetName == DatabaseSet)
        {
            base.BeginProcessing();
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        Guarded(
            () =>
            {
                if (ParameterSetName == HttpSet)
                {
                    var token = new System.Net.NetworkCredential(string.Empty, Token).Password;
                    Mask.Add(token);
                    WriteObject(
                        Run(
                            (log, cancel) =>
                                HttpCredentialCheck.TestAsync(
                                    Uri!,
                                    token,
                                    Scheme,
                                    HeaderName,
                                    TimeSpan.FromSeconds(TimeoutSec),
                                    cancel
                                )
                        )
                    );
                    return;
                }

                WriteObject(Run((log, cancel) => CredentialCheck.TestAsync(Target, log, cancel)));
            },
            () => ParameterSetName == HttpSet ? Uri?.GetLeftPart(UriPartial.Path) : Target.DisplayName
        );
    }
}
