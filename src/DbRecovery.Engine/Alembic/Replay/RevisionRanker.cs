using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Comparison;

namespace DbRecovery.Engine.Alembic.Replay;

/// <summary>
/// Ranks every revision of a history (and, with several heads, the set of all heads) by how well its
/// expected schema matches a live one. Tables and columns decide; type-only drift is reported apart,
/// so uuid-against-varchar(36) ids never derail the answer. Revisions whose expected schemas are
/// identical are reported together as equally likely.
/// </summary>
public static class RevisionRanker
{
    private const int ListedNames = 5;

    /// <summary>What an object both schemas have, but differently, counts for.</summary>
    private const double Partial = 0.5;

    /// <summary>
    /// Ranks every revision by its statically replayed schema; details (names, explanations) are filled for the first
    /// <paramref name="top"/>.
    /// </summary>
    public static IReadOnlyList<RevisionMatch> Rank(StaticReplay replay, SchemaState actual, int top)
    {
        ArgumentNullException.ThrowIfNull(replay);
        return Rank(replay.History, revisions => replay.Expected(revisions), actual, top);
    }

    /// <summary>
    /// Ranks every revision by the schema real Alembic produced for it in <paramref name="exact"/>, falling
    /// back to the static replay for revisions missing there (those whose upgrade failed, and beyond).
    /// </summary>
    public static IReadOnlyList<RevisionMatch> Rank(
        StaticReplay replay,
        IReadOnlyDictionary<string, SchemaState> exact,
        SchemaState actual,
        int top
    )
    {
        ArgumentNullException.ThrowIfNull(replay);
        ArgumentNullException.ThrowIfNull(exact);
        return Rank(
            replay.History,
            revisions =>
                revisions.Count == 1 && exact.TryGetValue(revisions[0], out var state)
                    ? ExpectedSchema.From(revisions, state)
                    : replay.Expected(revisions),
            actual,
            top
        );
    }

    private static List<RevisionMatch> Rank(
        AlembicHistory history,
        Func<IReadOnlyList<string>, ExpectedSchema> expectedOf,
        SchemaState actual,
        int top
    )
    {
        ArgumentNullException.ThrowIfNull(actual);
        var versionTable = Sql.QualifiedName.Parse(actual.VersionTable).Name;
        var live = actual.Tables.Where(t => t.Name != versionTable).ToDictionary(t => (t.Schema, t.Name));
        var scores = new Dictionary<TableState, TableScore>(ReferenceEqualityComparer.Instance);
        var candidates = history.Revisions.Select(r => new Candidate(expectedOf([r.Revision]))).ToList();
        if (history.Heads.Count > 1)
        {
            candidates.Add(new Candidate(expectedOf(history.Heads)));
        }

        foreach (var candidate in candidates)
        {
            Score(candidate, live, actual.Enums, scores);
        }

        var ranked = candidates
            .Select((c, i) => (Candidate: c, Order: i))
            .OrderByDescending(x => x.Candidate.Score)
            .ThenBy(x => x.Candidate.TypeMismatchCount)
            .ThenBy(x => x.Candidate.MissingCount)
            .ThenByDescending(x => x.Order)
            .Select(x => x.Candidate)
            .ToList();
        var stamped = actual.AlembicVersion.Order(StringComparer.Ordinal).ToList();
        var headTables = candidates
            .Where(c => c.Expected.Revisions.All(r => history.Resolve(r).IsHead))
            .SelectMany(c => c.Expected.Tables.Keys)
            .ToHashSet();
        return ranked
            .Take(Math.Max(1, top))
            .Select(
                (candidate, index) =>
                {
                    var equal = ranked
                        .Where(other =>
                            other != candidate
                            && other.Score == candidate.Score
                            && SameSchema(candidate.Expected, other.Expected)
                        )
                        .Select(other => other.Name)
                        .ToList();
                    return Describe(
                        candidate,
                        index + 1,
                        live,
                        scores,
                        actual.Enums,
                        equal,
                        stamped,
                        headTables,
                        history
                    );
                }
            )
            .ToList();
    }

