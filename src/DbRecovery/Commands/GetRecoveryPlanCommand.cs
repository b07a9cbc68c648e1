using System.Management.Automation;
using DbRecovery.Commands.Parameters;
using DbRecovery.Completion;
using DbRecovery.Engine.Alembic;
using DbRecovery.Engine.Backup;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Planning;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Commands;

/// <summary>Says the whole recovery of a drifted database as one reviewable object, before anything changes.</summary>
/// <remarks>
/// Finds the revision the schema really is at (with its evidence and any equally likely revisions), reads what
/// alembic_version says (or that there is no version table), and checks the way from there to -To (the heads)
/// with Test-AlembicUpgrade's static replay. Each key a remaining revision references with a column of another
/// type (the incident's uuid users.id, which later migrations reference as VARCHAR(36)), and each key whose type
/// drifted from the true revision, becomes a Convert-IdColumns step with its reason; the way is then checked
/// again as the conversions would leave the schema. What no DbRecovery step can fix (a table a later revision
/// creates already exists, a schema that is no revision) is listed under Blockers, and such a plan cannot be
/// executed. The plan lists the stamp, the revisions the upgrade will run, the checks the end state must pass
/// and the ordered steps; nothing is changed. Without a scratch database all of this is the static replay's
/// prediction (Decision: Predicted). With -ScratchConnectionString real Alembic decides (Decision: Exact): the
/// exact schema of every revision ranks the true revision, a schema-only copy of the database gets the plan's
/// conversions, the stamp and real alembic upgrade, whose error is the blocker and whose result is the end state
/// the recovery is checked against (ReferenceSchema); static blockers it contradicts become ReplayDefects. The
/// application's models are read there too (env.py's target_metadata built with create_all()): keys whose type
/// differs from the models' become conversions. A key the history creates with one type and references later
/// with another is reported (Contradictions) and given the later reference's type. -AsScript writes the plan as
/// a PowerShell script of DbRecovery cmdlets.
/// The plan serializes (Export-Clixml, ConvertTo-Json) and Invoke-RecoveryPlan applies it unchanged, refusing
/// it if the database's schema or alembic_version changed since.
/// </remarks>
/// <example>
/// <code>Get-RecoveryPlan -Path ./backend</code>
/// <para>Shows the recovery of the database in $env:DATABASE_URL: true revision, conversions, stamp, upgrade, blockers,
/// steps.</para>
/// </example>
/// <example>
/// <code>Get-RecoveryPlan -Path ./backend -ScratchConnectionString $scratch -AlembicCommand
/// /usr/bin/python3,-m,alembic</code>
/// <para>Lets real Alembic decide on an empty scratch database: the revision, the blockers, the models' types and the
/// end state.</para>
/// </example>
/// <example>
/// <code>Get-RecoveryPlan -Path ./backend | Export-Clixml ./recovery-plan.xml</code>
/// <para>Saves the plan for review; Import-Clixml ./recovery-plan.xml | Invoke-RecoveryPlan ... applies it
/// unchanged.</para>
/// </example>
/// <example>
/// <code>Get-RecoveryPlan -Path ./backend -AsScript | Set-Content ./Recover.ps1</code>
/// <para>Writes the plan as a script of DbRecovery cmdlets that a reviewer can read and run.</para>
/// </example>
/// <seealso cref="InvokeRecoveryPlanCommand"/>
/// <seealso cref="FindAlembicRevisionCommand"/>
/// <seealso cref="TestAlembicUpgradeCommand"/>
/// <seealso cref="ConvertIdColumnsCommand"/>
[Cmdlet(VerbsCommon.Get, "RecoveryPlan")]
[OutputType(typeof(RecoveryPlan), typeof(string))]
[ParametersFrom(
    typeof(AlembicProjectParameter),
    typeof(ToRevisionParameter),
    typeof(VersionTableParameter),
    typeof(AlembicRunParameters),
    typeof(PgBinPathParameter)
)]
public sealed partial class GetRecoveryPlanCommand : DatabaseCmdlet
{
    /// <summary>
    /// An empty scratch database where real Alembic decides: the exact schema of each revision, the models (env.py's
    /// target_metadata), and the upgrade of a copy of the schema with the plan's conversions; emptied again afterwards.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ScratchConnectionString { get; set; }

    /// <summary>Write the plan as a PowerShell script of DbRecovery cmdlets instead of the plan object.</summary>
    [Parameter]
    public SwitchParameter AsScript { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        Guarded(
            () =>
            {
                var path = FileSystemPath(Path);
                var scratch = OptionalScratch(ScratchConnectionString);
                var pgBin = PgBinFolder(PgBinPath);
                var plan = Run(
                    async (log, cancel) =>
                    {
                        var history = AlembicHistory.Load(path, log);
                        var exact = scratch is null
                            ? null
                            : new ExactCheckOptions(
                                scratch,
                                AlembicCli.For(path, AlembicCommand, UrlVariable),
                                PgTools.Locate(pgBin)
                            );
                        var models = exact is null
                            ? null
                            : await ModelSchema.BuildAsync(exact.Cli, exact.Scratch, log, cancel).ConfigureAwait(false);
                        if (exact is not null && models is null)
                        {
                            log.Verbose(
                                "env.py hands Alembic no target_metadata: the types come from the head real Alembic "
                                    + "builds."
                            );
                        }

                        return await RecoveryPlanner
                            .PlanAsync(
                                Target,
                                history,
                                path,
                                QualifiedName.Parse(VersionTable),
                                To,
                                models,
                                exact,
                                log,
                                cancel
                            )
                            .ConfigureAwait(false);
                    }
                );
                foreach (var blocker in plan.Blockers)
                {
                    WriteWarning("Blocker: " + blocker);
                }

                WriteObject(AsScript ? RecoveryScript.Render(plan) : plan);
            },
            () => Path
        );
    }
}
