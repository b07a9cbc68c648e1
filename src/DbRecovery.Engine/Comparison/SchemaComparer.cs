using DbRecovery.Engine.Catalog;

namespace DbRecovery.Engine.Comparison;

/// <summary>
/// Compares an expected schema with an actual one: tables, columns (types normalised, so
/// <c>varchar(36)</c> equals <c>character varying(36)</c>), nullability, primary keys, foreign keys by
/// their columns (target, actions, MATCH, deferrability), indexes by name (columns, uniqueness, method,
/// partial or not) and enum types by name (labels in order). Defaults, comments and check constraints
/// are not compared. Alembic's version table is never a difference.
/// </summary>
public static class SchemaComparer
{
    /// <summary>Every difference, tables in order, then columns, foreign keys and indexes.</summary>
    public static IReadOnlyList<SchemaDifference> Compare(SchemaState reference, SchemaState difference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(difference);
        var ignored = new HashSet<string>(
            [Unqualified(reference.VersionTable), Unqualified(difference.VersionTable)],
            StringComparer.Ordinal
        );
        var expected = Tables(reference, ignored);
        var actual = Tables(difference, ignored);
        var differences = new List<SchemaDifference>();
        foreach (
            var key in expected
                .Keys.Union(actual.Keys)
                .OrderBy(k => k.Item1, StringComparer.Ordinal)
                .ThenBy(k => k.Item2, StringComparer.Ordinal)
        )
        {
            var (schema, name) = key;
            if (!actual.TryGetValue(key, out var a))
            {
                differences.Add(
                    new SchemaDifference
                    {
                        Kind = DifferenceKind.MissingTable,
                        Schema = schema,
                        Table = name,
                    }
                );
            }
            else if (!expected.TryGetValue(key, out var e))
            {
                differences.Add(
                    new SchemaDifference
                    {
                        Kind = DifferenceKind.ExtraTable,
                        Schema = schema,
                        Table = name,
                    }
                );
            }
            else
            {
                differences.AddRange(CompareTable(e, a));
            }
        }

        CompareEnums(reference, difference, differences);
        if (reference.Unknown.Count == 0)
        {
            return differences;
        }

        // What the reference cannot know is not a difference (the parts of tables the static replay lost track of).
        var unknown = reference.Unknown.ToDictionary(u => (u.Schema, u.Table), u => u.Parts);
        return differences.Where(d => !IsUnknown(d, unknown.GetValueOrDefault((d.Schema, d.Table)))).ToList();
    }

    /// <summary>Whether <paramref name="difference"/> is about a part of its table that is unknown.</summary>
    public static bool IsUnknown(SchemaDifference difference, UnknownParts parts)
    {
        ArgumentNullException.ThrowIfNull(difference);
        var part = difference.Kind switch
        {
            DifferenceKind.MissingTable or DifferenceKind.ExtraTable => UnknownParts.Existence,
            DifferenceKind.MissingColumn
            or DifferenceKind.ExtraColumn
            or DifferenceKind.TypeMismatch
            or DifferenceKind.NullabilityMismatch => UnknownParts.Columns,
            DifferenceKind.MissingForeignKey
            or DifferenceKind.ExtraForeignKey
            or DifferenceKind.ForeignKeyMismatch
            or DifferenceKind.PrimaryKeyMismatch => UnknownParts.Keys,
            DifferenceKind.MissingIndex or DifferenceKind.ExtraIndex or DifferenceKind.IndexMismatch =>
                UnknownParts.Indexes,
            _ => UnknownParts.None,
        };
        return part != UnknownParts.None && (parts & part) == part;
    }

    /// <summary>
    /// The differences between two versions of one table: columns, primary key, foreign keys, indexes.
    /// </summary>
    public static IReadOnlyList<SchemaDifference> CompareTable(TableState expected, TableState actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        var differences = new List<SchemaDifference>();
        CompareColumns(expected, actual, differences);
        ComparePrimaryKeys(expected, actual, differences);
        CompareForeignKeys(expected, actual, differences);
        CompareIndexes(expected, actual, differences);
        return differences;
    }

