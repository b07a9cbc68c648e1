using System.Management.Automation;
using DbRecovery.Commands.Parameters;
using DbRecovery.Engine.Backup;
using DbRecovery.Engine.Execution;

namespace DbRecovery.Commands;

/// <summary>Backs up a database with pg_dump and a manifest that proves what was dumped.</summary>
/// <remarks>
/// Runs pg_dump (from -PgBinPath, PATH or /usr/lib/postgresql/*/bin; its major version must be at least the
/// server's) in directory format with -Jobs parallel workers, or -Format Custom, inside a snapshot DbRecovery
/// exports. Beside the dump, manifest.json records the database, server version, alembic_version, the schema
/// snapshot and exact row counts taken in that same snapshot, and the SHA-256 and size of every file. The
/// password reaches pg_dump through its environment, never its command line. The backup is written under a
/// temporary name and renamed at the end, so an interrupted backup never looks complete; an existing folder
/// is never overwritten. -IncludeGlobals adds pg_dumpall --globals-only (roles without passwords).
/// Prove the backup with Test-DatabaseBackup before relying on it.
/// </remarks>
/// <example>
/// <code>Backup-Database -Path /backups/app-before-recovery -Jobs 4</code>
/// <para>Dumps the database in $env:DATABASE_URL with four parallel workers.</para>
/// </example>
/// <example>
/// <code>Backup-Database -Path ./app.backup -Format Custom | Test-DatabaseBackup -ScratchConnectionString
/// $scratchUrl</code>
/// <para>Writes a custom-format backup and proves at once that it restores and matches.</para>
/// </example>
/// <seealso cref="TestDatabaseBackupCommand"/>
/// <seealso cref="RestoreDatabaseCommand"/>
[Cmdlet(VerbsData.Backup, "Database", SupportsShouldProcess = true)]
[OutputType(typeof(BackupInfo))]
[ParametersFrom(typeof(PgBinPathParameter))]
public sealed partial class BackupDatabaseCommand : StateChangingCmdlet
{
    /// <summary>The backup folder to create; it must not exist.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Directory (parallel) or Custom (one file).</summary>
    [Parameter]
    [ValidateSet("Directory", "Custom")]
    public string Format { get; set; } = "Directory";

    /// <summary>Parallel pg_dump workers for the directory format; defaults to the number of cores.</summary>
    /// <value>The number of processors</value>
    [Parameter]
    [ValidateRange(1, 64)]
    public int Jobs { get; set; } = Environment.ProcessorCount;

    /// <summary>Also dump roles and tablespaces (pg_dumpall --globals-only, without role passwords).</summary>
    [Parameter]
    public SwitchParameter IncludeGlobals { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var path = FileSystemPath(Path);
        Guarded(
            () =>
            {
                if (!ShouldChange(path, $"Write a {Format.ToLowerInvariant()}-format backup of {Target.DisplayName}"))
                {
                    return;
                }

                var tools = PgTools.Locate(PgBinFolder(PgBinPath));
                var journal = Journal();
                WriteObject(
                    Run(
                        (log, cancel) =>
                            JournaledStep.RunAsync(
                                journal,
                                Target,
                                $"pg_dump --format {Format.ToLowerInvariant()} --file {path}",
                                () =>
                                    DatabaseBackup.BackupAsync(
                                        Target,
                                        path,
                                        Format.ToLowerInvariant(),
                                        Jobs,
                                        IncludeGlobals,
                                        tools,
                                        log,
                                        cancel
                                    )
                            )
                    )
                );
            },
            () => path
        );
    }
}
