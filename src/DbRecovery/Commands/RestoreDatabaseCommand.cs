using System.Management.Automation;
using DbRecovery.Commands.Parameters;
using DbRecovery.Engine.Backup;

namespace DbRecovery.Commands;

/// <summary>
/// Restores a backup written by Backup-Database into a database, and verifies the result against its manifest.
/// </summary>
/// <remarks>
/// Checks the backup's checksums, refuses a target that is not empty unless -Clean (which drops every schema of
/// the target first), restores with pg_restore, then compares the restored schema and exact row counts with the
/// manifest as Test-DatabaseBackup does; a mismatch is an error. Journaled, under DbRecovery's lock.
/// </remarks>
/// <example>
/// <code>Restore-Database -Path /backups/app-before-recovery -ConnectionString
/// 'postgresql://ops@localhost/app_copy'</code>
/// <para>Restores the backup into an empty database, for a local rehearsal of the recovery.</para>
/// </example>
/// <example>
/// <code>Restore-Database -Path /backups/app-before-recovery -Clean -Confirm:$false</code>
/// <para>Puts the database in $env:DATABASE_URL back exactly as it was backed up.</para>
/// </example>
/// <seealso cref="BackupDatabaseCommand"/>
/// <seealso cref="TestDatabaseBackupCommand"/>
[Cmdlet(VerbsData.Restore, "Database", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(BackupVerification))]
[ParametersFrom(typeof(PgBinPathParameter))]
public sealed partial class RestoreDatabaseCommand : SingleChangeCmdlet
{
    /// <summary>The backup folder.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Drop everything in the target first.</summary>
    [Parameter]
    public SwitchParameter Clean { get; set; }

    /// <summary>Parallel pg_restore workers; defaults to the number of cores.</summary>
    /// <value>The number of processors</value>
    [Parameter]
    [ValidateRange(1, 64)]
    public int Jobs { get; set; } = Environment.ProcessorCount;

    /// <inheritdoc />
    protected override string ChooseOne => "... | Select-Object -First 1, or name the backup with -Path";

    /// <inheritdoc />
    protected override void Change()
    {
        var path = FileSystemPath(Path);
        Guarded(
            () =>
            {
                var tools = PgTools.Locate(PgBinFolder(PgBinPath));
                var plan = Run(
                    (log, cancel) => DatabaseRestore.PlanAsync(path, Target, Jobs, Clean, tools, log, cancel)
                );
                if (!ShouldApply(plan))
                {
                    return;
                }

                var journal = Journal();
                WriteObject(
                    Run(
                        (log, cancel) =>
                            DatabaseRestore.RestoreAsync(path, plan, Target, Jobs, tools, journal, log, cancel)
                    )
                );
            },
            () => path
        );
    }
}
