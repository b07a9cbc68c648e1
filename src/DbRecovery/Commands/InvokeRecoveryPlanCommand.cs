using System.Management.Automation;
using DbRecovery.Commands.Parameters;
using DbRecovery.Engine.Alembic;
using DbRecovery.Engine.Backup;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Planning;
using DbRecovery.Hosting;

namespace DbRecovery.Commands;

/// <summary>
/// Executes a recovery plan: backup and proof, an optional rehearsal on a restored copy, then the steps, then the
/// checks.
/// </summary>
/// <remarks>
/// Refuses, before any change, a plan with blockers and a plan whose database's schema or alembic_version
/// changed since Get-RecoveryPlan made it (a fingerprint of both). Then backs up to -BackupPath and proves the
/// backup in the scratch database (Backup-Database, Test-DatabaseBackup). With -Rehearse the whole plan first
/// runs on the copy restored from that backup, with real data, each step timed with its lock window, so the
/// operator learns the downtime and sees it succeed before production is touched; then the checklist runs on
/// that copy, and a failing step or check stops here with the database unchanged. Then the conversions, the
/// stamp and the upgrade run on the database, each in its own transaction and journaled; the first failure
/// stops the run and says what the completed steps left and what to run next (a new plan resumes from there,
/// or restore the backup). Last, the checklist of Test-RecoveryState runs on the database: its schema must
/// equal the rehearsal copy's (else the end state real Alembic built while planning) and its tables must
/// hold the copy's rows (else the backup's, as a warning); any failing check is a terminating error after
/// the result is written. An already recovered database is left alone (no backup) and only
/// checked. -WhatIf prints the whole plan as a script and changes nothing.
/// </remarks>
/// <example>
/// <code>Get-RecoveryPlan -Path ./backend | Invoke-RecoveryPlan -BackupPath /backups/before-repair
/// -ScratchConnectionString $scratch -Rehearse -WhatIf</code>
/// <para>Shows every step the recovery would take, and changes nothing.</para>
/// </example>
/// <example>
/// <code>Import-Clixml ./recovery-plan.xml | Invoke-RecoveryPlan -BackupPath /backups/before-repair
/// -ScratchConnectionString $scratch -Rehearse -AlembicCommand /usr/bin/python3,-m,alembic</code>
/// <para>Applies a reviewed plan: backup, proof, rehearsal on a restored copy, then the real run and its checks.</para>
/// </example>
/// <seealso cref="GetRecoveryPlanCommand"/>
/// <seealso cref="BackupDatabaseCommand"/>
/// <seealso cref="RestoreDatabaseCommand"/>
/// <seealso cref="TestRecoveryStateCommand"/>
/// <seealso cref="GetRecoveryJournalCommand"/>
[Cmdlet(VerbsLifecycle.Invoke, "RecoveryPlan", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(RecoveryResult))]
[ParametersFrom(typeof(AlembicRunParameters), typeof(PgBinPathParameter))]
public sealed partial class InvokeRecoveryPlanCommand : SingleChangeCmdlet
{
    /// <summary>
    /// The plan from Get-RecoveryPlan (or read back with Import-Clixml, ConvertFrom-Json, or as JSON text).
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [RecoveryPlanTransformation]
    public RecoveryPlan Plan { get; set; } = null!;

    /// <summary>A new folder for the backup taken before the first change.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string BackupPath { get; set; } = string.Empty;

    /// <summary>
    /// An empty database to prove the backup in and, with -Rehearse, to rehearse on; emptied again afterwards.
    /// </summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string ScratchConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// Run the whole plan on a copy restored from the backup first, timing each step and its lock window.
    /// </summary>
    [Parameter]
    public SwitchParameter Rehearse { get; set; }

    /// <summary>Parallel pg_dump and pg_restore workers; defaults to the number of cores.</summary>
    /// <value>The number of processors</value>
    [Parameter]
    [ValidateRange(1, 64)]
    public int Jobs { get; set; } = Environment.ProcessorCount;

    /// <inheritdoc />
    protected override string ChooseOne => "one plan per database: ... | Select-Object -First 1, or pass it with -Plan";

    /// <inheritdoc />
    protected override void Change()
    {
        Guarded(
            () =>
            {
                if (Plan.Database != Target.DisplayName)
                {
                    throw new RecoveryException(
                        "RecoveryPlanForAnotherDatabase",
                        FailureKind.InvalidArgument,
                        $"The plan was made for {Plan.Database}, not {Target.DisplayName}; nothing was changed.",
                        Plan.Database
                    );
                }

                var scratch = RequiredScratch(ScratchConnectionString, "Invoke-RecoveryPlan");
                var script = RecoveryScript.Render(Plan, Rehearse);
                if (
                    !ShouldChange(
                        Mask.Apply(script),
                        Mask.Apply($"{Plan} on {Target.DisplayName}. Run it?"),
                        "Recover the database"
                    )
                )
                {
                    return;
                }

                var options = new RecoveryRunOptions
                {
                    BackupPath = FileSystemPath(BackupPath),
                    Scratch = scratch,
                    Cli = AlembicCli.For(Plan.Project, AlembicCommand, UrlVariable),
                    Tools = PgTools.Locate(PgBinFolder(PgBinPath)),
                    Journal = Journal(),
                    Rehearse = Rehearse,
                    Jobs = Jobs,
                };
                var result = Run((log, cancel) => RecoveryExecution.RunAsync(Target, Plan, options, log, cancel));
                WriteObject(result);
                if (!result.Passed)
                {
                    throw new RecoveryException(
                        "RecoveryCheckFailed",
                        FailureKind.InvalidOperation,
                        "The recovery ran, but the end state fails: "
                            + string.Join(
                                "; ",
                                result.Checks.Where(c => c.Status == "Fail").Select(c => $"{c.Name}: {c.Detail}")
                            ),
                        Target.DisplayName
                    );
                }
            },
            () => Plan?.Database
        );
    }
}
