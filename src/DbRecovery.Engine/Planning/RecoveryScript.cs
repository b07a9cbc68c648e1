namespace DbRecovery.Engine.Planning;

/// <summary>A recovery plan as a PowerShell script of DbRecovery cmdlets, for a reviewer to read and run.</summary>
public static class RecoveryScript
{
    /// <summary>The script: parameters, one confirmation, then each step with its reason as a comment.</summary>
    public static string Render(RecoveryPlan plan, bool rehearse = false)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var script = new List<string>();
        script.Add(
            string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"# Recovery plan for {plan.Database}, made {plan.CreatedAt:u} from {plan.Project}"
            )
        );
        script.Add($"# The schema is at {string.Join(", ", plan.Revisions)}: {plan.Explanation}");
        script.Add(
            "# alembic_version says "
                + (
                    plan.HasVersionTable
                        ? string.Join(", ", plan.AlembicVersion.DefaultIfEmpty("nothing"))
                        : "nothing: there is no version table"
                )
                + "."
        );
        script.Add(
            plan.IsExact
                ? "# Decided by real Alembic on a copy of the schema (no data) in the scratch database."
                : "# Predicted by the static replay: Get-RecoveryPlan -ScratchConnectionString lets real Alembic "
                    + "decide."
        );
        foreach (var contradiction in plan.Contradictions)
        {
            script.Add($"# Contradiction: {contradiction}.");
        }

        foreach (var conversion in plan.Conversions)
        {
            script.Add($"# Convert {conversion}: {conversion.Reason}.");
        }

        foreach (var warning in plan.Warnings)
        {
            script.Add($"# Warning: {warning}.");
        }

        foreach (var blocker in plan.Blockers)
        {
            script.Add($"# BLOCKER: {blocker}.");
        }

        script.Add("[CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]");
        script.Add("param(");
        script.Add("    [string] $ConnectionString = $env:DATABASE_URL,");
        script.Add("    [Parameter(Mandatory)] [string] $BackupPath,");
        script.Add("    [Parameter(Mandatory)] [string] $ScratchConnectionString,");
        script.Add("    [string[]] $AlembicCommand = @('alembic')");
        script.Add(")");
        script.Add("Set-StrictMode -Version Latest");
        script.Add("$ErrorActionPreference = 'Stop'");
        if (!plan.CanExecute)
        {
            script.Add("throw 'This plan has blockers (listed above); it cannot be run.'");
            return string.Join(Environment.NewLine, script) + Environment.NewLine;
        }

        script.Add("$database = @{ ConnectionString = $ConnectionString }");
        script.Add(
            "if (-not $PSCmdlet.ShouldProcess($ConnectionString, 'Recover: "
                + (
                    plan.IsEmpty
                        ? "check only"
                        : string.Join(", ", plan.Steps.Where(s => s.ChangesDatabase).Select(s => s.Kind))
                )
                + "')) { return }"
        );
        foreach (var step in plan.Steps)
        {
            script.Add(string.Empty);
            script.Add($"# {step.Order}. {step.Description}");
            script.Add(step.ScriptLine("@database", rehearse));
            if (rehearse && step is ProveBackupStep && !plan.IsEmpty)
            {
                script.AddRange(Rehearsal(plan));
            }
        }

        return string.Join(Environment.NewLine, script) + Environment.NewLine;
    }

    /// <summary>The rehearsal Invoke-RecoveryPlan -Rehearse runs after proving the backup: the changing steps and the
    /// end check on the copy restored in the scratch database, before the database is touched.</summary>
    private static IEnumerable<string> Rehearsal(RecoveryPlan plan)
    {
        yield return string.Empty;
        yield return "# Rehearsal on the copy the backup's proof restored in the scratch database: the changing "
            + "steps, then";
        yield return "# the end check. A failure stops here: the database has not been touched. "
            + "The scratch database is";
        yield return "# emptied afterwards.";
        yield return "$rehearsal = @{ ConnectionString = $ScratchConnectionString }";
        foreach (var step in plan.Steps.Where(s => s.ChangesDatabase || s is CheckStep))
        {
            yield return step.ScriptLine("@rehearsal", rehearse: false);
        }
    }
}
