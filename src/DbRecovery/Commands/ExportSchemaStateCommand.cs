using System.Management.Automation;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Commands;

/// <summary>Saves a schema snapshot as versioned JSON, for someone without database access to analyse.</summary>
/// <remarks>
/// The file holds the schema only: no data, no host, no user, no password. It is written atomically
/// (a temporary file renamed into place). An existing file is replaced only with -Force.
/// Import-SchemaState reads it back exactly as it was.
/// </remarks>
/// <example>
/// <code>Get-SchemaState | Export-SchemaState -Path ./prod-schema.json</code>
/// <para>Snapshots the database in $env:DATABASE_URL and saves it to prod-schema.json.</para>
/// </example>
/// <example>
/// <code>Get-SchemaState -Schema app | Export-SchemaState -Path ./app.json -Force -PassThru</code>
/// <para>Replaces app.json with a fresh snapshot of the app schema and returns the file.</para>
/// </example>
/// <seealso cref="GetSchemaStateCommand"/>
/// <seealso cref="ImportSchemaStateCommand"/>
[Cmdlet(VerbsData.Export, "SchemaState", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportSchemaStateCommand : RecoveryCmdlet
{
    private bool _written;

    /// <summary>The file to write.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>The snapshot to save, usually piped from Get-SchemaState.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public SchemaState? InputObject { get; set; }

    /// <summary>Replace the file if it exists.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Return the written file.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (_written)
        {
            WriteFailure(
                new RecoveryException(
                    "MultipleSnapshots",
                    FailureKind.InvalidArgument,
                    $"'{path}' already holds the first snapshot of this pipeline; export each snapshot to a file of "
                        + "its own.",
                    path
                ),
                InputObject
            );
            return;
        }

        try
        {
            if (!ShouldChange(path, $"Write the schema snapshot of database '{InputObject!.Database}'"))
            {
                return;
            }

            SchemaStateJson.Save(InputObject, path, Force.IsPresent);
            _written = true;
        }
        catch (Exception ex) when (ex is RecoveryException or IOException or UnauthorizedAccessException)
        {
            WriteFailure(ex, path);
            return;
        }

        if (PassThru)
        {
            WriteObject(new FileInfo(path));
        }
    }
}
