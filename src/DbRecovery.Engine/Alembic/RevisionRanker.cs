using DbRecovery.Engine.Alembic.Replay;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Comparison;

namespace DbRecovery.Engine.Alembic;

/// <summary>
/// Ranks every revision of a history (and, with several heads, the set of all heads) by how well its
/// expected schema matches a live one. Tables and columns decide; type-only drift is reported apart,
/// so uuid-against-varchar(36) ids never derail the answer. Revisions whose expected schemas are
/// identical are reported together as equally likely.
/// </summary>
public static class RevisionRanker
{
    private const int ListedNames = 5;

    /// <summary>Ranks every revision by its statically replayed schema; details (names, explanations) are filled for the first <paramref name="top"/>.</summary>
    public static IReadOnlyList<RevisionMatch> Rank(StaticReplay replay, SchemaState actual, int top)
    {
        ArgumentNullException.ThrowIfNull(replay);
        return Rank(replay.History, revisions => replay.Expected(revisions), actual, top);
    }

    /// <summary>
    /// Ranks every revision by the schema real Alembic produced for it in <paramref name="exact"/>, falling
    /// back to the static replay for revisions missing there (those whose upgrade failed, and beyond).
    /// </summary>
    public static IReadOnlyList<RevisionMatch> Rank(StaticReplay replay, IReadOnlyDictionary<string, SchemaState> exact, SchemaState actual, int top)
    {
        ArgumentNullException.ThrowIfNull(replay);
        ArgumentNullException.ThrowIfNull(exact);
        return Rank(replay.History, revisions => revisions.Count == 1 && exact.TryGetValue(revisions[0], out var state)
            ? ExpectedSchema.From(revisions, state)
            : replay.Expected(revisions), actual, top);
    }

