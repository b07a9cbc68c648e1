using System.Globalization;
using DbRecovery.Engine.Alembic;
using DbRecovery.Engine.Alembic.Replay;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Comparison;
using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Conversion;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Sql;
using DbRecovery.Engine.Verification;

namespace DbRecovery.Engine.Planning;

/// <summary>
/// Makes the recovery plan of a drifted database, changing nothing: finds the revision the schema really is
/// at, checks the way from there to the target with the static upgrade check, turns each key the remaining
/// revisions (or the true revision) need in another type into a conversion, checks the way again as it will
/// be after the conversions, and lists what no step can fix as blockers.
/// </summary>
public static class RecoveryPlanner
{
    /// <summary>
    /// Plans the recovery of <paramref name="target"/> with the migrations of <paramref name="history"/>.
    /// </summary>
    /// <param name="target">The drifted database.</param>
    /// <param name="history">The migration history on disk.</param>
    /// <param name="project">The Alembic project's path, for the plan's commands.</param>
    /// <param name="versionTable">The version table.</param>
    /// <param name="to">The revision to upgrade to, or null (or <c>heads</c>) for the heads.</param>
    /// <param name="models">The schema the application's models build (see <see cref="ModelSchema"/>), or null when not
    /// read.</param>
    /// <param name="exact">A scratch database and real Alembic: they decide the revision, the blockers and the end
    /// state; null to predict statically.</param>
    /// <param name="log">Where to report.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    public static async Task<RecoveryPlan> PlanAsync(
        ConnectionTarget target,
        AlembicHistory history,
        string project,
        QualifiedName versionTable,
        string? to,
        SchemaState? models,
        ExactCheckOptions? exact,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(log);
        log.Progress(new ProgressReport("Planning the recovery", "reading the schema", 0, 4));
        var live = await SchemaReader
            .CaptureAsync(
                target,
                new SchemaReadOptions { VersionTable = versionTable.ToString() },
                log,
                cancellationToken
            )
            .ConfigureAwait(false);
        var replay = StaticReplay.Run(history);
        log.Progress(new ProgressReport("Planning the recovery", "finding the revision the schema really is at", 1, 4));
        var ranked = exact is null
            ? RevisionRanker.Rank(replay, live, 1)
            : RevisionRanker.Rank(
                replay,
                (
                    await AlembicReplay
                        .RunAsync(history, exact.Cli, exact.Scratch, history.Heads, log, cancellationToken)
                        .ConfigureAwait(false)
                ).Schemas,
                live,
                1
            );
        var (revisions, best, tieNote) = TrueRevisions(history, ranked[0], live);
        var targets = to is null or "heads" ? history.Heads : [history.Resolve(to).Revision];
        var pending = history.Path(revisions, targets);
        var rows = await TableRows
            .NonEmptyAsync(target, StaticUpgradeCheck.RowSensitiveTables(pending), log, cancellationToken)
            .ConfigureAwait(false);
        var way = new Way(target, history, live, revisions, targets, rows, log, cancellationToken);

        log.Progress(new ProgressReport("Planning the recovery", "checking the way to the target", 2, 4));
        if (tieNote is not null)
        {
            way.Warnings.Add(tieNote);
        }

        way.Warnings.AddRange(
            await UnknownRevisionsAsync(history, project, live, revisions, cancellationToken).ConfigureAwait(false)
        );
        var before = way.Check(live);
        var needed = NeededByRevisions(before, live, way.Blockers);
        var modelled = models is null ? [] : ModelledKeys(models, live, needed, way.Warnings);
        var contradictions = HistoryContradiction.Find(replay);
        var declared = DeclaredKeys(models, live);
        var resolved = RecoveryChecklist.IntendedTypes(
            live,
            contradictions.Select(c => c.Expectation).Concat(declared)
        );
        var optional = modelled.Concat(DriftedKeys(best, live, [.. needed, .. modelled], resolved)).ToList();

