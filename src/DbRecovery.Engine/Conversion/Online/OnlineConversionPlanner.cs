using System.Text.Json;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Plans;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Conversion.Online;

/// <summary>
/// Plans an online conversion from the same scope as the offline one, plus what running it beside the application
/// needs: the indexes to build on the shadows, and the refusals of what it cannot do safely (naming the offline
/// conversion as the alternative). An unfinished earlier run is continued, never started over.
/// </summary>
internal static class OnlineConversionPlanner
{
    public static OnlineConversionPlan Plan(
        ConversionFacts facts,
        OnlineFacts online,
        ConversionScope scope,
        OnlineThrottle throttle
    )
    {
        var state = online.State;
        var plan = new OnlineConversionPlan
        {
            Columns = scope.Planned,
            AlreadyConverted = scope.AlreadyConverted,
            NotLinked = scope.NotLinked,
            Resumes = state is not null,
            Swapped = state?.Swapped == true,
            ExpectedForeignKeys = scope.ExpectedForeignKeys,
            ExpectedViews = scope.ExpectedViews,
        };
        if (
            state is not null
            && (state.Target != scope.Target || (!state.Swapped && !SameColumns(state, scope.Planned)))
        )
        {
            throw new RecoveryException(
                "OnlineConversionInProgress",
                FailureKind.InvalidOperation,
                "An unfinished online conversion of "
                    + $"{string.Join(", ", state.Columns.Select(c => $"{c.Schema}.{c.Table}.{c.Column}"))} to "
                    + $"{state.Target} is recorded in {OnlineNames.Schema}; nothing was changed. "
                    + (
                        state.Swapped
                            ? "Its swap committed: rerun that conversion to finish it."
                            : "Rerun that conversion to finish it, or remove it with Convert-IdColumns -Abort."
                    ),
                string.Join(", ", state.Columns.Select(c => $"{c.Schema}.{c.Table}.{c.Column}"))
            );
        }

        if (state?.Swapped == true)
        {
            var tables = state.Columns.GroupBy(c => (c.Schema, c.Table)).ToList();
            return plan with
            {
                Columns = [],
                Warnings = scope.Warnings,
                Steps = tables
                    .Select(t => OnlineSql.Contract(t.Key.Schema, t.Key.Table, t.Select(c => c.Column).ToList()))
                    .Append(OnlineSql.DropState())
                    .Concat(scope.Pending.Select(ConversionSql.ValidateForeignKey))
                    .Concat(tables.Select(t => ConversionSql.Analyze(t.Key.Schema, t.Key.Table)))
                    .ToList(),
            };
        }

        if (scope.Planned.Count == 0)
        {
            return plan with
            {
                Warnings = scope.Warnings,
                Steps = scope.Pending.Select(ConversionSql.ValidateForeignKey).ToList(),
            };
        }

        var forward = Tables(facts, online, scope.Planned);
        Refuse(online, scope, forward);
        return plan with
        {
            Warnings = [.. scope.Warnings, .. Warnings(online, forward)],
            Tables = forward,
            Steps = Steps(scope, forward, scope.Planned, throttle),
            InverseSteps = Steps(scope, Tables(facts, online, scope.Inverse), scope.Inverse, throttle),
            ExpectedIndexes = forward
                .SelectMany(t => t.Indexes.Select(i => (Key: (t.Name, i.Name), i.Definition)))
                .ToDictionary(x => x.Key, x => x.Definition),
        };
    }

    /// <summary>
    /// The plan that removes what an unfinished online conversion added, leaving the original exactly as it was.
    /// </summary>
    public static OperationPlan Abort(OnlineState state, IReadOnlyList<OnlineTableFact> tables)
    {
        if (state.Swapped)
        {
            throw new RecoveryException(
                "OnlineConversionSwapped",
                FailureKind.InvalidOperation,
                $"The online conversion to {state.Target} has already swapped the columns, so there is nothing to "
                    + "abort; nothing was changed. Rerun it to finish (drop the old columns), then convert back if you "
                    + "must."
            );
        }

        var steps = state
            .Columns.GroupBy(c => (c.Schema, c.Table))
            .Select(g =>
                (Group: g, Fact: tables.FirstOrDefault(t => t.Schema == g.Key.Schema && t.Table == g.Key.Table))
            )
            .Where(x => x.Fact is not null)
            .Select(x =>
                OnlineSql.Abort(
                    x.Group.Key.Schema,
                    x.Group.Key.Table,
                    x.Fact!.Oid,
                    x.Group.Select(c => c.Column).ToList()
                )
            )
            .Append(OnlineSql.DropState())
            .ToList();
        return new OperationPlan(
            "Abort the unfinished online conversion: remove its shadow columns, triggers, indexes and state",
            steps
        );
    }