    private static void Score(
        Candidate candidate,
        Dictionary<(string, string), TableState> live,
        IReadOnlyList<EnumTypeState> liveEnums,
        Dictionary<TableState, TableScore> scores
    )
    {
        var shared = 0;
        var matched = 0.0;
        var union = 0;
        var mayBeAbsent = 0;
        foreach (var (key, table) in candidate.Expected.Tables)
        {
            if (!live.TryGetValue(key, out var actual))
            {
                if (candidate.Expected.UnknownOf(key).HasFlag(UnknownParts.Existence))
                {
                    mayBeAbsent++;
                }
                else
                {
                    candidate.MissingCount++;
                }

                continue;
            }

            var score = ScoreOf(table, actual, candidate.Expected.UnknownOf(key), scores);

            shared++;
            matched += score.Matched;
            union += score.Union;
            candidate.TypeMismatchCount += score.TypeMismatches.Count;
        }

        var enums = EnumScore(candidate.Expected.Enums, liveEnums);
        var extra = live.Count - shared;
        var expected = candidate.Expected.Tables.Count - mayBeAbsent;
        candidate.Score = (shared + matched + enums.Matched) / Math.Max(1, expected + extra + union + enums.Union);
    }

    // The parts of a table the replay cannot know match the live ones whole. A table object is shared by the revisions
    // that did not touch it, but what is unknown about it may differ between them: those scores are not kept.
    private static TableScore ScoreOf(
        TableState expected,
        TableState actual,
        UnknownParts unknown,
        Dictionary<TableState, TableScore> scores
    )
    {
        if (unknown != UnknownParts.None)
        {
            return TableScore.Of(expected, actual, unknown);
        }

        if (!scores.TryGetValue(expected, out var score))
        {
            scores[expected] = score = TableScore.Of(expected, actual, unknown);
        }

        return score;
    }

    /// <summary>Enum types by name: the same labels in the same order count whole, other labels half.</summary>
    private static (double Matched, int Union) EnumScore(
        IReadOnlyList<EnumTypeState> expected,
        IReadOnlyList<EnumTypeState> actual
    )
    {
        var live = actual.ToDictionary(e => (e.Schema, e.Name));
        var matched = expected.Sum(e =>
            !live.TryGetValue((e.Schema, e.Name), out var other) ? 0
            : e.Labels.SequenceEqual(other.Labels, StringComparer.Ordinal) ? 1
            : Partial
        );
        var union = expected.Count + live.Keys.Count(k => !expected.Any(e => (e.Schema, e.Name) == k));
        return (matched, union);
    }

    private static RevisionMatch Describe(
        Candidate candidate,
        int rank,
        Dictionary<(string, string), TableState> live,
        Dictionary<TableState, TableScore> scores,
        IReadOnlyList<EnumTypeState> liveEnums,
        List<string> equallyLikely,
        List<string> stamped,
        HashSet<(string, string)> headTables,
        AlembicHistory history
    )
    {
        var expected = candidate.Expected.Tables.Keys.ToHashSet();
        var missing = expected
            .Where(k => !live.ContainsKey(k) && !candidate.Expected.UnknownOf(k).HasFlag(UnknownParts.Existence))
            .Select(Display)
            .Order(StringComparer.Ordinal)
            .ToList();
        var extra = live.Keys.Where(k => !expected.Contains(k)).Select(Display).Order(StringComparer.Ordinal).ToList();
        var shared = candidate
            .Expected.Tables.Where(t => live.ContainsKey(t.Key))
            .Select(t => ScoreOf(t.Value, live[t.Key], candidate.Expected.UnknownOf(t.Key), scores))
            .ToList();
        var later = headTables.Where(k => !expected.Contains(k)).ToList();
        var laterAbsent = later.Where(k => !live.ContainsKey(k)).Select(Display).Order(StringComparer.Ordinal).ToList();
        var isStamped = candidate.Expected.Revisions.Order(StringComparer.Ordinal).SequenceEqual(stamped);
        var typeMismatches = shared.SelectMany(s => s.TypeMismatches).ToList();
        var enumDifferences = SchemaComparer.Compare(
            candidate.Expected.ToState(candidate.Name) with
            {
                Tables = [],
            },
            new SchemaState
            {
                Database = string.Empty,
                ServerVersion = string.Empty,
                Enums = liveEnums,
            }
        );
        var match = new RevisionMatch
        {
            Rank = rank,
            Revision = candidate.Name,
            Revisions = candidate.Expected.Revisions,
            Score = Math.Round(candidate.Score, 4),
            IsStamped = isStamped,
            Missing = missing,
            Extra = extra,
            ColumnDifferences = shared.SelectMany(s => s.ColumnDifferences).Concat(enumDifferences).ToList(),
            TypeMismatches = typeMismatches,
            EquallyLikely = equallyLikely,
            Message =
                candidate.Expected.Revisions.Count == 1
                    ? history.Resolve(candidate.Expected.Revisions[0]).Message
                    : "all heads",
            Explanation = string.Empty,
        };
        return match with { Explanation = Explain(match, expected.Count, later.Count, laterAbsent, stamped) };
    }

