using System.Management.Automation;
using DbRecovery.Engine.Connections;
using DbRecovery.Hosting;

namespace DbRecovery.Commands;

/// <summary>Base of cmdlets that talk to a database: the connection parameters and the parsed target.</summary>
public abstract class DatabaseCmdlet : RecoveryCmdlet
{
    private ConnectionTarget? _target;

    /// <summary>
    /// The database: a postgresql:// URL (user and password percent-encoded, options such as ?sslmode=require) or an
    /// Npgsql key=value string. Defaults to $env:DATABASE_URL.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConnectionString { get; set; }

    /// <summary>
    /// User name and password that replace those in the connection string, so the password need not be typed into a
    /// URL.
    /// </summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>
    /// How long any statement may wait for a lock before the cmdlet gives up with LockTimeout (naming who holds it), as
    /// seconds or a TimeSpan.
    /// </summary>
    [Parameter]
    [SecondsTransformation]
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The database to work on, parsed once the parameters are bound, with the lock timeout its sessions use.
    /// </summary>
    protected ConnectionTarget Target =>
        _target ?? throw new InvalidOperationException("The connection target is parsed in BeginProcessing.");

    /// <summary>The database -ConnectionString and -Credential name, else $env:DATABASE_URL.</summary>
    /// <exception cref="Engine.Diagnostics.RecoveryException">The string is missing or malformed.</exception>
    internal static ConnectionTarget TargetOf(string? connectionString, PSCredential? credential) =>
        ConnectionTarget.Parse(
            connectionString ?? Environment.GetEnvironmentVariable("DATABASE_URL"),
            credential?.GetNetworkCredential()
        );

    /// <summary>Parses the connection string; a missing or malformed one stops the cmdlet.</summary>
    protected override void BeginProcessing()
    {
        Mask.Add(Credential?.GetNetworkCredential().Password);
        try
        {
            _target = TargetOf(ConnectionString, Credential).WithLockTimeout(LockTimeout);
        }
        catch (Exception ex)
        {
            ThrowFailure(ex, null);
        }

        Mask.Add(_target!.Password);
    }
}