    private static bool SameColumns(OnlineState state, IReadOnlyList<PlannedColumn> planned) =>
        state.Columns.Order().SequenceEqual(planned.Select(c => (c.Schema, c.Table, c.Column)).Order());

    private static List<OnlineTable> Tables(
        ConversionFacts facts,
        OnlineFacts online,
        IReadOnlyList<PlannedColumn> change
    )
    {
        var converted = change.Select(c => (c.Schema, c.Table, c.Column)).ToHashSet();
        return change
            .GroupBy(c => (c.Schema, c.Table))
            .Select(g =>
            {
                var table = online.Tables.Single(t => t.Schema == g.Key.Schema && t.Table == g.Key.Table);
                var indexes = online
                    .Indexes.Where(i =>
                        i.Schema == g.Key.Schema
                        && i.Table == g.Key.Table
                        && i.Columns.Concat(i.DependsOn).Any(c => converted.Contains((i.Schema, i.Table, c)))
                    )
                    .ToList();
                var indexed = indexes.SelectMany(i => i.Columns.Concat(i.DependsOn)).ToHashSet();
                var triggered = facts
                    .Triggers.Where(t => t.Schema == g.Key.Schema && t.Table == g.Key.Table)
                    .SelectMany(t => t.Columns)
                    .ToHashSet();
                var columns = g.Select(c =>
                    {
                        var fact = online.Columns.Single(f =>
                            f.Schema == c.Schema && f.Table == c.Table && f.Column == c.Column
                        );
                        var selfAssigned =
                            indexed.Contains(c.Column) && !triggered.Contains(c.Column) && c.Identity != "ALWAYS";
                        return new OnlineColumn(c, fact.NotNull, fact.Comment, selfAssigned);
                    })
                    .ToList();
                var rows = facts.Column(g.Key.Schema, g.Key.Table, g.First().Column)!.EstimatedRows;
                return new OnlineTable(g.Key.Schema, g.Key.Table, table.Oid, columns, indexes, rows);
            })
            .ToList();
    }

    private static List<PlanStep> Steps(
        ConversionScope scope,
        IReadOnlyList<OnlineTable> tables,
        IReadOnlyList<PlannedColumn> change,
        OnlineThrottle throttle
    )
    {
        var lockTables = scope.LockTables(change);
        var columnsJson = JsonSerializer.Serialize(change.Select(c => new[] { c.Schema, c.Table, c.Column }));
        var tablesJson = JsonSerializer.Serialize(tables.Select(t => new[] { t.Schema, t.Table }));
        var steps = new List<PlanStep>
        {
            OnlineSql.CreateState(),
            OnlineSql.RecordState(change[0].To, columnsJson, tablesJson),
        };
        steps.AddRange(tables.Select(OnlineSql.Expand));
        steps.AddRange(tables.Select(t => BackfillStep.Of(t, throttle)));
        steps.AddRange(tables.Select(OnlineSql.AddCheck));
        steps.AddRange(tables.SelectMany(t => t.Indexes.Select(i => OnlineSql.CreateIndex(t, i))));
        steps.AddRange(tables.Select(OnlineSql.Validate));
        steps.Add(
            new SqlStep
            {
                Kind = StepKind.Lock,
                Targets = lockTables.Select(t => new QualifiedName(t.Schema, t.Table)).ToList(),
                Action =
                    "Lock every affected table for the swap, which changes only metadata (waits at most "
                    + "lock_timeout, then tries again)",
                Statement =
                    $"LOCK TABLE {string.Join(", ", lockTables.Select(t => ConversionSql.Table(t.Schema, t.Table)))} "
                    + "IN ACCESS EXCLUSIVE MODE",
            }
        );
        steps.AddRange(scope.Views.AsEnumerable().Reverse().Select(ConversionSql.DropView));
        steps.AddRange(scope.Policies.Select(ConversionSql.DropPolicy));
        steps.AddRange(scope.Triggers.Select(ConversionSql.DropTrigger));
        steps.AddRange(scope.ForeignKeys.Select(ConversionSql.DropForeignKey));
        steps.AddRange(tables.Select(OnlineSql.Swap));
        steps.AddRange(scope.Recreated());
        steps.Add(OnlineSql.MarkSwapped());
        steps.AddRange(
            tables.Select(t => OnlineSql.Contract(t.Schema, t.Table, t.Columns.Select(c => c.Name).ToList()))
        );
        steps.Add(OnlineSql.DropState());
        steps.AddRange(scope.AfterCommit(change));
        return steps;
    }

