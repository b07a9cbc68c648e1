using System.Globalization;
using System.Text.RegularExpressions;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Plans;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Conversion;

/// <summary>
/// Plans a key-column conversion from catalog facts: the columns are the connected component of the
/// roots in the foreign-key graph (never a guess from column names), every dependent object is carried
/// or the plan is refused naming it, and each table is rewritten once.
/// </summary>
public static partial class IdConversionPlanner
{
    internal static IdConversionPlan Plan(ConversionFacts facts, IReadOnlyList<ConversionRoot> roots, string targetType)
    {
        var scope = Scope(facts, roots, targetType);
        var (planned, foreignKeys, pending, views, policies, triggers) = (
            scope.Planned,
            scope.ForeignKeys,
            scope.Pending,
            scope.Views,
            scope.Policies,
            scope.Triggers
        );

        List<PlanStep> Steps(IReadOnlyList<PlannedColumn> change)
        {
            if (change.Count == 0)
            {
                return [];
            }

            var lockTables = scope.LockTables(change);
            var names = lockTables.Select(t => new QualifiedName(t.Schema, t.Table)).ToList();
            var quoted = string.Join(", ", lockTables.Select(t => ConversionSql.Table(t.Schema, t.Table)));

            // Writes stop first while the values are fingerprinted; reads stop only for the rewrite itself.
            var steps = new List<PlanStep>
            {
                new SqlStep
                {
                    Kind = StepKind.Lock,
                    Targets = names,
                    Action =
                        "Block writes to every affected table while their values are fingerprinted (waits at most "
                        + "lock_timeout)",
                    Statement = $"LOCK TABLE {quoted} IN SHARE MODE",
                },
                new SqlStep
                {
                    Kind = StepKind.Lock,
                    Targets = names,
                    Action = "Lock every affected table for the rewrite (waits at most lock_timeout)",
                    Statement = $"LOCK TABLE {quoted} IN ACCESS EXCLUSIVE MODE",
                },
            };
            steps.AddRange(views.AsEnumerable().Reverse().Select(ConversionSql.DropView));
            steps.AddRange(policies.Select(ConversionSql.DropPolicy));
            steps.AddRange(triggers.Select(ConversionSql.DropTrigger));
            steps.AddRange(foreignKeys.Select(ConversionSql.DropForeignKey));
            steps.AddRange(
                change
                    .Where(c => !IsPartition(facts, c))
                    .GroupBy(c => (c.Schema, c.Table))
                    .Select(g =>
                        ConversionSql.AlterTable(
                            g.Key.Schema,
                            g.Key.Table,
                            g.Select(c => (c.Column, c.To, c.DefaultBefore)).ToList()
                        )
                    )
            );
            steps.AddRange(change.Where(c => c.WidensSequence).Select(ConversionSql.AlterSequence));
            steps.AddRange(scope.Recreated());
            steps.AddRange(scope.AfterCommit(change));
            return steps;
        }

        return new IdConversionPlan
        {
            Columns = planned,
            AlreadyConverted = scope.AlreadyConverted,
            NotLinked = scope.NotLinked,
            Warnings = scope.Warnings,
            Rewrites = scope
                .Convert.GroupBy(c => (c.Schema, c.Table))
                .Select(g => new TableRewrite(
                    g.Key.Schema,
                    g.Key.Table,
                    g.Count(),
                    g.First().EstimatedRows,
                    g.First().SizeBytes
                ))
                .ToList(),
            Steps = planned.Count == 0 ? pending.Select(ConversionSql.ValidateForeignKey).ToList() : Steps(planned),
            InverseSteps = Steps(scope.Inverse),
            ExpectedForeignKeys = scope.ExpectedForeignKeys,
            ExpectedViews = scope.ExpectedViews,
        };
    }

