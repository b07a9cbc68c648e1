using System.Management.Automation;
using DbRecovery.Commands.Parameters;
using DbRecovery.Completion;
using DbRecovery.Engine.Alembic;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Commands;

/// <summary>Reads the rows of a database's Alembic version table.</summary>
/// <remarks>
/// Reads in a read-only transaction. When the table does not exist, nothing is returned and a
/// non-terminating VersionTableNotFound error says so (-ErrorAction SilentlyContinue to test for it).
/// Each row is an AlembicVersionRow whose Revision property binds to Set-AlembicVersion.
/// </remarks>
/// <example>
/// <code>Get-AlembicVersion -ConnectionString 'postgresql://ops@db.internal/app'</code>
/// <para>Shows which revision(s) alembic_version claims.</para>
/// </example>
/// <example>
/// <code>Get-AlembicVersion -VersionTable ops.migrations_version</code>
/// <para>Reads a version table with another name, in another schema, of the database in $env:DATABASE_URL.</para>
/// </example>
/// <seealso cref="SetAlembicVersionCommand"/>
/// <seealso cref="FindAlembicRevisionCommand"/>
[Cmdlet(VerbsCommon.Get, "AlembicVersion")]
[OutputType(typeof(AlembicVersionRow))]
[ParametersFrom(typeof(VersionTableParameter))]
public sealed partial class GetAlembicVersionCommand : DatabaseCmdlet
{
    /// <inheritdoc />
    protected override void EndProcessing()
    {
        Guarded(
            () =>
            {
                var rows = Run(
                    (log, cancel) =>
                        AlembicVersionRow.ReadAsync(Target, Engine.Sql.QualifiedName.Parse(VersionTable), log, cancel)
                );
                if (rows is null)
                {
                    WriteFailure(
                        new RecoveryException(
                            "VersionTableNotFound",
                            FailureKind.ObjectNotFound,
                            $"{Target.DisplayName} has no version table '{VersionTable}': it was never stamped, or "
                                + "Alembic keeps it elsewhere (-VersionTable schema.table). Find-AlembicRevision names "
                                + "the revision its schema matches.",
                            VersionTable
                        ),
                        VersionTable
                    );
                    return;
                }

                WriteObject(rows, enumerateCollection: true);
            },
            () => Target.DisplayName
        );
    }
}