    private static string Explain(
        RevisionMatch match,
        int expectedCount,
        int laterCount,
        List<string> laterAbsent,
        List<string> stamped
    )
    {
        var says =
            stamped.Count == 0 ? "alembic_version is empty" : $"alembic_version says {string.Join(", ", stamped)}";
        var exact =
            match.Missing.Count == 0
            && match.Extra.Count == 0
            && match.ColumnDifferences.Count == 0
            && match.TypeMismatches.Count == 0;
        var text =
            match.Rank == 1 && !match.IsStamped
                ? $"{says}, but the schema {(exact ? "matches" : "comes closest to")} {match.Revision}: "
                : $"{match.Revision}: ";
        text +=
            match.Missing.Count == 0
                ? $"all {expectedCount} tables it defines exist"
                : $"{expectedCount - match.Missing.Count} of the {expectedCount} tables it defines exist (missing: "
                    + $"{List(match.Missing)})";
        if (laterCount > 0)
        {
            text +=
                laterAbsent.Count == laterCount
                    ? $" and none of the {laterCount} tables added after it ({List(laterAbsent)}) do"
                    : $"; {laterCount - laterAbsent.Count} of the {laterCount} tables added after it exist too";
        }

        if (match.Extra.Count > 0)
        {
            text += $"; the database has {match.Extra.Count} tables it does not define ({List(match.Extra)})";
        }

        if (match.ColumnDifferences.Count > 0)
        {
            var differ =
                match.ColumnDifferences.Count == 1
                    ? "column, key, index or type differs"
                    : "columns, keys, indexes or types differ";
            text +=
                $"; {match.ColumnDifferences.Count} {differ} "
                + $"({List(match.ColumnDifferences.Select(Describe).ToList())})";
        }

        text += ".";
        if (match.TypeMismatches.Count > 0)
        {
            var mismatches = match.TypeMismatches.Select(d =>
                $"{d.Table}.{d.Column} is {d.Actual}, expected {d.Expected}"
            );
            text +=
                $" {match.TypeMismatches.Count} "
                + (match.TypeMismatches.Count == 1 ? "column differs" : "columns differ")
                + $" only in type ({List(mismatches.ToList())}).";
        }

        if (match.EquallyLikely.Count > 0)
        {
            text += $" {string.Join(", ", match.EquallyLikely)} define the same schema, so they are equally likely.";
        }

        return text;
    }

    private static string Describe(SchemaDifference difference) =>
        difference.Kind switch
        {
            DifferenceKind.MissingColumn
            or DifferenceKind.MissingIndex
            or DifferenceKind.MissingForeignKey
            or DifferenceKind.MissingEnum => $"{Where(difference)} missing",
            DifferenceKind.ExtraColumn
            or DifferenceKind.ExtraIndex
            or DifferenceKind.ExtraForeignKey
            or DifferenceKind.ExtraEnum => $"{Where(difference)} extra",
            _ => $"{Where(difference)} is {difference.Actual}, expected {difference.Expected}",
        };

    private static string Where(SchemaDifference difference) =>
        difference.Table.Length == 0
            ? $"type {difference.Name}"
            : $"{difference.Table}.{difference.Column ?? difference.Name ?? "primary key"}";