    private static void ComparePrimaryKeys(TableState expected, TableState actual, List<SchemaDifference> differences)
    {
        static string Key(TableState t) =>
            t.Constraints.FirstOrDefault(c => c.Type == ConstraintType.PrimaryKey) is { } key
                ? $"({string.Join(", ", key.Columns)})"
                : "none";
        if (Key(expected) != Key(actual))
        {
            differences.Add(
                new SchemaDifference
                {
                    Kind = DifferenceKind.PrimaryKeyMismatch,
                    Schema = expected.Schema,
                    Table = expected.Name,
                    Expected = Key(expected),
                    Actual = Key(actual),
                }
            );
        }
    }

    private static void CompareEnums(SchemaState reference, SchemaState difference, List<SchemaDifference> differences)
    {
        static string Labels(EnumTypeState e) => string.Join(", ", e.Labels.Select(l => $"'{l}'"));
        var actual = difference.Enums.ToDictionary(e => (e.Schema, e.Name));
        var expected = reference.Enums.ToDictionary(e => (e.Schema, e.Name));
        foreach (var (key, type) in expected.OrderBy(e => e.Key))
        {
            if (!actual.TryGetValue(key, out var other))
            {
                differences.Add(
                    new SchemaDifference
                    {
                        Kind = DifferenceKind.MissingEnum,
                        Schema = key.Schema,
                        Table = string.Empty,
                        Name = key.Name,
                        Expected = Labels(type),
                    }
                );
            }
            else if (Labels(type) != Labels(other))
            {
                differences.Add(
                    new SchemaDifference
                    {
                        Kind = DifferenceKind.EnumMismatch,
                        Schema = key.Schema,
                        Table = string.Empty,
                        Name = key.Name,
                        Expected = Labels(type),
                        Actual = Labels(other),
                    }
                );
            }
        }

        differences.AddRange(
            actual
                .Where(a => !expected.ContainsKey(a.Key))
                .OrderBy(a => a.Key)
                .Select(a => new SchemaDifference
                {
                    Kind = DifferenceKind.ExtraEnum,
                    Schema = a.Key.Schema,
                    Table = string.Empty,
                    Name = a.Key.Name,
                    Actual = Labels(a.Value),
                })
        );
    }

    private static void CompareColumns(TableState expected, TableState actual, List<SchemaDifference> differences)
    {
        foreach (var column in expected.Columns)
        {
            var other = actual.FindColumn(column.Name);
            if (other is null)
            {
                differences.Add(Difference(DifferenceKind.MissingColumn, expected, column.Name, column.Type, null));
                continue;
            }

            if (!PostgresTypeName.IsUnresolved(column.Type) && !PostgresTypeName.AreEqual(column.Type, other.Type))
            {
                differences.Add(
                    Difference(
                        DifferenceKind.TypeMismatch,
                        expected,
                        column.Name,
                        PostgresTypeName.Normalize(column.Type),
                        PostgresTypeName.Normalize(other.Type)
                    )
                );
            }

            if (column.IsNullable != other.IsNullable)
            {
                differences.Add(
                    Difference(
                        DifferenceKind.NullabilityMismatch,
                        expected,
                        column.Name,
                        Nullability(column),
                        Nullability(other)
                    )
                );
            }
        }

        differences.AddRange(
            actual
                .Columns.Where(c => expected.FindColumn(c.Name) is null)
                .Select(c => Difference(DifferenceKind.ExtraColumn, expected, c.Name, null, c.Type))
        );
    }

    private static void CompareForeignKeys(TableState expected, TableState actual, List<SchemaDifference> differences)
    {
        static string Key(ForeignKeyState f) => string.Join(",", f.Columns);
        static string Target(ForeignKeyState f) =>
            $"{f.ReferencedSchema}.{f.ReferencedTable}({string.Join(", ", f.ReferencedColumns)}) ON DELETE "
            + $"{f.OnDelete.ToSql()} ON UPDATE {f.OnUpdate.ToSql()}"
            + (f.Match == ForeignKeyMatch.Simple ? string.Empty : $" MATCH {f.Match}")
            + (
                f.IsDeferrable
                    ? f.IsInitiallyDeferred
                        ? " DEFERRABLE INITIALLY DEFERRED"
                        : " DEFERRABLE"
                    : string.Empty
            );
        var actualKeys = actual
            .ForeignKeys.GroupBy(Key)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var expectedKeys = expected
            .ForeignKeys.GroupBy(Key)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var (key, fk) in expectedKeys)
        {
            if (!actualKeys.TryGetValue(key, out var other))
            {
                differences.Add(
                    new SchemaDifference
                    {
                        Kind = DifferenceKind.MissingForeignKey,
                        Schema = expected.Schema,
                        Table = expected.Name,
                        Column = key,
                        Name = fk.Name,
                        Expected = Target(fk),
                    }
                );
            }
            else if (Target(fk) != Target(other))
            {
                differences.Add(
                    new SchemaDifference
                    {
                        Kind = DifferenceKind.ForeignKeyMismatch,
                        Schema = expected.Schema,
                        Table = expected.Name,
                        Column = key,
                        Name = other.Name,
                        Expected = Target(fk),
                        Actual = Target(other),
                    }
                );
            }
        }

