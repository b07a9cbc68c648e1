using System.Management.Automation;
using DbRecovery.Completion;
using DbRecovery.Engine.Alembic;
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
/// and the ordered steps; nothing is changed. -AsScript writes it as a PowerShell script of DbRecovery cmdlets.
/// The plan serializes (Export-Clixml, ConvertTo-Json) and Invoke-RecoveryPlan applies it unchanged, refusing
/// it if the database's schema or alembic_version changed since.
/// </remarks>
/// <example>
/// <code>Get-RecoveryPlan -Path ./backend</code>
/// <para>Shows the recovery of the database in $env:DATABASE_URL: true revision, conversions, stamp, upgrade, blockers, steps.</para>
/// </example>
/// <example>
/// <code>Get-RecoveryPlan -Path ./backend | Export-Clixml ./recovery-plan.xml</code>
/// <para>Saves the plan for review; Import-Clixml ./recovery-plan.xml | Invoke-RecoveryPlan ... applies it unchanged.</para>
/// </example>
/// <example>
/// <code>Get-RecoveryPlan -Path ./backend -AsScript | Set-Content ./Recover.ps1</code>
/// <para>Writes the plan as a script of DbRecovery cmdlets that a reviewer can read and run.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "RecoveryPlan")]
[OutputType(typeof(RecoveryPlan), typeof(string))]
public sealed class GetRecoveryPlanCommand : DatabaseCmdlet
{
    /// <summary>The Alembic project: the folder with alembic.ini (or alembic.ini itself).</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = ".";

    /// <summary>The revision to recover to: heads (the default) or a revision.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(RevisionCompleter))]
    [ValidateNotNullOrEmpty]
    public string To { get; set; } = "heads";

    /// <summary>The version table, optionally schema-qualified (schema.table).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string VersionTable { get; set; } = "alembic_version";

    /// <summary>Write the plan as a PowerShell script of DbRecovery cmdlets instead of the plan object.</summary>
    [Parameter]
    public SwitchParameter AsScript { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        try
        {
            var path = FileSystemPath(Path);
            var plan = Run((log, cancel) => RecoveryPlanner.PlanAsync(Target, AlembicHistory.Load(path, log), path, QualifiedName.Parse(VersionTable), To, log, cancel));
            foreach (var blocker in plan.Blockers)
            {
                WriteWarning("Blocker: " + blocker);
            }

            WriteObject(AsScript ? RecoveryScript.Render(plan) : plan);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowFailure(ex, Path);
        }
    }
}