    private static string List(IReadOnlyList<string> names) =>
        names.Count <= ListedNames ? string.Join(", ", names) : string.Join(", ", names.Take(ListedNames)) + ", …";

    private static string Display((string Schema, string Name) key) =>
        key.Schema == "public" ? key.Name : $"{key.Schema}.{key.Name}";

    /// <summary>Identical by every measure the comparison has (but what either cannot know), so a live schema cannot
    /// tell them apart.</summary>
    private static bool SameSchema(ExpectedSchema left, ExpectedSchema right) =>
        Covers(left, right)
        && Covers(right, left)
        && SchemaComparer
            .Compare(left.ToState("left") with { Tables = [] }, right.ToState("right") with { Tables = [] })
            .Count == 0;

    // Every table of one is in the other alike (but for what either cannot know), or may not exist at all.
    private static bool Covers(ExpectedSchema one, ExpectedSchema other) =>
        one.Tables.All(t =>
            other.Tables.TryGetValue(t.Key, out var twin)
                ? ReferenceEquals(t.Value, twin)
                    || SchemaComparer
                        .CompareTable(t.Value, twin)
                        .All(d => SchemaComparer.IsUnknown(d, one.UnknownOf(t.Key) | other.UnknownOf(t.Key)))
                : one.UnknownOf(t.Key).HasFlag(UnknownParts.Existence)
        );

    private sealed class Candidate(ExpectedSchema expected)
    {
        public ExpectedSchema Expected { get; } = expected;

        public string Name => string.Join(",", Expected.Revisions);

        public double Score { get; set; }

        public int MissingCount { get; set; }

        public int TypeMismatchCount { get; set; }
    }

    /// <summary>
    /// How one expected table matches its live counterpart, object by object (columns, the primary key,
    /// foreign keys by their columns, indexes by name): what both have alike counts whole, what both have
    /// but differently (a column's type, a key's ON DELETE, an index's columns) counts half, what one lacks nothing.
    /// </summary>
    private sealed record TableScore(
        double Matched,
        int Union,
        IReadOnlyList<SchemaDifference> ColumnDifferences,
        IReadOnlyList<SchemaDifference> TypeMismatches
    )
    {
        public static TableScore Of(TableState expected, TableState actual, UnknownParts unknown)
        {
            var differences = SchemaComparer
                .CompareTable(expected, actual)
                .Where(d => !SchemaComparer.IsUnknown(d, unknown))
                .ToList();
            var union =
                1
                + expected
                    .Columns.Select(c => c.Name)
                    .Union(actual.Columns.Select(c => c.Name), StringComparer.Ordinal)
                    .Count()
                + expected
                    .ForeignKeys.Select(ForeignKeyColumns)
                    .Union(actual.ForeignKeys.Select(ForeignKeyColumns), StringComparer.Ordinal)
                    .Count()
                + expected
                    .Indexes.Where(i => !i.IsPrimary)
                    .Select(i => i.Name)
                    .Union(actual.Indexes.Where(i => !i.IsPrimary).Select(i => i.Name), StringComparer.Ordinal)
                    .Count();
            var lost = differences
                .GroupBy(d =>
                    (
                        d.Kind is DifferenceKind.TypeMismatch or DifferenceKind.NullabilityMismatch
                            ? "column"
                            : d.Kind.ToString(),
                        d.Column,
                        d.Name
                    )
                )
                .Sum(g =>
                    g.First().Kind
                        is DifferenceKind.MissingColumn
                            or DifferenceKind.ExtraColumn
                            or DifferenceKind.MissingForeignKey
                            or DifferenceKind.ExtraForeignKey
                            or DifferenceKind.MissingIndex
                            or DifferenceKind.ExtraIndex
                        ? 1
                        : Partial
                );
            return new TableScore(
                union - lost,
                union,
                differences.Where(d => d.Kind != DifferenceKind.TypeMismatch).ToList(),
                differences.Where(d => d.Kind == DifferenceKind.TypeMismatch).ToList()
            );
        }

        private static string ForeignKeyColumns(ForeignKeyState foreignKey) => string.Join(",", foreignKey.Columns);
    }
}
