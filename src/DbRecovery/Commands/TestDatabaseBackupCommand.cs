using System.Management.Automation;
using DbRecovery.Commands.Parameters;
using DbRecovery.Engine.Backup;
using DbRecovery.Engine.Connections;

namespace DbRecovery.Commands;

/// <summary>
/// Proves a backup: checksums, a real restore into an empty scratch database, and the schema and row counts against the
/// manifest.
/// </summary>
/// <remarks>
/// Checks every file's SHA-256 and size against manifest.json (a single corrupted byte fails it), runs
/// pg_restore --list, restores into -ScratchConnectionString (which must be empty), compares the restored
/// schema with the manifest's snapshot (as Compare-SchemaState does) and the exact row counts of every table,
/// then drops what it restored unless -Keep. Returns a BackupVerification whose Passed is true only when
/// everything matched; Differences says what did not.
/// </remarks>
/// <example>
/// <code>Test-DatabaseBackup -Path /backups/app-before-recovery -ScratchConnectionString
/// 'postgresql://ops@localhost/scratch'</code>
/// <para>Restores the backup into an empty scratch database and checks it matches what was dumped.</para>
/// </example>
/// <example>
/// <code>if (-not (Test-DatabaseBackup -Path $backup.Path -ScratchConnectionString $scratch).Passed) { throw 'The
/// backup cannot be trusted' }</code>
/// <para>Stops a runbook before any change when the backup does not restore exactly.</para>
/// </example>
/// <seealso cref="BackupDatabaseCommand"/>
/// <seealso cref="RestoreDatabaseCommand"/>
[Cmdlet(VerbsDiagnostic.Test, "DatabaseBackup")]
[OutputType(typeof(BackupVerification))]
[ParametersFrom(typeof(PgBinPathParameter))]
public sealed partial class TestDatabaseBackupCommand : RecoveryCmdlet
{
    /// <summary>The backup folder (Backup-Database's output binds by its Path).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>An empty database to restore into (a postgresql:// URL or Npgsql key=value string).</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string ScratchConnectionString { get; set; } = string.Empty;

    /// <summary>Parallel pg_restore workers; defaults to the number of cores.</summary>
    /// <value>The number of processors</value>
    [Parameter]
    [ValidateRange(1, 64)]
    public int Jobs { get; set; } = Environment.ProcessorCount;

    /// <summary>Leave the restored objects in the scratch database.</summary>
    [Parameter]
    public SwitchParameter Keep { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var path = FileSystemPath(Path);
        Guarded(
            () =>
            {
                var scratch = RequiredScratch(ScratchConnectionString, "Test-DatabaseBackup");
                var tools = PgTools.Locate(PgBinFolder(PgBinPath));
                WriteObject(
                    Run((log, cancel) => BackupVerifier.VerifyAsync(path, scratch, Jobs, Keep, tools, log, cancel))
                );
            },
            () => path
        );
    }
}
