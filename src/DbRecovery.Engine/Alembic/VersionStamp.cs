using DbRecovery.Engine.Alembic.Replay;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Comparison;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Journal;
using DbRecovery.Engine.Plans;

namespace DbRecovery.Engine.Alembic;

/// <summary>
/// Sets <c>alembic_version</c> the guarded way: unlike <c>alembic stamp</c>, it first checks that the live
/// schema is the target revision's (type-only drift aside), and it writes only if the rows are still
/// those it read (compare-and-swap), in one journaled transaction under DbRecovery's lock.
/// </summary>
public static class VersionStamp
{
    private static readonly HashSet<DifferenceKind> Blocking =
        [DifferenceKind.MissingTable, DifferenceKind.ExtraTable, DifferenceKind.MissingColumn, DifferenceKind.ExtraColumn];

    /// <summary>Plans stamping <paramref name="revisions"/> (empty for base): reads the rows and compares the schema.</summary>
    /// <param name="target">The database.</param>
    /// <param name="replay">The history's static replay, for the target's expected schema.</param>
    /// <param name="revisions">The revisions to stamp, already validated (unknown ones only with -Force).</param>
    /// <param name="versionTable">The version table.</param>
    /// <param name="expectedCurrent">The rows the caller expects to replace, or null to take those read now.</param>
    /// <param name="log">Where to report.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    public static async Task<StampPlan> PlanAsync(
        ConnectionTarget target, StaticReplay replay, IReadOnlyList<string> revisions, VersionTable versionTable,
        IReadOnlyList<string>? expectedCurrent, IRecoveryLog log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(replay);
        ArgumentNullException.ThrowIfNull(versionTable);
        var live = await SchemaReader.CaptureAsync(target, new SchemaReadOptions { VersionTable = versionTable.ToString() }, log, cancellationToken).ConfigureAwait(false);
        var known = revisions.Where(r => replay.History.Revisions.Any(h => h.Revision == r)).ToList();
        var expected = known.Count == 0 ? new SchemaState { Database = "base", ServerVersion = string.Empty, VersionTable = versionTable.ToString() } : replay.SchemaOf(known);
        var differences = SchemaComparer.Compare(expected with { VersionTable = versionTable.ToString() }, live);
        var located = live.Tables.FirstOrDefault(t => t.Name == versionTable.Name && (versionTable.Schema is null || t.Schema == versionTable.Schema));
        var table = located is null ? versionTable : new VersionTable(located.Schema, located.Name);
        var steps = new List<PlanStep>();
        if (located is null)
        {
            steps.Add(new PlanStep(table.ToString(), "Create the version table as Alembic does",
                $"CREATE TABLE {table.Quoted} (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"));
        }
        else
        {
            steps.Add(new PlanStep(table.ToString(), $"Remove the rows [{string.Join(", ", expectedCurrent ?? live.AlembicVersion)}]", $"DELETE FROM {table.Quoted}"));
        }

        steps.AddRange(revisions.Select(r => new PlanStep(table.ToString(), $"Stamp revision {r}", $"INSERT INTO {table.Quoted} (version_num) VALUES ($1)", [r])));
        return new StampPlan
        {
            VersionTable = table,
            VersionTableExists = located is not null,
            Previous = expectedCurrent ?? live.AlembicVersion,
            Current = revisions,
            Differences = differences.Where(d => Blocking.Contains(d.Kind)).ToList(),
            TypeDrift = differences.Where(d => d.Kind == DifferenceKind.TypeMismatch).ToList(),
            Steps = steps,
        };
    }

    /// <summary>Fails unless the live schema is the target's, or <paramref name="force"/> is set.</summary>
    /// <exception cref="RecoveryException">The schema differs (<c>SchemaDoesNotMatchRevision</c>).</exception>
    public static void Check(StampPlan plan, bool force, IRecoveryLog log)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(log);
        foreach (var drift in plan.TypeDrift)
        {
            log.Warning($"Type-only drift: {drift.Table}.{drift.Column} is {drift.Actual}, the revision expects {drift.Expected}.");
        }

        if (plan.Differences.Count == 0)
        {
            return;
        }

        var listed = string.Join("; ", plan.Differences.Take(10).Select(d => d.ToString())) + (plan.Differences.Count > 10 ? "; …" : string.Empty);
        if (!force)
        {
            throw new RecoveryException(
                "SchemaDoesNotMatchRevision", FailureKind.InvalidOperation,
                $"The database's schema is not that of {string.Join(", ", plan.Current.DefaultIfEmpty("base"))}: {plan.Differences.Count} differences ({listed}). " +
                "Stamping it would hide the drift, as the stamp that caused this incident did. Find the true revision with Find-AlembicRevision, or pass -Force to stamp anyway.",
                string.Join(",", plan.Current));
        }

        log.Warning($"Stamping despite {plan.Differences.Count} schema differences because -Force was given ({listed}). The journal records it.");
    }

    /// <summary>Runs an approved plan: locks the version table, checks the rows are still those planned, writes, verifies, commits.</summary>
    /// <exception cref="RecoveryException">The rows changed since planning (<c>VersionChanged</c>), or the database failed.</exception>
    public static Task<AlembicVersionChange> ApplyAsync(
        ConnectionTarget target, StampPlan plan, TimeSpan lockTimeout, JournalContext journal, IRecoveryLog log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(plan);
        return GuardedTransaction.RunAsync(target, log, lockTimeout, journal, plan.Steps, async (session, cancel) =>
        {
            var table = plan.VersionTable;
            var located = await table.LocateAsync(session, cancel).ConfigureAwait(false);
            if ((located is not null) != plan.VersionTableExists)
            {
                throw Changed(plan, located is null ? "the version table was dropped" : "the version table was created meanwhile", table);
            }

            if (located is { } existing)
            {
                await using (var lockTable = session.CreateCommand($"LOCK TABLE {table.Quoted} IN EXCLUSIVE MODE"))
                {
                    await lockTable.ExecuteNonQueryAsync(cancel).ConfigureAwait(false);
                }

                var rows = await VersionTable.ReadRowsAsync(session, existing, cancel).ConfigureAwait(false);
                if (!rows.SequenceEqual(plan.Previous.Order(StringComparer.Ordinal)))
                {
                    throw Changed(plan, $"it now holds [{string.Join(", ", rows)}]", table);
                }
            }

            foreach (var step in plan.Steps)
            {
                await GuardedTransaction.ExecuteAsync(session, step, cancel).ConfigureAwait(false);
            }

            var written = await VersionTable.ReadRowsAsync(session, (await table.LocateAsync(session, cancel).ConfigureAwait(false))!.Value, cancel).ConfigureAwait(false);
            if (!written.SequenceEqual(plan.Current.Order(StringComparer.Ordinal)))
            {
                throw new RecoveryException("StampVerificationFailed", FailureKind.InvalidOperation,
                    $"After writing, {table} holds [{string.Join(", ", written)}] instead of [{string.Join(", ", plan.Current)}]; the change was rolled back.", table.ToString());
            }

            return new AlembicVersionChange
            {
                Target = target.DisplayName,
                VersionTable = table.ToString(),
                Previous = plan.Previous,
                Current = plan.Current,
                Forced = journal.Forced,
            };
        }, cancellationToken);
    }

    private static RecoveryException Changed(StampPlan plan, string what, VersionTable table) => new(
        "VersionChanged", FailureKind.InvalidOperation,
        $"{table} changed since it was read (expected [{string.Join(", ", plan.Previous)}]; {what}). Nothing was changed; check who else is migrating, then run again.",
        table.ToString());
}