    private static void Refuse(OnlineFacts online, ConversionScope scope, IReadOnlyList<OnlineTable> tables)
    {
        var converted = tables.SelectMany(t => t.Columns.Select(c => (t.Schema, t.Table, c.Name))).ToHashSet();
        var onTables = tables.Select(t => (t.Schema, t.Table)).ToHashSet();
        var problems = new List<string>();
        foreach (var fact in online.Tables.Where(t => onTables.Contains((t.Schema, t.Table))))
        {
            if (
                fact.Kind == 'p'
                || scope.Convert.Any(c => c.Schema == fact.Schema && c.Table == fact.Table && c.TableIsPartition)
            )
            {
                problems.Add(
                    $"{fact.Schema}.{fact.Table} is partitioned, and CREATE INDEX CONCURRENTLY cannot build its indexes"
                );
            }

            if (fact.Publications.Count > 0)
            {
                problems.Add(
                    $"{fact.Schema}.{fact.Table} is published ({string.Join(", ", fact.Publications)}), and "
                        + "subscribers would see the shadow columns and the swap half-way"
                );
            }
        }

        problems.AddRange(
            scope
                .Views.Where(v => v.Materialized)
                .Select(v => $"materialized view {v.Schema}.{v.Name} would have to be refilled inside the swap's lock")
        );
        problems.AddRange(
            online
                .Checks.Where(c =>
                    c.Name != OnlineNames.Check(c.Table)
                    && c.Columns.Any(col => converted.Contains((c.Schema, c.Table, col)))
                )
                .Select(c =>
                    $"{(c.Type == 'x' ? "exclusion" : "CHECK")} constraint {c.Name} on {c.Schema}.{c.Table} names a "
                    + "converted column"
                )
        );
        problems.AddRange(
            online
                .Columns.Where(c => c.HasGrants && converted.Contains((c.Schema, c.Table, c.Column)))
                .Select(c => $"{c.Schema}.{c.Table}.{c.Column} has column-level grants")
        );
        problems.AddRange(
            tables.SelectMany(t =>
                t.Indexes.Where(i =>
                        i.Predicate is not null
                        && i.DependsOn.Except(i.Columns).Any(c => converted.Contains((t.Schema, t.Table, c)))
                    )
                    .Select(i => $"the predicate of partial index {i.Name} on {t.Name} names a converted column")
            )
        );
        problems.AddRange(
            online
                .RowTriggers.Where(t =>
                    t.Before
                    && onTables.Contains((t.Schema, t.Table))
                    && string.CompareOrdinal(t.Name, OnlineNames.Trigger) > 0
                )
                .Select(t =>
                    $"BEFORE trigger {t.Name} on {t.Schema}.{t.Table} fires after DbRecovery's {OnlineNames.Trigger} "
                    + "and could change a converted column behind it"
                )
        );
        if (problems.Count > 0)
        {
            throw new RecoveryException(
                "OnlineConversionBlocked",
                FailureKind.InvalidOperation,
                "The online conversion cannot do this safely, so nothing was changed: "
                    + $"{string.Join("; ", problems)}. Convert without -Online instead (one transaction under ACCESS "
                    + "EXCLUSIVE locks), or change those objects first.",
                problems[0]
            );
        }
    }

    private static IEnumerable<string> Warnings(OnlineFacts online, IReadOnlyList<OnlineTable> tables)
    {
        yield return "Online, the converted columns move to the end of their tables "
            + $"({string.Join(", ", tables.Select(t => t.Name))}): "
            + "SELECT * and COPY without a column list see them last.";
        if (tables.SelectMany(t => t.Columns).Any(c => c.Planned.To == "uuid"))
        {
            yield return "While it runs, a write of a value that is not a UUID into these columns fails (the trigger "
                + "casts every value as it is written).";
        }

        foreach (
            var trigger in online.RowTriggers.Where(t =>
                t.OnUpdate && tables.Any(x => x.Schema == t.Schema && x.Table == t.Table)
            )
        )
        {
            yield return $"Trigger {trigger.Name} on {trigger.Schema}.{trigger.Table} fires for every row the "
                + "backfill updates.";
        }
    }
}