    /// <summary>
    /// What a conversion of <paramref name="roots"/> to <paramref name="targetType"/> changes and carries, checked for
    /// blockers.
    /// </summary>
    internal static ConversionScope Scope(ConversionFacts facts, IReadOnlyList<ConversionRoot> roots, string targetType)
    {
        var target = NormalizeTarget(targetType);
        var rootColumns = roots.Select(r => ResolveRoot(facts, r)).Distinct().ToList();
        var component = Component(facts, rootColumns);
        var columns = component.Select(k => facts.Column(k.Schema, k.Table, k.Column)!).ToList();
        var convert = columns.Where(c => PostgresTypeName.Normalize(c.Type) != target).ToList();
        var done = columns.Except(convert).ToList();
        var convertKeys = convert.Select(c => (c.Schema, c.Table, c.Column)).ToHashSet();
        CheckSourceTypes(convert, target);
        CheckBlockers(facts, convert, convertKeys);

        var foreignKeys = facts.ForeignKeys.Where(fk => Touches(fk, convertKeys)).ToList();
        var pending = facts
            .ForeignKeys.Where(fk => fk.Comment == ConversionSql.PendingValidation && !foreignKeys.Contains(fk))
            .ToList();
        var views = DependentViews(facts, convertKeys);
        var policies = facts
            .Policies.Where(p => p.Columns.Any(c => convertKeys.Contains((p.Schema, p.Table, c))))
            .ToList();
        var triggers = facts
            .Triggers.Where(t => t.Columns.Any(c => convertKeys.Contains((t.Schema, t.Table, c))))
            .ToList();
        var planned = convert
            .Select(c => new PlannedColumn
            {
                Schema = c.Schema,
                Table = c.Table,
                Column = c.Column,
                From = c.Type,
                To = target,
                DefaultBefore = c.Default,
                DefaultAfter = c.Default is null ? null : ConversionSql.NewDefault(c.Default, target),
                Sequence = c.Identity ? null : c.Sequence,
                WidensSequence = !c.Identity && c.SequenceType is { } type && IntegerKeys.Widens(type, target),
                Identity = c.Identity ? (c.IdentityAlways ? "ALWAYS" : "BY DEFAULT") : null,
                IdentitySequence = c.Identity ? c.Sequence : null,
                IsRoot = rootColumns.Contains((c.Schema, c.Table, c.Column)),
                EstimatedRows = c.EstimatedRows,
            })
            .ToList();

        return new ConversionScope
        {
            Target = target,
            Convert = convert,
            Planned = planned,
            AlreadyConverted = done.Select(c => new PlannedColumn
                {
                    Schema = c.Schema,
                    Table = c.Table,
                    Column = c.Column,
                    From = c.Type,
                    To = target,
                })
                .ToList(),
            NotLinked = NotLinked(facts, component, rootColumns),
            Warnings = PlpgsqlMentions(facts, convert),
            ForeignKeys = foreignKeys,
            Pending = pending,
            Views = views,
            Policies = policies,
            Triggers = triggers,
        };
    }

