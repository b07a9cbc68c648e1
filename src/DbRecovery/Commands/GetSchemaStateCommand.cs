using System.Management.Automation;
using DbRecovery.Commands.Parameters;
using DbRecovery.Completion;
using DbRecovery.Engine.Catalog;

namespace DbRecovery.Commands;

/// <summary>Takes a read-only snapshot of a database's schema and its alembic_version rows.</summary>
/// <remarks>
/// Reads pg_catalog inside BEGIN TRANSACTION READ ONLY (REPEATABLE READ), so it cannot change anything
/// and works on a hot standby. The snapshot holds tables (kind, estimated rows, size), columns (type as
/// PostgreSQL formats it, nullability, default, identity, generation), primary key, unique, check and
/// exclusion constraints, foreign keys (columns, referenced table, ON DELETE/ON UPDATE, MATCH,
/// deferrability, validation), indexes, views and materialized views with the columns they depend on,
/// sequences and their owning columns, enum types, triggers, RLS policies and the rows of alembic_version.
/// It costs the same few round trips whatever the size of the schema.
/// </remarks>
/// <example>
/// <code>Get-SchemaState -ConnectionString 'postgresql://ops@db.internal:5432/app?sslmode=require' -Credential
/// (Get-Credential ops)</code>
/// <para>Snapshots every non-system schema of the app database, asking for the password instead of putting it in the
/// URL.</para>
/// </example>
/// <example>
/// <code>Get-SchemaState | ForEach-Object Tables | Where-Object Name -like 'pipeline*'</code>
/// <para>Uses $env:DATABASE_URL and lists the tables whose names start with pipeline, to see which later migrations
/// never ran.</para>
/// </example>
/// <example>
/// <code>Get-SchemaState -Schema app* -VersionTable ops.alembic_version | Export-SchemaState -Path ./schema.json</code>
/// <para>Snapshots the schemas whose names start with app, reads Alembic's version from ops.alembic_version, and saves
/// the snapshot for someone without database access.</para>
/// </example>
/// <seealso cref="ExportSchemaStateCommand"/>
/// <seealso cref="ImportSchemaStateCommand"/>
/// <seealso cref="CompareSchemaStateCommand"/>
/// <seealso cref="FindAlembicRevisionCommand"/>
[Cmdlet(VerbsCommon.Get, "SchemaState")]
[OutputType(typeof(SchemaState))]
[ParametersFrom(typeof(VersionTableParameter))]
public sealed partial class GetSchemaStateCommand : DatabaseCmdlet
{
    /// <summary>
    /// Schemas to capture, by name or wildcard pattern (case-insensitive). System schemas are never captured. A plain
    /// name that matches no schema is an error.
    /// </summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SchemaCompleter))]
    public string[] Schema { get; set; } = ["*"];

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        Guarded(
            () =>
            {
                var options = new SchemaReadOptions
                {
                    Schemas = Schema.Select(SchemaPattern.Parse).ToList(),
                    VersionTable = VersionTable,
                };
                var state = Run((log, cancel) => SchemaReader.CaptureAsync(Target, options, log, cancel));
                WriteObject(state);
            },
            () => Target.DisplayName
        );
    }
}
