using System.Globalization;
using DbRecovery.Engine.Catalog;

namespace DbRecovery.Engine.Planning;

/// <summary>
/// The ordered steps of a recovery plan. Their commands name the backup folder, scratch database and Alembic
/// command as <c>$BackupPath</c>, <c>$ScratchConnectionString</c> and <c>$AlembicCommand</c>, the parameters of
/// the script <see cref="RecoveryScript"/> writes.
/// </summary>
public static class RecoverySteps
{
    /// <summary>
    /// The steps of <paramref name="plan"/>; <paramref name="upgradeTo"/> is what Invoke-AlembicUpgrade is given
    /// (<c>heads</c> or a revision).
    /// </summary>
    public static IReadOnlyList<RecoveryStep> For(RecoveryPlan plan, string upgradeTo)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var steps = new List<RecoveryStep>();
        foreach (var group in plan.Conversions.GroupBy(c => c.To, StringComparer.Ordinal))
        {
            var columns = group.Sum(c => c.Columns.Count);
            steps.Add(
                new ConvertStep
                {
                    Order = 0,
                    Keys = group.Select(c => new ColumnReference(c.Schema, c.Table, c.Column)).ToList(),
                    PrimaryKeys = group.All(c => c.IsPrimaryKey),
                    To = group.Key,
                    Description =
                        "Convert "
                        + string.Join(", ", group.Select(c => $"{c.Schema}.{c.Table}.{c.Column} ({c.From})"))
                        + $" to {group.Key} with every column that references them "
                        + string.Create(CultureInfo.InvariantCulture, $"({columns} columns, one transaction)"),
                }
            );
        }

        if (plan.Stamp.Count > 0)
        {
            var now = plan.HasVersionTable
                ? $"it says {string.Join(", ", plan.AlembicVersion.DefaultIfEmpty("nothing"))}"
                : "there is no version table yet";
            steps.Add(
                new StampStep
                {
                    Order = 0,
                    Description = $"Stamp alembic_version at {string.Join(", ", plan.Stamp)} ({now})",
                    Project = plan.Project,
                    Revisions = plan.Stamp,
                    ExpectedCurrent = plan.AlembicVersion,
                    VersionTable = plan.VersionTable,
                    Force = plan.IsExact,
                }
            );
        }

        if (plan.UpgradeRevisions.Count > 0)
        {
            steps.Add(
                new UpgradeStep
                {
                    Order = 0,
                    Description =
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"Upgrade with Alembic to {upgradeTo}: {plan.UpgradeRevisions.Count} revision(s), "
                        )
                        + string.Join(", ", plan.UpgradeRevisions.Take(6))
                        + (plan.UpgradeRevisions.Count > 6 ? ", …" : string.Empty),
                    Project = plan.Project,
                    Revision = upgradeTo,
                }
            );
        }

        if (steps.Count > 0)
        {
            steps.InsertRange(
                0,
                [
                    new BackupStep { Order = 0, Description = $"Back up {plan.Database}" },
                    new ProveBackupStep
                    {
                        Order = 0,
                        Description = "Prove the backup restores into the scratch database and matches",
                    },
                ]
            );
        }

        steps.Add(
            new CheckStep
            {
                Order = 0,
                Description =
                    "Check the end state: the schema is the target's, alembic_version is at the target"
                    + (plan.ExpectedColumnTypes.Count > 0 ? ", the keys have their new types" : string.Empty),
                Project = plan.Project,
                ExpectedColumnTypes = plan.ExpectedColumnTypes,
            }
        );
        return steps.Select((s, i) => s with { Order = i + 1 }).ToList();
    }
}
