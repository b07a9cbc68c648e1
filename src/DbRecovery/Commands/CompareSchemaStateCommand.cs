using System.Management.Automation;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Comparison;

namespace DbRecovery.Commands;

/// <summary>Lists the differences between an expected and an actual schema, one object per difference.</summary>
/// <remarks>
/// Compares tables, columns (type names normalised, so varchar(36) equals character varying(36)),
/// nullability, foreign keys (by their columns: target and ON DELETE/ON UPDATE) and indexes (by name).
/// Alembic's version table is never a difference. Each SchemaDifference has Kind, Schema, Table,
/// Column, Name, Expected and Actual, and binds by property name into later cmdlets.
/// </remarks>
/// <example>
/// <code>Compare-SchemaState -Reference (Get-RevisionSchema -Path ./backend -Revision head) -Difference
/// (Get-SchemaState)</code>
/// <para>Shows how the live database differs from what the history's head defines.</para>
/// </example>
/// <example>
/// <code>Compare-SchemaState -Reference (Import-SchemaState ./staging.json) -Difference (Import-SchemaState
/// ./prod.json) | Where-Object Kind -eq TypeMismatch</code>
/// <para>Compares two saved snapshots and keeps the columns whose types differ.</para>
/// </example>
/// <seealso cref="GetSchemaStateCommand"/>
/// <seealso cref="GetRevisionSchemaCommand"/>
/// <seealso cref="FindAlembicRevisionCommand"/>
[Cmdlet(VerbsData.Compare, "SchemaState")]
[OutputType(typeof(SchemaDifference))]
public sealed class CompareSchemaStateCommand : RecoveryCmdlet
{
    /// <summary>The expected schema (for example from Get-RevisionSchema or Import-SchemaState).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNull]
    public SchemaState? Reference { get; set; }

    /// <summary>The actual schema (for example from Get-SchemaState); may be piped.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true)]
    [ValidateNotNull]
    public SchemaState? Difference { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() =>
        WriteObject(SchemaComparer.Compare(Reference!, Difference!), enumerateCollection: true);
}
