using System.Management.Automation;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Commands;

/// <summary>Reads a schema snapshot saved by Export-SchemaState.</summary>
/// <remarks>
/// Returns the same SchemaState object Get-SchemaState returned when the snapshot was taken, so it
/// can be inspected and compared without access to the database.
/// </remarks>
/// <example>
/// <code>Import-SchemaState -Path ./prod-schema.json | ForEach-Object Tables | Where-Object Name -like
/// 'pipeline*'</code>
/// <para>Reads a snapshot a DBA sent and lists its pipeline tables.</para>
/// </example>
/// <example>
/// <code>Get-ChildItem ./snapshots/*.json | Import-SchemaState</code>
/// <para>Reads every snapshot in a folder.</para>
/// </example>
/// <seealso cref="ExportSchemaStateCommand"/>
/// <seealso cref="CompareSchemaStateCommand"/>
/// <seealso cref="FindAlembicRevisionCommand"/>
[Cmdlet(VerbsData.Import, "SchemaState")]
[OutputType(typeof(SchemaState))]
public sealed class ImportSchemaStateCommand : RecoveryCmdlet
{
    /// <summary>The snapshot file(s); wildcards are allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var pattern in Path)
        {
            foreach (var path in Resolve(pattern))
            {
                try
                {
                    var state = SchemaStateJson.Load(path);
                    WriteObject(state);
                }
                catch (Exception ex) when (ex is RecoveryException or IOException or UnauthorizedAccessException)
                {
                    WriteFailure(ex, path);
                }
            }
        }
    }

    private IEnumerable<string> Resolve(string pattern)
    {
        try
        {
            return GetResolvedProviderPathFromPSPath(pattern, out _);
        }
        catch (ItemNotFoundException)
        {
            WriteFailure(
                new RecoveryException(
                    "SchemaFileNotFound",
                    FailureKind.ObjectNotFound,
                    $"'{pattern}' does not exist.",
                    pattern
                ),
                pattern
            );
            return [];
        }
    }
}