        differences.AddRange(
            actualKeys
                .Where(k => !expectedKeys.ContainsKey(k.Key))
                .Select(k => new SchemaDifference
                {
                    Kind = DifferenceKind.ExtraForeignKey,
                    Schema = expected.Schema,
                    Table = expected.Name,
                    Column = k.Key,
                    Name = k.Value.Name,
                    Actual = Target(k.Value),
                })
        );
    }

    private static void CompareIndexes(TableState expected, TableState actual, List<SchemaDifference> differences)
    {
        // A static replay knows that a key is an expression, not how PostgreSQL prints it: then only that is compared.
        static string Shape(IndexState i, bool expressions) =>
            (i.IsUnique ? "UNIQUE " : string.Empty)
            + (i.Method == "btree" ? string.Empty : i.Method.ToUpperInvariant() + " ")
            + $"({string.Join(", ", i.Columns.Select(c => c ?? (expressions ? i.Expressions : null) ?? "expression"))})"
            + (i.Predicate is null ? string.Empty : " WHERE …");
        var actualIndexes = actual.Indexes.Where(i => !i.IsPrimary).ToDictionary(i => i.Name, StringComparer.Ordinal);
        var expectedIndexes = expected
            .Indexes.Where(i => !i.IsPrimary)
            .ToDictionary(i => i.Name, StringComparer.Ordinal);
        foreach (var (name, index) in expectedIndexes)
        {
            if (!actualIndexes.TryGetValue(name, out var other))
            {
                differences.Add(
                    new SchemaDifference
                    {
                        Kind = DifferenceKind.MissingIndex,
                        Schema = expected.Schema,
                        Table = expected.Name,
                        Name = name,
                        Expected = Shape(index, true),
                    }
                );
                continue;
            }

            var known = index.Expressions is not null && other.Expressions is not null;
            if (Shape(index, known) != Shape(other, known))
            {
                differences.Add(
                    new SchemaDifference
                    {
                        Kind = DifferenceKind.IndexMismatch,
                        Schema = expected.Schema,
                        Table = expected.Name,
                        Name = name,
                        Expected = Shape(index, known),
                        Actual = Shape(other, true),
                    }
                );
            }
        }

        differences.AddRange(
            actualIndexes
                .Where(i => !expectedIndexes.ContainsKey(i.Key))
                .Select(i => new SchemaDifference
                {
                    Kind = DifferenceKind.ExtraIndex,
                    Schema = expected.Schema,
                    Table = expected.Name,
                    Name = i.Key,
                    Actual = Shape(i.Value, true),
                })
        );
    }

    private static SchemaDifference Difference(
        DifferenceKind kind,
        TableState table,
        string column,
        string? expected,
        string? actual
    ) =>
        new()
        {
            Kind = kind,
            Schema = table.Schema,
            Table = table.Name,
            Column = column,
            Expected = expected,
            Actual = actual,
        };

    private static string Nullability(ColumnState column) => column.IsNullable ? "NULL" : "NOT NULL";

    private static Dictionary<(string, string), TableState> Tables(SchemaState state, HashSet<string> ignored) =>
        state
            .Tables.Where(t => !ignored.Contains(t.Name) && !ignored.Contains($"{t.Schema}.{t.Name}"))
            .ToDictionary(t => (t.Schema, t.Name));

    private static string Unqualified(string table) => Sql.QualifiedName.Parse(table).Name;
}
