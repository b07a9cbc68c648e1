using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Comparison;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Execution;
using DbRecovery.Engine.Journal;
using DbRecovery.Engine.Plans;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Alembic.Replay;

/// <summary>
/// Sets <c>alembic_version</c> the guarded way: unlike <c>alembic stamp</c>, planning checks that the live
/// schema is the target revision's (type-only drift aside) and refuses otherwise unless forced, and applying
/// writes only if the rows are still those read (compare-and-swap), in one journaled transaction.
/// </summary>
public static class VersionStamp
{
    private static readonly HashSet<DifferenceKind> Blocking =
    [
        DifferenceKind.MissingTable,
        DifferenceKind.ExtraTable,
        DifferenceKind.MissingColumn,
        DifferenceKind.ExtraColumn,
    ];

    /// <summary>
    /// Plans stamping <paramref name="revisions"/> (empty for base): reads the rows, compares the schema, and refuses a
    /// drifted one unless <paramref name="force"/>.
    /// </summary>
    /// <param name="target">The database.</param>
    /// <param name="replay">The history's static replay, for the target's expected schema.</param>
    /// <param name="revisions">The revisions to stamp, already validated (unknown ones only with force).</param>
    /// <param name="versionTable">The version table.</param>
    /// <param name="expectedCurrent">The rows the caller expects to replace, or null to take those read now.</param>
    /// <param name="force">Plan the stamp even though the schema differs (warned, and recorded in the journal).</param>
    /// <param name="log">Where to report.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <exception cref="RecoveryException">The schema is not the target's (<c>SchemaDoesNotMatchRevision</c>) and
    /// <paramref name="force"/> is not set.</exception>
    public static async Task<StampPlan> PlanAsync(
        ConnectionTarget target,
        StaticReplay replay,
        IReadOnlyList<string> revisions,
        QualifiedName versionTable,
        IReadOnlyList<string>? expectedCurrent,
        bool force,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(replay);
        ArgumentNullException.ThrowIfNull(versionTable);
        ArgumentNullException.ThrowIfNull(log);
        var live = await SchemaReader
            .CaptureAsync(
                target,
                new SchemaReadOptions { VersionTable = versionTable.ToString() },
                log,
                cancellationToken
            )
            .ConfigureAwait(false);
        var differences = Differences(replay, revisions, versionTable, live);
        var located = live.Tables.FirstOrDefault(t => versionTable.Matches(t.Schema, t.Name));
        var table = located is null ? versionTable : new QualifiedName(located.Schema, located.Name);
        var previous = expectedCurrent ?? live.AlembicVersion;
        var steps = new List<PlanStep>();
        if (located is null)
        {
            steps.Add(
                SqlStep.Of(
                    StepKind.Create,
                    "Create the version table as Alembic does",
                    $"CREATE TABLE {table.Quoted} (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc "
                        + "PRIMARY KEY (version_num))",
                    table
                )
            );
        }
        else
        {
            steps.Add(
                SqlStep.Of(
                    StepKind.Lock,
                    $"Lock the version table and check it still holds [{string.Join(", ", previous)}]",
                    $"LOCK TABLE {table.Quoted} IN EXCLUSIVE MODE",
                    table
                )
            );
            steps.Add(
                SqlStep.Of(
                    StepKind.Write,
                    $"Remove the rows [{string.Join(", ", previous)}]",
                    $"DELETE FROM {table.Quoted}",
                    table
                )
            );
        }

        steps.AddRange(
            revisions.Select(r => new SqlStep
            {
                Kind = StepKind.Write,
                Targets = [table],
                Action = $"Stamp revision {r}",
                Statement = $"INSERT INTO {table.Quoted} (version_num) VALUES ($1)",
                Parameters = [r],
            })
        );
        var plan = new StampPlan
        {
            VersionTable = table,
            VersionTableExists = located is not null,
            Previous = previous,
            Current = revisions,
            Differences = differences.Where(IsBlocking).ToList(),
            TypeDrift = differences.Where(d => d.Kind == DifferenceKind.TypeMismatch).ToList(),
            Forced = force,
            Steps = steps,
        };
        Check(plan, log);
        return plan;
    }

    /// <summary>
    /// How <paramref name="live"/> differs from the schema of <paramref name="revisions"/> (those the history knows).
    /// </summary>
    public static IReadOnlyList<SchemaDifference> Differences(
        StaticReplay replay,
        IReadOnlyList<string> revisions,
        QualifiedName versionTable,
        SchemaState live
    )
    {
        ArgumentNullException.ThrowIfNull(replay);
        ArgumentNullException.ThrowIfNull(versionTable);
        var known = revisions.Where(r => replay.History.Revisions.Any(h => h.Revision == r)).ToList();
        var expected =
            known.Count == 0
                ? new SchemaState
                {
                    Database = "base",
                    ServerVersion = string.Empty,
                    VersionTable = versionTable.ToString(),
                }
                : replay.SchemaOf(known);
        return SchemaComparer.Compare(expected with { VersionTable = versionTable.ToString() }, live);
    }

    /// <summary>
    /// Whether a difference makes the stamp refuse (a table or column too many or too few; types may differ).
    /// </summary>
    public static bool IsBlocking(SchemaDifference difference) => Blocking.Contains(difference.Kind);

