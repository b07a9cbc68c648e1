using DbRecovery.Engine.Plans;
using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Conversion;

/// <summary>
/// What a key conversion changes and what it must carry across, read from the catalog and checked for blockers:
/// the columns, the foreign keys that touch them, the views, policies and triggers over them. The offline and
/// the online plan are two ways of running one scope.
/// </summary>
internal sealed record ConversionScope
{
    /// <summary>The target type, normalized (uuid, text or character varying(n)).</summary>
    public required string Target { get; init; }

    /// <summary>The columns that change, as the catalog has them.</summary>
    public required IReadOnlyList<ColumnFact> Convert { get; init; }

    /// <summary>The same columns as planned (types before and after, defaults).</summary>
    public required IReadOnlyList<PlannedColumn> Planned { get; init; }

    public required IReadOnlyList<PlannedColumn> AlreadyConverted { get; init; }

    public required IReadOnlyList<string> NotLinked { get; init; }

    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>
    /// Foreign keys on or to a converted column: dropped and re-created with the same name and definition.
    /// </summary>
    public required IReadOnlyList<ForeignKeyFact> ForeignKeys { get; init; }

    /// <summary>Foreign keys an interrupted earlier conversion left NOT VALID, to validate now.</summary>
    public required IReadOnlyList<ForeignKeyFact> Pending { get; init; }

    /// <summary>Views over the converted columns, in creation order.</summary>
    public required IReadOnlyList<ViewFact> Views { get; init; }

    public required IReadOnlyList<PolicyFact> Policies { get; init; }

    public required IReadOnlyList<TriggerFact> Triggers { get; init; }

    /// <summary>The columns converted back.</summary>
    public IReadOnlyList<PlannedColumn> Inverse =>
        Planned
            .Select(c =>
                c with
                {
                    From = c.To,
                    To = c.From,
                    DefaultBefore = c.DefaultAfter,
                    DefaultAfter = c.DefaultBefore,
                }
            )
            .ToList();

    public IReadOnlyDictionary<(QualifiedName Table, string Name), string> ExpectedForeignKeys =>
        ForeignKeys.ToDictionary(fk => (new QualifiedName(fk.Schema, fk.Table), fk.Name), fk => fk.Definition);

    public IReadOnlyDictionary<QualifiedName, string> ExpectedViews =>
        Views.ToDictionary(v => new QualifiedName(v.Schema, v.Name), v => v.Definition);

    /// <summary>
    /// Every table the change locks (its own and both ends of its foreign keys), in one order so two runs cannot
    /// deadlock.
    /// </summary>
    public IReadOnlyList<(string Schema, string Table)> LockTables(IReadOnlyList<PlannedColumn> change) =>
        change
            .Select(c => (c.Schema, c.Table))
            .Concat(
                ForeignKeys.SelectMany(fk => new[] { (fk.Schema, fk.Table), (fk.ReferencedSchema, fk.ReferencedTable) })
            )
            .Distinct()
            .OrderBy(t => t.Item1, StringComparer.Ordinal)
            .ThenBy(t => t.Item2, StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// The dependents re-created once the columns have their new type: foreign keys (NOT VALID where they can be),
    /// views, policies, triggers.
    /// </summary>
    public IEnumerable<PlanStep> Recreated() =>
        ForeignKeys
            .Select(ConversionSql.AddForeignKey)
            .Concat(Views.Select(ConversionSql.CreateView))
            .Concat(Policies.Select(ConversionSql.CreatePolicy))
            .Concat(Triggers.Select(ConversionSql.CreateTrigger));

    /// <summary>
    /// After COMMIT: the validation of the foreign keys re-created NOT VALID (and of any an earlier run left), then
    /// fresh statistics.
    /// </summary>
    public IEnumerable<PlanStep> AfterCommit(IReadOnlyList<PlannedColumn> change) =>
        ForeignKeys
            .Where(fk => fk.ValidatedAfterCommit)
            .Concat(Pending)
            .Select(ConversionSql.ValidateForeignKey)
            .Concat(
                change.Select(c => (c.Schema, c.Table)).Distinct().Select(t => ConversionSql.Analyze(t.Schema, t.Table))
            );
}
