using System.Globalization;

namespace DbRecovery.Engine.Planning;

/// <summary>
/// The ordered steps of a recovery plan, each as the DbRecovery command that does it. The commands name the
/// backup folder, scratch database and Alembic command as <c>$BackupPath</c>, <c>$ScratchConnectionString</c>
/// and <c>$AlembicCommand</c>, the parameters of the script <see cref="RecoveryScript"/> writes.
/// </summary>
public static class RecoverySteps
{
    /// <summary>The steps of <paramref name="plan"/>; <paramref name="upgradeTo"/> is what Invoke-AlembicUpgrade is given (<c>heads</c> or a revision).</summary>
    public static IReadOnlyList<RecoveryStep> For(RecoveryPlan plan, string upgradeTo)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var path = Quote(plan.Project);
        var steps = new List<(RecoveryStepKind Kind, string Description, string Command)>();
        foreach (var group in ConversionGroups(plan))
        {
            var tables = group.Select(c => $"{c.Schema}.{c.Table}").ToList();
            var columns = group.Sum(c => c.Columns.Count);
            steps.Add((RecoveryStepKind.Convert,
                string.Create(CultureInfo.InvariantCulture,
                    $"Convert {string.Join(", ", group.Select(c => $"{c.Schema}.{c.Table}.{c.Column} ({c.From})"))} to {group.Key} with every column that references them ({columns} columns, one transaction)"),
                $"Convert-IdColumns -Table {string.Join(",", tables.Select(Quote))} -To {Quote(group.Key)}"));
        }

        if (plan.Stamp.Count > 0)
        {
            var now = plan.HasVersionTable ? $"it says {string.Join(", ", plan.AlembicVersion.DefaultIfEmpty("nothing"))}" : "there is no version table yet";
            steps.Add((RecoveryStepKind.Stamp, $"Stamp alembic_version at {string.Join(", ", plan.Stamp)} ({now})",
                $"Set-AlembicVersion -Path {path} -Revision {string.Join(",", plan.Stamp.Select(Quote))}"
                + (plan.AlembicVersion.Count > 0 ? $" -ExpectedCurrent {string.Join(",", plan.AlembicVersion.Select(Quote))}" : string.Empty)
                + (plan.VersionTable == "alembic_version" ? string.Empty : $" -VersionTable {Quote(plan.VersionTable)}")
                + (plan.IsExact ? " -Force" : string.Empty)));
        }

        if (plan.UpgradeRevisions.Count > 0)
        {
            steps.Add((RecoveryStepKind.Upgrade,
                string.Create(CultureInfo.InvariantCulture, $"Upgrade with Alembic to {upgradeTo}: {plan.UpgradeRevisions.Count} revision(s), {string.Join(", ", plan.UpgradeRevisions.Take(6))}{(plan.UpgradeRevisions.Count > 6 ? ", …" : string.Empty)}"),
                $"Invoke-AlembicUpgrade -Path {path} -Revision {upgradeTo} -AlembicCommand $AlembicCommand"));
        }

        if (steps.Count > 0)
        {
            steps.InsertRange(0,
            [
                (RecoveryStepKind.Backup, $"Back up {plan.Database}", "Backup-Database -Path $BackupPath"),
                (RecoveryStepKind.ProveBackup, "Prove the backup restores into the scratch database and matches", "Test-DatabaseBackup -Path $BackupPath -ScratchConnectionString $ScratchConnectionString"),
            ]);
        }

        steps.Add((RecoveryStepKind.Verify, "Check the end state: the schema is the target's, alembic_version is at the target" + (plan.ExpectedColumnTypes.Count > 0 ? ", the keys have their new types" : string.Empty),
            $"Test-RecoveryState -Path {path}" + (plan.ExpectedColumnTypes.Count > 0 ? $" -ExpectColumnType {string.Join(",", plan.ExpectedColumnTypes.Select(Quote))}" : string.Empty) + " -FailOnError"));
        return steps.Select((s, i) => new RecoveryStep { Order = i + 1, Kind = s.Kind, Description = s.Description, Command = s.Command }).ToList();
    }

    /// <summary>The conversions grouped by target type, in plan order: the n-th Convert step converts the n-th group.</summary>
    public static IReadOnlyList<IGrouping<string, KeyConversion>> ConversionGroups(RecoveryPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return plan.Conversions.GroupBy(c => c.To, StringComparer.Ordinal).ToList();
    }

    /// <summary>A PowerShell single-quoted string.</summary>
    internal static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