        log.Progress(
            new ProgressReport("Planning the recovery", "checking the way again as the conversions leave it", 3, 4)
        );
        var (conversions, after, harmful, kept) = await ConvertAsync(way, needed, optional, before)
            .ConfigureAwait(false);
        var upgradeTo = targets.SequenceEqual(history.Heads) ? "heads" : targets[0];
        var predicted = StampBlockers(replay, revisions, versionTable, live)
            .Concat(
                after
                    .Findings.Where(f => f.IsBlocking)
                    .Select(f => $"revision {f.Revision} line {f.Line}, {f.Operation}: {f.Reason}")
            )
            .ToList();
        var (forecast, reference, defects) = exact is null
            ? Predict(way, predicted, after)
            : await DecideExactlyAsync(way, exact, conversions, upgradeTo, predicted, best).ConfigureAwait(false);
        way.Warnings.AddRange(RemainingDrift(best, conversions, kept, resolved));

        var versionLocated = live.Tables.FirstOrDefault(t => versionTable.Matches(t.Schema, t.Name));
        var stamp =
            live.AlembicVersion.Order(StringComparer.Ordinal).SequenceEqual(revisions.Order(StringComparer.Ordinal))
            && versionLocated is not null
                ? []
                : revisions;
        // The end state has the converted types, and keeps those a remaining revision needs (a rerun after a failure
        // finds them converted).
        var expectedTypes = conversions
            .SelectMany(c => c.Columns.Select(column => $"{column}={c.To}"))
            .Concat(harmful.Select(h => $"{new ColumnReference(h.Schema, h.Table, h.Column)}={h.From}"))
            .Concat(contradictions.Select(c => c.Expectation))
            .Concat(declared)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var plan = new RecoveryPlan
        {
            Database = target.DisplayName,
            Project = project,
            CreatedAt = DateTime.UtcNow,
            Fingerprint = SchemaFingerprint.Of(live),
            Revisions = revisions,
            Score = best.Score,
            Explanation = best.Explanation,
            EquallyLikely = best.EquallyLikely,
            VersionTable = versionTable.ToString(),
            HasVersionTable = versionLocated is not null,
            AlembicVersion = live.AlembicVersion,
            Conversions = conversions,
            Stamp = stamp,
            Target = targets,
            UpgradeRevisions = after.Revisions,
            Forecast = forecast,
            Decision = exact is null ? "Predicted" : "Exact",
            ReplayDefects = defects,
            Contradictions = contradictions.Select(c => c.ToString()).ToList(),
            ReferenceSchema = reference,
            Blockers = way.Blockers.Distinct(StringComparer.Ordinal).ToList(),
            Warnings = way.Warnings,
            ExpectedColumnTypes = expectedTypes,
            ReadModels = models is not null,
        };
        log.Progress(new ProgressReport("Planning the recovery", "done", 4, 4));
        return plan with { Steps = RecoverySteps.For(plan, upgradeTo) };
    }

    /// <summary>
    /// The way from the revisions the schema is at to the target, and what planning finds on it: the blockers no step
    /// can fix and the warnings for the reviewer.
    /// </summary>
    private sealed record Way(
        ConnectionTarget Target,
        AlembicHistory History,
        SchemaState Live,
        IReadOnlyList<string> Revisions,
        IReadOnlyList<string> Targets,
        IReadOnlySet<QualifiedName> Rows,
        IRecoveryLog Log,
        CancellationToken CancellationToken
    )
    {
        public List<string> Blockers { get; } = [];

        public List<string> Warnings { get; } = [];

        /// <summary>The static check of the remaining revisions over <paramref name="schema"/>.</summary>
        public UpgradeReport Check(SchemaState schema) =>
            StaticUpgradeCheck.Run(History, schema, Revisions, Targets, Rows);

        /// <summary>The conversions planned on the live catalog, and the schema as they would leave it.</summary>
        public Task<(IReadOnlyList<KeyConversion> Conversions, SchemaState Converted)> SimulateAsync(
            IReadOnlyList<KeyConversion> keys
        ) => RecoveryPlanner.SimulateAsync(Target, Live, keys, Blockers, Log, CancellationToken);
    }

    /// <summary>The key types the models declare, for the tables the database has.</summary>
    private static IReadOnlyList<string> DeclaredKeys(SchemaState? models, SchemaState live) =>
        models is null
            ? []
            : ModelSchema.DeclaredKeys(
                models with
                {
                    Tables = models.Tables.Where(t => live.FindTable(t.Schema, t.Name) is not null).ToList(),
                }
            );

    /// <summary>
    /// The conversions the remaining revisions need and those for the models or drift, less any that would make a
    /// remaining revision fail (said in a warning), with the check of the way as they leave the schema.
    /// </summary>
    private static async Task<(
        IReadOnlyList<KeyConversion> Conversions,
        UpgradeReport After,
        List<KeyConversion> Harmful,
        HashSet<string> Kept
    )> ConvertAsync(Way way, List<KeyConversion> needed, List<KeyConversion> optional, UpgradeReport before)
    {
        var (conversions, converted) = await way.SimulateAsync([.. needed, .. optional]).ConfigureAwait(false);
        var after = way.Check(converted);

        // A key converted for the models or because it drifted from the true revision must not break a later revision.
        var harmful = optional.Where(d => Breaks(after, before, conversions, d)).ToList();
        var kept = conversions
            .Where(c => harmful.Any(h => h.Schema == c.Schema && h.Table == c.Table))
            .SelectMany(c => c.Columns)
            .ToHashSet(StringComparer.Ordinal);
        if (harmful.Count > 0)
        {
            way.Warnings.AddRange(
                harmful.Select(h =>
                    $"{h.Schema}.{h.Table}.{h.Column} stays {h.From} although {h.Reason}: a remaining revision needs "
                    + "it as it is"
                )
            );
            (conversions, converted) = await way.SimulateAsync([.. needed, .. optional.Except(harmful)])
                .ConfigureAwait(false);
            after = way.Check(converted);
        }

        return (conversions, after, harmful, kept);
    }

    /// <summary>
    /// Without a scratch database the static replay decides: what it predicts fails is a blocker, what it cannot
    /// predict a warning.
    /// </summary>
    private static (UpgradeReport Forecast, string? Reference, List<string> Defects) Predict(
        Way way,
        IReadOnlyList<string> predicted,
        UpgradeReport after
    )
    {
        way.Blockers.AddRange(
            predicted.Select(p =>
                $"{p} (predicted by the static replay; with -ScratchConnectionString real Alembic decides)"
            )
        );
        way.Warnings.AddRange(
            after
                .Findings.Where(f => !f.IsBlocking)
                .Select(f =>
                    $"revision {f.Revision} line {f.Line}: {f.Reason}; predicted statically: plan with "
                    + "-ScratchConnectionString to know"
                )
        );
        return (after, null, []);
    }

    /// <summary>
    /// Real Alembic decides on a copy of the schema with the conversions: where it fails, that is the blocker; where
    /// it reaches the target, every static blocker was the replay's mistake, and its schema is the reference.
    /// </summary>
    private static async Task<(UpgradeReport Forecast, string? Reference, List<string> Defects)> DecideExactlyAsync(
        Way way,
        ExactCheckOptions exact,
        IReadOnlyList<KeyConversion> conversions,
        string upgradeTo,
        IReadOnlyList<string> predicted,
        RevisionMatch best
    )
    {
        way.Log.Progress(
            new ProgressReport(
                "Planning the recovery",
                "checking the way with real Alembic on a copy of the schema",
                3,
                4
            )
        );
        var run = await ExactUpgradeCheck
            .RunAsync(
                way.Target,
                exact,
                way.History,
                conversions,
                way.Revisions,
                way.Targets,
                upgradeTo,
                way.Log,
                way.CancellationToken
            )
            .ConfigureAwait(false);
        if (run.Reference is not { } built)
        {
            way.Blockers.AddRange(
                run.Report.Findings.Select(f =>
                    $"real Alembic fails at revision {f.Revision} on a copy of the schema: {f.Reason}"
                )
            );
            return (run.Report, null, []);
        }

        way.Warnings.AddRange(KeptExtras(best));
        return (
            run.Report,
            SchemaStateJson.Serialize(built),
            predicted
                .Select(p => $"the static replay predicted \"{p}\"; real Alembic upgraded a copy without error")
                .ToList()
        );
    }

    /// <summary>
    /// The revisions to stamp: the best match's. When data-only migrations make several revisions look the same,
    /// the one alembic_version names if it is among them, else the latest (so data migrations are not run twice).
    /// </summary>
    /// <returns>The revisions, the best match that names them, and a note when several revisions were equally
    /// likely.</returns>
    public static (IReadOnlyList<string> Revisions, RevisionMatch Match, string? Note) TrueRevisions(
        StaticReplay replay,
        SchemaState live
    )
    {
        ArgumentNullException.ThrowIfNull(replay);
        return TrueRevisions(replay.History, RevisionRanker.Rank(replay, live, 1)[0], live);
    }

    /// <summary>
    /// The revisions to stamp, from the best match of a ranking (static or exact); see the other overload.
    /// </summary>
    public static (IReadOnlyList<string> Revisions, RevisionMatch Match, string? Note) TrueRevisions(
        AlembicHistory history,
        RevisionMatch best,
        SchemaState live
    )
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(best);
        ArgumentNullException.ThrowIfNull(live);
        var stamped = live.AlembicVersion;
        var revisions = best.Revisions.Count > 0 ? best.Revisions : [best.Revision];
        if (best.EquallyLikely.Count == 0 || revisions.Count != 1)
        {
            return (revisions, best, null);
        }

        var candidates = best.EquallyLikely.Prepend(revisions[0]).Distinct(StringComparer.Ordinal).ToList();
        var chosen =
            stamped.Count == 1 && candidates.Contains(stamped[0]) ? stamped[0] : candidates.MaxBy(history.IndexOf)!;
        return (
            [chosen],
            best,
            $"revisions {string.Join(", ", candidates)} have identical schemas (the migrations between them change "
                + $"only data); the plan takes {chosen}"
                + (
                    chosen == stamped.FirstOrDefault()
                        ? ", which alembic_version already names"
                        : ", the latest, so their data migrations are not run again"
                )
        );
    }

    /// <summary>
    /// The keys the remaining revisions reference with columns of another type: each must get that type, or the upgrade
    /// fails.
    /// </summary>
    private static List<KeyConversion> NeededByRevisions(UpgradeReport report, SchemaState live, List<string> blockers)
    {
        var needed = new List<KeyConversion>();
        foreach (var finding in report.Findings.Where(f => f.Kind == UpgradeFindingKind.IncompatibleForeignKey))
        {
            var table = live.FindTable(finding.ReferencedSchema!, finding.ReferencedTable!);
            var key = table?.Constraints.FirstOrDefault(c =>
                c.Type is ConstraintType.PrimaryKey or ConstraintType.Unique
                && c.Columns.Count == 1
                && c.Columns[0] == finding.ReferencedColumn
            );
            if (table is null || key is null)
            {
                continue;
            }

            var to = PostgresTypeName.Normalize(finding.ColumnType!);
            var existing = needed.FirstOrDefault(n => n.Schema == table.Schema && n.Table == table.Name);
            if (existing is null)
            {
                needed.Add(
                    new KeyConversion
                    {
                        Schema = table.Schema,
                        Table = table.Name,
                        Column = key.Columns[0],
                        IsPrimaryKey = key.Type == ConstraintType.PrimaryKey,
                        From = PostgresTypeName.Normalize(finding.ReferencedType!),
                        To = to,
                        Reason =
                            $"revision {finding.Revision} references it from {finding.Object} as {to}; PostgreSQL "
                            + "refuses that foreign key while the key is "
                            + $"{PostgresTypeName.Normalize(finding.ReferencedType!)}",
                    }
                );
            }
            else if (existing.To != to)
            {
                blockers.Add(
                    $"the remaining revisions reference {table.Schema}.{table.Name}.{key.Columns[0]} both as "
                        + $"{existing.To} and as {to}; no one type lets them all succeed"
                );
            }
        }

        return needed;
    }

    /// <summary>What alembic_version names that no migration file has, and where git last saw each.</summary>
    private static async Task<List<string>> UnknownRevisionsAsync(
        AlembicHistory history,
        string project,
        SchemaState live,
        IReadOnlyList<string> revisions,
        CancellationToken cancellationToken
    )
    {
        var said = new List<string>();
        var folder = Directory.Exists(project) ? project : Path.GetDirectoryName(Path.GetFullPath(project))!;
        foreach (var unknown in live.AlembicVersion.Where(v => !history.Contains(v)))
        {
            var seen = await RevisionFileHistory
                .LastSeenAsync(folder, unknown, cancellationToken)
                .ConfigureAwait(false);
            said.Add(
                $"alembic_version names {unknown}, which no migration file has (Alembic: \"Can't locate revision\"), "
                    + "a migration that ran "
                    + "here and was reverted or never merged; "
                    + $"{(seen is null ? "the project's git history does not know it" : "in git, " + seen)}. "
                    + $"The plan stamps {string.Join(", ", revisions)}, the revision the schema really is at"
            );
        }

        return said;
    }

    /// <summary>
    /// Keys whose type differs from what the models declare; where a remaining revision needs another type, the
    /// revision wins and the reviewer is told.
    /// </summary>
    private static List<KeyConversion> ModelledKeys(
        SchemaState models,
        SchemaState live,
        IReadOnlyList<KeyConversion> needed,
        List<string> warnings
    )
    {
        var keys = new List<KeyConversion>();
        foreach (var table in live.Tables)
        {
            if (
                table.PrimaryKey is not { Columns.Count: 1 } key
                || table.FindColumn(key.Columns[0]) is not { } column
                || models.FindTable(table.Schema, table.Name)?.FindColumn(key.Columns[0]) is not { } modelled
            )
            {
                continue;
            }

            var (actual, expected) = (
                PostgresTypeName.Normalize(column.Type),
                PostgresTypeName.Normalize(modelled.Type)
            );
            if (actual == expected || !Convertible(actual, expected))
            {
                continue;
            }

            if (needed.FirstOrDefault(n => n.Schema == table.Schema && n.Table == table.Name) is { } revision)
            {
                if (revision.To != expected)
                {
                    warnings.Add(
                        $"the models declare {table.QualifiedName}.{key.Columns[0]} as {expected}, but "
                            + $"{revision.Reason}; the plan follows the revisions"
                    );
                }

                continue;
            }

            keys.Add(
                new KeyConversion
                {
                    Schema = table.Schema,
                    Table = table.Name,
                    Column = key.Columns[0],
                    From = actual,
                    To = expected,
                    Reason = $"the application's models (env.py's target_metadata) declare it as {expected}",
                }
            );
        }

        return keys;
    }

    /// <summary>
    /// Keys whose type differs from the true revision's, where a conversion can set it back (uuid and the string
    /// types); not those that already have the type the models declare or a contradiction of the history was resolved
    /// to.
    /// </summary>
    private static List<KeyConversion> DriftedKeys(
        RevisionMatch best,
        SchemaState live,
        IReadOnlyList<KeyConversion> planned,
        IReadOnlyDictionary<(string, string, string), string> resolved
    ) =>
        best
            .TypeMismatches.Where(d =>
                d.Column is not null
                && d.Expected is not null
                && d.Actual is not null
                && Convertible(PostgresTypeName.Normalize(d.Actual), PostgresTypeName.Normalize(d.Expected))
            )
            .Where(d => !IsResolved(resolved, d))
            .Where(d =>
                live.FindTable(d.Schema, d.Table)?.PrimaryKey is { Columns.Count: 1 } key && key.Columns[0] == d.Column
            )
            .Where(d => !planned.Any(n => n.Schema == d.Schema && n.Table == d.Table))
            .Select(d => new KeyConversion
            {
                Schema = d.Schema,
                Table = d.Table,
                Column = d.Column!,
                From = d.Actual!,
                To = d.Expected!,
                Reason = $"revision {best.Revision} defines it as {d.Expected}; the database has {d.Actual}",
            })
            .ToList();

    private static bool IsResolved(
        IReadOnlyDictionary<(string, string, string), string> resolved,
        SchemaDifference difference
    ) =>
        difference.Actual is not null
        && resolved.TryGetValue((difference.Schema, difference.Table, difference.Column ?? string.Empty), out var type)
        && PostgresTypeName.AreEqual(type, difference.Actual);

    /// <summary>uuid and text keys convert to each other; an integer key only widens (integer to bigint).</summary>
    private static bool Convertible(string actual, string expected) =>
        (IsKeyType(actual) && IsKeyType(expected)) || IntegerKeys.Widens(actual, expected);

    private static bool IsKeyType(string type) =>
        PostgresTypeName.Normalize(type) is "uuid" or "text"
        || PostgresTypeName.Normalize(type).StartsWith("character varying", StringComparison.Ordinal);

    /// <summary>
    /// Plans each conversion on the live catalog (nothing changes) and returns them with the columns each
    /// changes, and the snapshot as they would leave it. A conversion the planner refuses becomes a blocker.
    /// </summary>
    private static async Task<(IReadOnlyList<KeyConversion> Conversions, SchemaState Converted)> SimulateAsync(
        ConnectionTarget target,
        SchemaState live,
        IReadOnlyList<KeyConversion> conversions,
        List<string> blockers,
        IRecoveryLog log,
        CancellationToken cancellationToken
    )
    {
        var planned = new List<KeyConversion>();
        var types = new Dictionary<(string Schema, string Table, string Column), string>();
        foreach (var conversion in conversions)
        {
            IdConversionPlan plan;
            try
            {
                plan = await IdConversion
                    .PlanAsync(
                        target,
                        [new ConversionRoot(conversion.Schema, conversion.Table, conversion.Column)],
                        conversion.To,
                        log,
                        cancellationToken
                    )
                    .ConfigureAwait(false);
            }
            catch (RecoveryException ex) when (ex.Kind != FailureKind.ConnectionError)
            {
                blockers.Add(
                    $"Convert-IdColumns cannot convert {conversion.Schema}.{conversion.Table}.{conversion.Column} to "
                        + $"{conversion.To}: {ex.Message}"
                );
                continue;
            }

            foreach (var column in plan.Columns)
            {
                types[(column.Schema, column.Table, column.Column)] = column.To;
            }

            planned.Add(
                conversion with
                {
                    Columns = plan
                        .Columns.Select(p => new ColumnReference(p.Schema, p.Table, p.Column).ToString())
                        .ToList(),
                }
            );
        }

        var converted = live with
        {
            Tables = live
                .Tables.Select(t =>
                    t with
                    {
                        Columns = t
                            .Columns.Select(c =>
                                types.TryGetValue((t.Schema, t.Name, c.Name), out var type) ? c with { Type = type } : c
                            )
                            .ToList(),
                    }
                )
                .ToList(),
        };
        return (planned, converted);
    }

    /// <summary>
    /// Whether the conversion of a drifted key makes a remaining revision fail that would otherwise succeed.
    /// </summary>
    private static bool Breaks(
        UpgradeReport after,
        UpgradeReport before,
        IReadOnlyList<KeyConversion> conversions,
        KeyConversion drifted
    )
    {
        var columns = conversions.FirstOrDefault(c => c.Schema == drifted.Schema && c.Table == drifted.Table)?.Columns
            ?? [];
        return after
            .Findings.Where(f => f.Kind == UpgradeFindingKind.IncompatibleForeignKey && !before.Findings.Contains(f))
            .Any(f =>
                (f.ReferencedSchema == drifted.Schema && f.ReferencedTable == drifted.Table)
                || columns.Contains(f.Object)
            );
    }

    /// <summary>
    /// Why stamping the true revision would be refused: tables or columns the revision and the database disagree on.
    /// </summary>
    private static IEnumerable<string> StampBlockers(
        StaticReplay replay,
        IReadOnlyList<string> revisions,
        QualifiedName versionTable,
        SchemaState live
    )
    {
        var differences = VersionStamp
            .Differences(replay, revisions, versionTable, live)
            .Where(VersionStamp.IsBlocking)
            .ToList();
        if (differences.Count == 0)
        {
            yield break;
        }

        yield return $"the schema is not exactly revision {string.Join(", ", revisions)} "
            + $"({string.Join("; ", differences.Take(5))}{(differences.Count > 5 ? "; …" : string.Empty)}), "
            + "so it cannot be stamped; make the schema match a revision first";
    }

    /// <summary>
    /// Objects the database has beyond its true revision, which real Alembic showed no remaining revision conflicts
    /// with.
    /// </summary>
    private static IEnumerable<string> KeptExtras(RevisionMatch best) =>
        best.Score >= 1
            ? []
            :
            [
                $"the schema has more than revision {best.Revision} defines ({best.Explanation}); real Alembic "
                    + "upgraded a copy with them, so the recovery keeps them and their rows",
            ];

    /// <summary>
    /// Columns that differ in type from the true revision and that no conversion changes, those kept on purpose left
    /// out.
    /// </summary>
    private static IEnumerable<string> RemainingDrift(
        RevisionMatch best,
        IReadOnlyList<KeyConversion> conversions,
        IReadOnlySet<string> kept,
        IReadOnlyDictionary<(string, string, string), string> resolved
    ) =>
        best
            .TypeMismatches.Where(d =>
                !kept.Contains($"{d.Schema}.{d.Table}.{d.Column}")
                && !conversions.Any(c => c.Columns.Contains($"{d.Schema}.{d.Table}.{d.Column}"))
            )
            .Where(d => !IsResolved(resolved, d))
            .Select(d =>
                $"{d.Schema}.{d.Table}.{d.Column} is {d.Actual} where revision {best.Revision} says {d.Expected}; no "
                + "step of the plan changes it"
            );
}