    private static List<RevisionMatch> Rank(AlembicHistory history, Func<IReadOnlyList<string>, ExpectedSchema> expectedOf, SchemaState actual, int top)
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
            Score(candidate, live, scores);
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
        var headTables = candidates.Where(c => c.Expected.Revisions.All(r => history.Resolve(r).IsHead))
            .SelectMany(c => c.Expected.Tables.Keys).ToHashSet();
        return ranked.Take(Math.Max(1, top)).Select((candidate, index) =>
        {
            var equal = ranked.Where(other => other != candidate && other.Score == candidate.Score && SameSchema(candidate.Expected, other.Expected))
                .Select(other => other.Name).ToList();
            return Describe(candidate, index + 1, live, scores, equal, stamped, headTables, history);
        }).ToList();
    }

    private static void Score(Candidate candidate, Dictionary<(string, string), TableState> live, Dictionary<TableState, TableScore> scores)
    {
        var shared = 0;
        var matched = 0;
        var union = 0;
        foreach (var (key, table) in candidate.Expected.Tables)
        {
            if (!live.TryGetValue(key, out var actual))
            {
                candidate.MissingCount++;
                continue;
            }

            if (!scores.TryGetValue(table, out var score))
            {
                scores[table] = score = TableScore.Of(table, actual);
            }

            shared++;
            matched += score.Matched;
            union += score.Union;
            candidate.TypeMismatchCount += score.TypeMismatches.Count;
        }

        var extra = live.Count - shared;
        candidate.Score = (double)(shared + matched) / Math.Max(1, candidate.Expected.Tables.Count + extra + union);
    }

    private static RevisionMatch Describe(
        Candidate candidate,
        int rank,
        Dictionary<(string, string), TableState> live,
        Dictionary<TableState, TableScore> scores,
        List<string> equallyLikely,
        List<string> stamped,
        HashSet<(string, string)> headTables,
        AlembicHistory history)
    {
        var expected = candidate.Expected.Tables.Keys.ToHashSet();
        var missing = expected.Where(k => !live.ContainsKey(k)).Select(Display).Order(StringComparer.Ordinal).ToList();
        var extra = live.Keys.Where(k => !expected.Contains(k)).Select(Display).Order(StringComparer.Ordinal).ToList();
        var shared = candidate.Expected.Tables.Where(t => live.ContainsKey(t.Key)).Select(t => scores[t.Value]).ToList();
        var later = headTables.Where(k => !expected.Contains(k)).ToList();
        var laterAbsent = later.Where(k => !live.ContainsKey(k)).Select(Display).Order(StringComparer.Ordinal).ToList();
        var isStamped = candidate.Expected.Revisions.Order(StringComparer.Ordinal).SequenceEqual(stamped);
        var typeMismatches = shared.SelectMany(s => s.TypeMismatches).ToList();
        var match = new RevisionMatch
        {
            Rank = rank,
            Revision = candidate.Name,
            Revisions = candidate.Expected.Revisions,
            Score = Math.Round(candidate.Score, 4),
            IsStamped = isStamped,
            Missing = missing,
            Extra = extra,
            ColumnDifferences = shared.SelectMany(s => s.ColumnDifferences).ToList(),
            TypeMismatches = typeMismatches,
            EquallyLikely = equallyLikely,
            Message = candidate.Expected.Revisions.Count == 1 ? history.Resolve(candidate.Expected.Revisions[0]).Message : "all heads",
            Explanation = string.Empty,
        };
        return match with { Explanation = Explain(match, expected.Count, later.Count, laterAbsent, stamped) };
    }

    private static string Explain(RevisionMatch match, int expectedCount, int laterCount, List<string> laterAbsent, List<string> stamped)
    {
        var says = stamped.Count == 0 ? "alembic_version is empty" : $"alembic_version says {string.Join(", ", stamped)}";
        var exact = match.Missing.Count == 0 && match.Extra.Count == 0 && match.ColumnDifferences.Count == 0;
        var text = match.Rank == 1 && !match.IsStamped
            ? $"{says}, but the schema {(exact ? "matches" : "comes closest to")} {match.Revision}: "
            : $"{match.Revision}: ";
        text += match.Missing.Count == 0
            ? $"all {expectedCount} tables it defines exist"
            : $"{expectedCount - match.Missing.Count} of the {expectedCount} tables it defines exist (missing: {List(match.Missing)})";
        if (laterCount > 0)
        {
            text += laterAbsent.Count == laterCount
                ? $" and none of the {laterCount} tables added after it ({List(laterAbsent)}) do"
                : $"; {laterCount - laterAbsent.Count} of the {laterCount} tables added after it exist too";
        }

        if (match.Extra.Count > 0)
        {
            text += $"; the database has {match.Extra.Count} tables it does not define ({List(match.Extra)})";
        }

        if (match.ColumnDifferences.Count > 0)
        {
            text += $"; {match.ColumnDifferences.Count} columns or indexes are missing or extra ({List(match.ColumnDifferences.Select(d => $"{d.Table}.{d.Column ?? d.Name}").ToList())})";
        }

        text += ".";
        if (match.TypeMismatches.Count > 0)
        {
            text += $" {match.TypeMismatches.Count} columns differ only in type ({List(match.TypeMismatches.Select(d => $"{d.Table}.{d.Column} is {d.Actual}, expected {d.Expected}").ToList())}).";
        }

        if (match.EquallyLikely.Count > 0)
        {
            text += $" {string.Join(", ", match.EquallyLikely)} define the same schema, so they are equally likely.";
        }

        return text;
    }

    private static string List(IReadOnlyList<string> names) =>
        names.Count <= ListedNames ? string.Join(", ", names) : string.Join(", ", names.Take(ListedNames)) + ", …";

    private static string Display((string Schema, string Name) key) => key.Schema == "public" ? key.Name : $"{key.Schema}.{key.Name}";

    private static bool SameSchema(ExpectedSchema left, ExpectedSchema right) =>
        left.Tables.Count == right.Tables.Count
        && left.Tables.All(t => right.Tables.TryGetValue(t.Key, out var other) && (ReferenceEquals(t.Value, other) || SameTable(t.Value, other)));

    private static bool SameTable(TableState left, TableState right) =>
        left.Columns.Select(c => (c.Name, PostgresTypeName.Normalize(c.Type), c.IsNullable)).SequenceEqual(right.Columns.Select(c => (c.Name, PostgresTypeName.Normalize(c.Type), c.IsNullable)))
        && left.Indexes.Select(i => i.Name).Order(StringComparer.Ordinal).SequenceEqual(right.Indexes.Select(i => i.Name).Order(StringComparer.Ordinal));

    private sealed class Candidate(ExpectedSchema expected)
    {
        public ExpectedSchema Expected { get; } = expected;

        public string Name => string.Join(",", Expected.Revisions);

        public double Score { get; set; }

        public int MissingCount { get; set; }

        public int TypeMismatchCount { get; set; }
    }

    /// <summary>How one expected table matches its live counterpart: columns by name (types apart) and indexes by name.</summary>
    private sealed record TableScore(int Matched, int Union, IReadOnlyList<SchemaDifference> ColumnDifferences, IReadOnlyList<SchemaDifference> TypeMismatches)
    {
        public static TableScore Of(TableState expected, TableState actual)
        {
            var differences = new List<SchemaDifference>();
            var types = new List<SchemaDifference>();
            var matched = 0;
            foreach (var column in expected.Columns)
            {
                var other = actual.FindColumn(column.Name);
                if (other is null)
                {
                    differences.Add(new SchemaDifference { Kind = DifferenceKind.MissingColumn, Schema = actual.Schema, Table = actual.Name, Column = column.Name, Expected = column.Type });
                    continue;
                }

                matched++;
                if (!PostgresTypeName.AreEqual(column.Type, other.Type))
                {
                    types.Add(new SchemaDifference { Kind = DifferenceKind.TypeMismatch, Schema = actual.Schema, Table = actual.Name, Column = column.Name, Expected = PostgresTypeName.Normalize(column.Type), Actual = other.Type });
                }
            }

            differences.AddRange(actual.Columns.Where(c => expected.FindColumn(c.Name) is null)
                .Select(c => new SchemaDifference { Kind = DifferenceKind.ExtraColumn, Schema = actual.Schema, Table = actual.Name, Column = c.Name, Actual = c.Type }));
            var expectedIndexes = expected.Indexes.Where(i => !i.IsPrimary).Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
            var actualIndexes = actual.Indexes.Where(i => !i.IsPrimary).Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
            var sharedIndexes = expectedIndexes.Count(actualIndexes.Contains);
            differences.AddRange(expectedIndexes.Where(i => !actualIndexes.Contains(i)).Order(StringComparer.Ordinal)
                .Select(i => new SchemaDifference { Kind = DifferenceKind.MissingIndex, Schema = actual.Schema, Table = actual.Name, Name = i }));
            differences.AddRange(actualIndexes.Where(i => !expectedIndexes.Contains(i)).Order(StringComparer.Ordinal)
                .Select(i => new SchemaDifference { Kind = DifferenceKind.ExtraIndex, Schema = actual.Schema, Table = actual.Name, Name = i }));
            return new TableScore(matched + sharedIndexes, matched + sharedIndexes + differences.Count, differences, types);
        }
    }
}