    /// <summary>Runs a plan: checks the rows are still those planned, writes, verifies, commits.</summary>
    /// <exception cref="RecoveryException">An unforced plan whose schema differs (<c>SchemaDoesNotMatchRevision</c>),
    /// rows changed since planning (<c>VersionChanged</c>), or the database failed.</exception>
    public static async Task<AlembicVersionChange> ApplyAsync(
        ConnectionTarget target,
        StampPlan plan,
        JournalContext journal,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(journal);
        if (plan.Differences.Count > 0 && !plan.Forced)
        {
            throw Mismatch(plan);
        }

        await PlanExecutor
            .RunAsync(
                target,
                plan,
                journal with
                {
                    Forced = journal.Forced || plan.Forced,
                },
                new StampRun(plan),
                log,
                cancellationToken
            )
            .ConfigureAwait(false);
        return new AlembicVersionChange
        {
            Target = target.DisplayName,
            VersionTable = plan.VersionTable.ToString(),
            Previous = plan.Previous,
            Current = plan.Current,
            Forced = journal.Forced || plan.Forced,
        };
    }

    private static void Check(StampPlan plan, IRecoveryLog log)
    {
        if (plan.TypeDrift.Count > 0)
        {
            var columns = string.Join(
                ", ",
                plan.TypeDrift.Select(d => $"{d.Table}.{d.Column} is {d.Actual} ({d.Expected} there)")
            );
            log.Warning(
                $"Stamping {string.Join(", ", plan.Current.DefaultIfEmpty("base"))} leaves {plan.TypeDrift.Count} "
                    + "column(s) "
                    + $"whose type differs from what its migration files create: {columns}. A stamp writes "
                    + "alembic_version only "
                    + "and Alembic never compares column types, so nothing fails because of it; Convert-IdColumns "
                    + "converts a "
                    + "key if the application needs the other type."
            );
        }

        if (plan.Differences.Count == 0)
        {
            return;
        }

        if (!plan.Forced)
        {
            throw Mismatch(plan);
        }

        log.Warning(
            $"Stamping despite {plan.Differences.Count} differences from the static replay's schema of the revision, "
                + "because it was forced "
                + $"(-Force, or a recovery plan real Alembic decided) ({Listed(plan)}). The journal records it."
        );
    }

    private static string Listed(StampPlan plan) =>
        string.Join("; ", plan.Differences.Take(10).Select(d => d.ToString()))
        + (plan.Differences.Count > 10 ? "; …" : string.Empty);

    private static RecoveryException Mismatch(StampPlan plan) =>
        new(
            "SchemaDoesNotMatchRevision",
            FailureKind.InvalidOperation,
            $"The database's schema is not that of {string.Join(", ", plan.Current.DefaultIfEmpty("base"))}: "
                + $"{plan.Differences.Count} differences ({Listed(plan)}). "
                + "Stamping it would hide the drift, as the stamp that caused this incident did. Find the true "
                + "revision with Find-AlembicRevision, or pass -Force to stamp anyway.",
            string.Join(",", plan.Current)
        );

    /// <summary>Compare-and-swap around the plan's writes.</summary>
    private sealed class StampRun(StampPlan plan) : PlanHooks
    {
        public override async Task BeforeStepAsync(
            DatabaseSession session,
            PlanStep step,
            int index,
            CancellationToken cancellationToken
        )
        {
            if (
                index == 0
                && (
                    await VersionTable.LocateAsync(session, plan.VersionTable, cancellationToken).ConfigureAwait(false)
                    is not null
                ) != plan.VersionTableExists
            )
            {
                throw Changed(
                    plan.VersionTableExists
                        ? "the version table was dropped"
                        : "the version table was created meanwhile"
                );
            }
        }

        public override async Task AfterStepAsync(
            DatabaseSession session,
            PlanStep step,
            int index,
            TimeSpan elapsed,
            CancellationToken cancellationToken
        )
        {
            if (step.Kind != StepKind.Lock)
            {
                return;
            }

            var rows = await VersionTable
                .ReadRowsAsync(session, plan.VersionTable, cancellationToken)
                .ConfigureAwait(false);
            if (!rows.SequenceEqual(plan.Previous.Order(StringComparer.Ordinal)))
            {
                throw Changed($"it now holds [{string.Join(", ", rows)}]");
            }
        }

        public override async Task BeforeCommitAsync(DatabaseSession session, CancellationToken cancellationToken)
        {
            var written = await VersionTable
                .ReadRowsAsync(session, plan.VersionTable, cancellationToken)
                .ConfigureAwait(false);
            if (!written.SequenceEqual(plan.Current.Order(StringComparer.Ordinal)))
            {
                throw new RecoveryException(
                    "StampVerificationFailed",
                    FailureKind.InvalidOperation,
                    $"After writing, {plan.VersionTable} holds [{string.Join(", ", written)}] instead of "
                        + $"[{string.Join(", ", plan.Current)}]; the change was rolled back.",
                    plan.VersionTable.ToString()
                );
            }
        }

        private RecoveryException Changed(string what) =>
            new(
                "VersionChanged",
                FailureKind.InvalidOperation,
                $"{plan.VersionTable} changed since it was read (expected [{string.Join(", ", plan.Previous)}]; "
                    + $"{what}). Nothing was changed; check who else is migrating, then run again.",
                plan.VersionTable.ToString()
            );
    }
}