    private static string NormalizeTarget(string targetType)
    {
        var target = PostgresTypeName.Normalize(targetType);
        if (target is "uuid" or "text" || IntegerKeys.Is(target))
        {
            return target;
        }

        var match = VaryingLength().Match(target);
        if (!match.Success)
        {
            throw new RecoveryException(
                "UnsupportedTargetType",
                FailureKind.InvalidArgument,
                $"'{targetType}' cannot be a key type here: convert to uuid, text, varchar(n) with n of at least 36, "
                    + "integer or bigint.",
                targetType
            );
        }

        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) >= 36
            ? target
            : throw new RecoveryException(
                "TargetTypeTooShort",
                FailureKind.InvalidArgument,
                $"'{targetType}' cannot hold a UUID's 36 characters; use varchar(36) or longer, or text.",
                targetType
            );
    }

    private static (string Schema, string Table, string Column) ResolveRoot(ConversionFacts facts, ConversionRoot root)
    {
        var tables = facts
            .Columns.Select(c => (c.Schema, c.Table))
            .Distinct()
            .Where(t => t.Table == root.Table && (root.Schema is null || t.Schema == root.Schema))
            .ToList();
        var (schema, table) = tables.Count switch
        {
            1 => tables[0],
            0 => throw new RecoveryException(
                "TableNotFound",
                FailureKind.ObjectNotFound,
                $"There is no table '{root}' with a uuid or character column. Check the name (and -Schema).",
                root.ToString()
            ),
            _ => throw new RecoveryException(
                "AmbiguousTable",
                FailureKind.InvalidArgument,
                $"'{root.Table}' exists in several schemas ({string.Join(", ", tables.Select(t => t.Schema))}); "
                    + $"qualify it, e.g. {tables[0].Schema}.{root.Table}.",
                root.ToString()
            ),
        };
        var keys = facts.Keys.Where(k => k.Schema == schema && k.Table == table).ToList();
        var column = root.Column
            ?? (
                keys.FirstOrDefault(k => k.Primary).Columns is { Count: 1 } pk
                    ? pk[0]
                    : throw new RecoveryException(
                        "NotAKey",
                        FailureKind.InvalidArgument,
                        $"{schema}.{table} has no single-column primary key to convert; name the key column with "
                            + "-Column.",
                        root.ToString()
                    )
            );
        if (facts.Column(schema, table, column) is null)
        {
            throw new RecoveryException(
                "ColumnNotFound",
                FailureKind.ObjectNotFound,
                $"{schema}.{table} has no column '{column}' of a uuid or character type.",
                root.ToString()
            );
        }

        if (!keys.Any(k => k.Columns.Count == 1 && k.Columns[0] == column))
        {
            throw new RecoveryException(
                "NotAKey",
                FailureKind.InvalidArgument,
                $"{schema}.{table}.{column} is not a primary key or unique column; only keys (and what references "
                    + "them) are converted.",
                root.ToString()
            );
        }

        return (schema, table, column);
    }

    /// <summary>
    /// The columns linked to the roots by foreign keys, in either direction: they must all share one type.
    /// </summary>
    private static List<(string Schema, string Table, string Column)> Component(
        ConversionFacts facts,
        IReadOnlyList<(string, string, string)> roots
    )
    {
        var edges = new Dictionary<(string, string, string), List<(string, string, string)>>();
        foreach (var fk in facts.ForeignKeys)
        {
            for (var i = 0; i < Math.Min(fk.Columns.Count, fk.ReferencedColumns.Count); i++)
            {
                var from = (fk.Schema, fk.Table, fk.Columns[i]);
                var to = (fk.ReferencedSchema, fk.ReferencedTable, fk.ReferencedColumns[i]);
                if (
                    facts.Column(from.Schema, from.Table, from.Item3) is null
                    || facts.Column(to.ReferencedSchema, to.ReferencedTable, to.Item3) is null
                )
                {
                    continue;
                }

                (edges.TryGetValue(from, out var a) ? a : edges[from] = []).Add(to);
                (edges.TryGetValue(to, out var b) ? b : edges[to] = []).Add(from);
            }
        }

        var seen = new HashSet<(string, string, string)>(roots);
        var queue = new Queue<(string, string, string)>(roots);
        while (queue.TryDequeue(out var column))
        {
            foreach (var next in edges.GetValueOrDefault(column, []))
            {
                if (seen.Add(next))
                {
                    queue.Enqueue(next);
                }
            }
        }

        return seen.OrderBy(c => c.Item1, StringComparer.Ordinal)
            .ThenBy(c => c.Item2, StringComparer.Ordinal)
            .ThenBy(c => c.Item3, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Only ids change: uuid to text, or text to uuid. A wider text column (an e-mail) is never narrowed.
    /// </summary>
    private static void CheckSourceTypes(List<ColumnFact> convert, string target)
    {
        if (IntegerKeys.Is(target))
        {
            CheckWidening(convert, target);
            return;
        }

        var wrong = convert
            .Where(c =>
                target == "uuid"
                    ? !(
                        PostgresTypeName.Normalize(c.Type) is "text"
                        || PostgresTypeName.Normalize(c.Type).StartsWith("character varying", StringComparison.Ordinal)
                    )
                    : PostgresTypeName.Normalize(c.Type) != "uuid"
            )
            .Select(c => $"{c.Schema}.{c.Table}.{c.Column} ({c.Type})")
            .ToList();
        if (wrong.Count > 0)
        {
            throw new RecoveryException(
                "UnsupportedSourceType",
                FailureKind.InvalidArgument,
                $"Only uuid and text ids convert to each other; these columns would become {target}: "
                    + $"{string.Join(", ", wrong)}. Nothing was changed.",
                wrong[0]
            );
        }
    }

    /// <summary>Integer keys are only widened: a narrower type could not hold every value they may hold.</summary>
    private static void CheckWidening(List<ColumnFact> convert, string target)
    {
        var narrowed = convert.Where(c => IntegerKeys.Widens(target, PostgresTypeName.Normalize(c.Type))).ToList();
        if (narrowed.Count > 0)
        {
            throw new RecoveryException(
                "NarrowingRefused",
                FailureKind.InvalidArgument,
                $"{string.Join(", ", narrowed.Select(c => $"{c.Schema}.{c.Table}.{c.Column} ({c.Type})"))} would be "
                    + $"narrowed to {target}, which cannot hold every value the wider type allows; keys are only "
                    + "widened. Nothing was changed.",
                $"{narrowed[0].Schema}.{narrowed[0].Table}.{narrowed[0].Column}"
            );
        }

        var wrong = convert.Where(c => !IntegerKeys.Is(PostgresTypeName.Normalize(c.Type))).ToList();
        if (wrong.Count > 0)
        {
            throw new RecoveryException(
                "UnsupportedTargetType",
                FailureKind.InvalidArgument,
                $"'{target}' is a key type for integer keys only; "
                    + $"{string.Join(", ", wrong.Select(c => $"{c.Schema}.{c.Table}.{c.Column} ({c.Type})"))} "
                    + "convert to uuid, text or varchar(n) with n of at least 36. Nothing was changed.",
                $"{wrong[0].Schema}.{wrong[0].Table}.{wrong[0].Column}"
            );
        }
    }

    private static void CheckBlockers(
        ConversionFacts facts,
        List<ColumnFact> convert,
        HashSet<(string, string, string)> keys
    )
    {
        var blockers = new List<string>();
        foreach (var column in convert)
        {
            var name = $"{column.Schema}.{column.Table}.{column.Column}";
            if (column.IsPartitionKey)
            {
                blockers.Add($"{name} is a partition key");
            }

            if (column.TableIsTyped)
            {
                blockers.Add($"{column.Schema}.{column.Table} is a typed table");
            }

            if (column.Generated)
            {
                blockers.Add($"{name} is a generated column");
            }
        }

        foreach (var d in facts.Dependents)
        {
            var onColumn = keys.Contains((d.Schema, d.Table, d.Column));
            var onTable = convert.Any(c => c.Schema == d.Schema && c.Table == d.Table);
            var blocked = (d.Kind, d.Detail) switch
            {
                ("rule", _) when onColumn => "rule",
                ("generated column", _) when onColumn => "generated column",
                ("index", "expression" or "operator class") when onColumn => $"index with an {d.Detail}",
                ("function", "sql body") when onColumn => "SQL-body function",
                ("publication", _) when onColumn => "publication column list or row filter",
                ("extension", _) when onTable => "table owned by an extension",
                _ => null,
            };
            if (blocked is not null)
            {
                blockers.Add(
                    $"{d.Name} ({blocked}) depends on "
                        + $"{d.Schema}.{d.Table}{(d.Column.Length > 0 ? "." + d.Column : string.Empty)}"
                );
            }
        }

        if (blockers.Count > 0)
        {
            throw new RecoveryException(
                "ConversionBlocked",
                FailureKind.InvalidOperation,
                "The conversion cannot carry these objects, so nothing was changed: "
                    + $"{string.Join("; ", blockers.Distinct())}. Drop or change them first, then convert.",
                blockers[0]
            );
        }
    }

    private static bool Touches(ForeignKeyFact fk, HashSet<(string, string, string)> columns) =>
        fk.Columns.Any(c => columns.Contains((fk.Schema, fk.Table, c)))
        || fk.ReferencedColumns.Any(c => columns.Contains((fk.ReferencedSchema, fk.ReferencedTable, c)));

    /// <summary>
    /// Views over the converted columns and the views built on those, creation order (dependencies first).
    /// </summary>
    private static List<ViewFact> DependentViews(ConversionFacts facts, HashSet<(string, string, string)> columns)
    {
        var affected = facts.Views.Where(v => v.DependsOnColumns.Any(columns.Contains)).Select(v => v.Oid).ToHashSet();
        for (var grew = true; grew; )
        {
            grew = false;
            foreach (
                var view in facts.Views.Where(v => !affected.Contains(v.Oid) && v.DependsOnViews.Any(affected.Contains))
            )
            {
                grew |= affected.Add(view.Oid);
            }
        }

        var ordered = new List<ViewFact>();
        var remaining = facts.Views.Where(v => affected.Contains(v.Oid)).ToList();
        while (remaining.Count > 0)
        {
            var ready = remaining.Where(v => !v.DependsOnViews.Any(d => remaining.Any(r => r.Oid == d))).ToList();
            ordered.AddRange(ready);
            remaining.RemoveAll(ready.Contains);
        }

        return ordered;
    }

    private static bool IsPartition(ConversionFacts facts, PlannedColumn column) =>
        facts.Column(column.Schema, column.Table, column.Column)?.TableIsPartition == true;

    private static List<string> NotLinked(
        ConversionFacts facts,
        List<(string Schema, string Table, string Column)> component,
        List<(string, string, string)> roots
    )
    {
        var sourceTypes = roots
            .Select(r => PostgresTypeName.Normalize(facts.Column(r.Item1, r.Item2, r.Item3)!.Type))
            .ToHashSet();
        return facts
            .Columns.Where(c =>
                sourceTypes.Contains(PostgresTypeName.Normalize(c.Type))
                && KeyLike().IsMatch(c.Column)
                && !component.Contains((c.Schema, c.Table, c.Column))
            )
            .Where(c =>
                !facts.Keys.Any(k =>
                    k.Schema == c.Schema && k.Table == c.Table && k.Columns.Count == 1 && k.Columns[0] == c.Column
                )
            )
            .Select(c =>
                $"{c.Schema}.{c.Table}.{c.Column} ({c.Type}): not converted, no foreign key links it to the "
                + "converted keys"
            )
            .ToList();
    }

    private static List<string> PlpgsqlMentions(ConversionFacts facts, List<ColumnFact> convert) =>
        facts
            .PlpgsqlFunctions.Where(f =>
                convert.Any(c =>
                    f.Source.Contains(c.Column, StringComparison.Ordinal)
                    && f.Source.Contains(c.Table, StringComparison.Ordinal)
                )
            )
            .Select(f =>
                $"PL/pgSQL function {f.Schema}.{f.Name} mentions a converted column; check it still works with the "
                + "new type."
            )
            .ToList();

    [GeneratedRegex(@"^character varying\((\d+)\)$")]
    private static partial Regex VaryingLength();

    [GeneratedRegex(@"(_id|_by|_uuid)$|^(owner|author|creator|assignee)$")]
    private static partial Regex KeyLike();
}
