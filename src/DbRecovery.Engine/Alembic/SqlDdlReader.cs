using System.Text;
using DbRecovery.Engine.Alembic.Operations;
using DbRecovery.Engine.Catalog;

namespace DbRecovery.Engine.Alembic;

/// <summary>
/// Recognises the common DDL forms in <c>op.execute</c> SQL well enough to replay them: CREATE TABLE with
/// inline and table constraints, ALTER TABLE … ADD/DROP/RENAME COLUMN, ALTER COLUMN … TYPE/[DROP|SET] NOT
/// NULL, ADD/DROP CONSTRAINT, RENAME TO, CREATE [UNIQUE] INDEX, DROP TABLE, DROP INDEX, CREATE/ALTER/DROP
/// TYPE of enums; CREATE SCHEMA, COMMENT and GRANT change nothing modelled. Anything else is reported as opaque.
/// </summary>
internal static class SqlDdlReader
{
    private static readonly HashSet<string> ColumnConstraintWords =
    [
        "NOT",
        "NULL",
        "DEFAULT",
        "PRIMARY",
        "REFERENCES",
        "UNIQUE",
        "CHECK",
        "CONSTRAINT",
        "GENERATED",
        "COLLATE",
        "USING",
    ];

    public static (List<MigrationOperation> Operations, bool HasOpaqueParts) Read(string sql)
    {
        var operations = new List<MigrationOperation>();
        var opaque = false;
        foreach (var statement in Statements(Tokenize(sql)))
        {
            List<MigrationOperation>? recognized;
            try
            {
                recognized = Statement(new SqlCursor(statement));
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException)
            {
                recognized = null;
            }

            opaque |= recognized is null;
            operations.AddRange(recognized ?? []);
        }

        return (operations, opaque);
    }

    private static List<MigrationOperation>? Statement(SqlCursor s)
    {
        if (s.Accept("CREATE", "TABLE"))
        {
            s.Accept("IF", "NOT", "EXISTS");
            return [CreateTable(s)];
        }

        if (s.Accept("ALTER", "TABLE"))
        {
            s.Accept("IF", "EXISTS");
            s.Accept("ONLY");
            return AlterTable(s);
        }

        var unique = s.Accept("CREATE", "UNIQUE", "INDEX");
        if (unique || s.Accept("CREATE", "INDEX"))
        {
            return [CreateIndex(s, unique)];
        }

        if (s.Accept("DROP", "TABLE"))
        {
            s.Accept("IF", "EXISTS");
            var tables = new List<MigrationOperation>();
            do
            {
                var (schema, table) = s.QualifiedName();
                tables.Add(new DropTableOperation { Schema = schema, Table = table });
            } while (s.Accept(","));
            return tables;
        }

        if (s.Accept("DROP", "INDEX"))
        {
            s.Accept("CONCURRENTLY");
            s.Accept("IF", "EXISTS");
            var (schema, name) = s.QualifiedName();
            return
            [
                new DropIndexOperation
                {
                    Name = name,
                    Schema = schema,
                    Table = null,
                },
            ];
        }

        if (s.Accept("CREATE", "TYPE"))
        {
            var (schema, name) = s.QualifiedName();
            s.Expect("AS");
            s.Expect("ENUM");
            return
            [
                new CreateEnumOperation
                {
                    Schema = schema,
                    Enum = new EnumDefinition
                    {
                        Name = name,
                        Schema = schema,
                        Labels = s.ParenthesizedElements().Select(e => new SqlCursor(e).String()).ToList(),
                    },
                },
            ];
        }

        if (s.Accept("ALTER", "TYPE"))
        {
            return [AlterType(s)];
        }

        if (s.Accept("DROP", "TYPE"))
        {
            s.Accept("IF", "EXISTS");
            var (schema, name) = s.QualifiedName();
            return [new DropEnumOperation { Schema = schema, Name = name }];
        }

        // Schemas, comments and grants change nothing the replay models.
        return s.Accept("CREATE", "SCHEMA") || s.Accept("COMMENT", "ON") || s.Accept("GRANT") || s.Accept("REVOKE")
            ? []
            : null;
    }

    private static CreateIndexOperation CreateIndex(SqlCursor s, bool unique)
    {
        s.Accept("CONCURRENTLY");
        s.Accept("IF", "NOT", "EXISTS");
        var name = s.Identifier();
        s.Expect("ON");
        s.Accept("ONLY");
        var (schema, table) = s.QualifiedName();
        var method = s.Accept("USING") ? s.Identifier() : "btree";
        var columns = s.ParenthesizedElements().Select(IndexColumn).ToList();
        if (s.Accept("INCLUDE"))
        {
            s.ParenthesizedElements();
        }

        string? predicate = null;
        if (s.Accept("WHERE"))
        {
            predicate = string.Join(' ', s.Remaining());
        }

        return new CreateIndexOperation
        {
            Schema = schema,
            Table = table,
            Index = new IndexDefinition
            {
                Name = name,
                Unique = unique,
                Method = method,
                Columns = columns,
                Predicate = predicate,
            },
        };
    }

    private static MigrationOperation AlterType(SqlCursor s)
    {
        var (schema, name) = s.QualifiedName();
        if (s.Accept("RENAME", "TO"))
        {
            return new RenameEnumOperation
            {
                Schema = schema,
                Name = name,
                NewName = s.Identifier(),
            };
        }

        if (s.Accept("RENAME", "VALUE"))
        {
            var from = s.String();
            s.Expect("TO");
            return new AlterEnumOperation
            {
                Schema = schema,
                Name = name,
                RenamedFrom = from,
                Label = s.String(),
            };
        }

        s.Expect("ADD");
        s.Expect("VALUE");
        s.Accept("IF", "NOT", "EXISTS");
        var label = s.String();
        var before = s.Accept("BEFORE");
        var neighbour = before || s.Accept("AFTER") ? s.String() : null;
        return new AlterEnumOperation
        {
            Schema = schema,
            Name = name,
            Label = label,
            Neighbour = neighbour,
            Before = before,
        };
    }

    private static CreateTableOperation CreateTable(SqlCursor s)
    {
        var (schema, table) = s.QualifiedName();
        var columns = new List<ColumnDefinition>();
        var primaryKey = new List<string>();
        string? primaryKeyName = null;
        var uniques = new List<UniqueDefinition>();
        var foreignKeys = new List<ForeignKeyDefinition>();
        foreach (var element in s.ParenthesizedElements())
        {
            var e = new SqlCursor(element);
            var constraintName = e.Accept("CONSTRAINT") ? e.Identifier() : null;
            if (e.Accept("PRIMARY", "KEY"))
            {
                primaryKey.AddRange(e.ParenthesizedList());
                primaryKeyName = constraintName;
            }
            else if (e.Accept("UNIQUE"))
            {
                uniques.Add(new UniqueDefinition { Name = constraintName, Columns = e.ParenthesizedList() });
            }
            else if (e.Accept("FOREIGN", "KEY"))
            {
                var local = e.ParenthesizedList();
                foreignKeys.Add(References(e, constraintName, local));
            }
            else if (!e.Peek("CHECK") && !e.Peek("EXCLUDE"))
            {
                var column = ColumnDefinition(e);
                columns.Add(column);
                if (column.PrimaryKey)
                {
                    primaryKey.Add(column.Name);
                }
            }
        }

        return new CreateTableOperation
        {
            Schema = schema,
            Table = table,
            Columns = columns
                .Select(c => primaryKey.Contains(c.Name) ? c with { PrimaryKey = true, Nullable = false } : c)
                .ToList(),
            PrimaryKey = primaryKey,
            PrimaryKeyName = primaryKeyName,
            Uniques = uniques,
            ForeignKeys = foreignKeys,
        };
    }

    /// <summary>
    /// <c>REFERENCES table [(columns)] [MATCH …] [ON DELETE …] [ON UPDATE …] [DEFERRABLE] [INITIALLY …]</c>.
    /// </summary>
    private static ForeignKeyDefinition References(SqlCursor s, string? name, IReadOnlyList<string> columns)
    {
        s.Expect("REFERENCES");
        var (schema, table) = s.QualifiedName();
        var definition = new ForeignKeyDefinition
        {
            Name = name,
            Columns = columns,
            ReferencedSchema = schema,
            ReferencedTable = table,
            ReferencedColumns = s.Peek("(") ? s.ParenthesizedList() : [],
        };
        while (!s.AtEnd)
        {
            if (s.Accept("ON", "DELETE"))
            {
                definition = definition with { OnDelete = Action(s) };
            }
            else if (s.Accept("ON", "UPDATE"))
            {
                definition = definition with { OnUpdate = Action(s) };
            }
            else if (s.Accept("MATCH"))
            {
                definition = definition with { Match = s.Identifier().ToUpperInvariant() };
            }
            else if (s.Accept("NOT", "DEFERRABLE"))
            {
                definition = definition with { Deferrable = false };
            }
            else if (s.Accept("DEFERRABLE"))
            {
                definition = definition with { Deferrable = true };
            }
            else if (s.Accept("INITIALLY"))
            {
                definition = definition with { InitiallyDeferred = s.Identifier() == "deferred" };
            }
            else
            {
                break;
            }
        }

        return definition;
    }

    private static string Action(SqlCursor s) =>
        s.Accept("NO", "ACTION") ? "NO ACTION"
        : s.Accept("SET", "NULL") ? "SET NULL"
        : s.Accept("SET", "DEFAULT") ? "SET DEFAULT"
        : s.Identifier().ToUpperInvariant();

    private static List<MigrationOperation>? AlterTable(SqlCursor s)
    {
        var (schema, table) = s.QualifiedName();
        if (s.Accept("RENAME", "TO"))
        {
            return
            [
                new RenameTableOperation
                {
                    Schema = schema,
                    Table = table,
                    NewName = s.Identifier(),
                },
            ];
        }

        var operations = new List<MigrationOperation>();
        foreach (var action in s.SplitRemainder())
        {
            var operation = AlterAction(new SqlCursor(action));
            if (operation is null)
            {
                return null;
            }

            operations.Add(operation with { Schema = schema, Table = table });
        }

        return operations;
    }

    private static MigrationOperation? AlterAction(SqlCursor a)
    {
        if (a.Accept("ADD"))
        {
            var name = a.Accept("CONSTRAINT") ? a.Identifier() : null;
            if (a.Accept("FOREIGN", "KEY"))
            {
                var local = a.ParenthesizedList();
                return new CreateForeignKeyOperation { ForeignKey = References(a, name, local) };
            }

            if (a.Accept("UNIQUE"))
            {
                return new CreateUniqueConstraintOperation
                {
                    Unique = new UniqueDefinition { Name = name, Columns = a.ParenthesizedList() },
                };
            }

            if (a.Accept("PRIMARY", "KEY"))
            {
                return new CreatePrimaryKeyOperation { Name = name, Columns = a.ParenthesizedList() };
            }

            if (a.Peek("CHECK"))
            {
                return new ExecuteOperation();
            }

            if (name is not null)
            {
                return null;
            }

            a.Accept("COLUMN");
            a.Accept("IF", "NOT", "EXISTS");
            return new AddColumnOperation { Column = ColumnDefinition(a) };
        }

        if (a.Accept("DROP", "CONSTRAINT"))
        {
            a.Accept("IF", "EXISTS");
            return new DropConstraintOperation { Name = a.Identifier() };
        }

        if (a.Accept("DROP", "COLUMN") || a.Accept("DROP"))
        {
            a.Accept("IF", "EXISTS");
            return new DropColumnOperation { Column = a.Identifier() };
        }

        if (a.Accept("RENAME", "COLUMN") || a.Accept("RENAME"))
        {
            var column = a.Identifier();
            a.Expect("TO");
            return new AlterColumnOperation { Column = column, NewName = a.Identifier() };
        }

        if (a.Accept("ALTER", "COLUMN") || a.Accept("ALTER"))
        {
            var column = a.Identifier();
            if (a.Accept("SET", "DATA", "TYPE") || a.Accept("TYPE"))
            {
                var type = PostgresTypeName.Normalize(a.TypeName(ColumnConstraintWords));
                return new AlterColumnOperation
                {
                    Column = column,
                    NewType = type,
                    HasUsing = a.Accept("USING"),
                };
            }

            if (a.Accept("SET", "NOT", "NULL"))
            {
                return new AlterColumnOperation { Column = column, Nullable = false };
            }

            if (a.Accept("DROP", "NOT", "NULL"))
            {
                return new AlterColumnOperation { Column = column, Nullable = true };
            }

            if (a.Accept("SET", "DEFAULT") || a.Accept("DROP", "DEFAULT"))
            {
                return new AlterColumnOperation { Column = column };
            }
        }

        return null;
    }

    /// <summary>A column definition with its inline constraints: NOT NULL, PRIMARY KEY, UNIQUE, REFERENCES.</summary>
    private static ColumnDefinition ColumnDefinition(SqlCursor c)
    {
        var name = c.Identifier();
        var column = new ColumnDefinition
        {
            Name = name,
            Type = PostgresTypeName.Normalize(c.TypeName(ColumnConstraintWords)),
        };
        while (!c.AtEnd)
        {
            c.Accept("CONSTRAINT");
            if (c.Accept("NOT", "NULL"))
            {
                column = column with { Nullable = false };
            }
            else if (c.Accept("NULL"))
            {
                column = column with { Nullable = true };
            }
            else if (c.Accept("PRIMARY", "KEY"))
            {
                column = column with { PrimaryKey = true, Nullable = false };
            }
            else if (c.Accept("UNIQUE"))
            {
                column = column with { Unique = true };
            }
            else if (c.Peek("REFERENCES"))
            {
                column = column with { ForeignKey = References(c, null, [name]) };
            }
            else if (c.Accept("GENERATED"))
            {
                // GENERATED ALWAYS AS (expression) STORED is computed and nullable; GENERATED … AS IDENTITY is NOT
                // NULL.
                var computed = c.Accept("ALWAYS", "AS", "(");
                if (!computed)
                {
                    column = column with { Nullable = false };
                }

                while (
                    !c.AtEnd
                    && !c.Peek("NOT")
                    && !c.Peek("NULL")
                    && !c.Peek("PRIMARY")
                    && !c.Peek("UNIQUE")
                    && !c.Peek("REFERENCES")
                )
                {
                    c.Skip();
                }
            }
            else
            {
                c.Skip();
            }
        }

        return column;
    }

    private static IEnumerable<List<SqlToken>> Statements(List<SqlToken> tokens)
    {
        var current = new List<SqlToken>();
        foreach (var token in tokens)
        {
            if (token.Text == ";" && !token.Quoted)
            {
                if (current.Count > 0)
                {
                    yield return current;
                }

                current = [];
            }
            else
            {
                current.Add(token);
            }
        }

        if (current.Count > 0)
        {
            yield return current;
        }
    }

    /// <summary>
    /// The column an index element names, as pg_index keeps it: <c>created DESC</c>, <c>name gin_trgm_ops</c>,
    /// <c>name COLLATE "C" NULLS FIRST</c> are the column; <c>lower(name)</c> or <c>(a + b)</c> is an expression
    /// (null).
    /// </summary>
    internal static string? IndexColumn(IReadOnlyList<SqlToken> element)
    {
        if (
            element.Count == 0
            || element[0].IsString
            || element[0].Text == "("
            || (element.Count > 1 && element[1].Text is "(" or ".")
        )
        {
            return null;
        }

        // After the column: COLLATE <name>, an operator class, ASC|DESC, NULLS FIRST|LAST; nothing else may follow.
        for (var i = 1; i < element.Count; i++)
        {
            var token = element[i];
            if (token.IsWord("COLLATE") && i + 1 < element.Count)
            {
                i++;
                continue;
            }

            if (
                token.IsString
                || token.Text is "(" or ")"
                || !(token.Quoted || char.IsLetter(token.Text[0]) || token.Text[0] == '_')
            )
            {
                return null;
            }
        }

        return element[0].Quoted ? element[0].Text : element[0].Text.ToLowerInvariant();
    }

    /// <summary>
    /// The column of an index element given as SQL text (<c>sa.text("created DESC")</c>), or null for an expression.
    /// </summary>
    internal static string? IndexColumn(string element) => IndexColumn(Tokenize(element));

    internal static List<SqlToken> Tokenize(string sql)
    {
        var tokens = new List<SqlToken>();
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                while (i < sql.Length && sql[i] != '\n')
                {
                    i++;
                }
            }
            else if (c is '"' or '\'')
            {
                var value = new StringBuilder();
                i++;
                while (i < sql.Length && !(sql[i] == c && (i + 1 >= sql.Length || sql[i + 1] != c)))
                {
                    value.Append(sql[i]);
                    i += sql[i] == c ? 2 : 1;
                }

                i++;
                tokens.Add(new SqlToken(value.ToString(), c == '"', c == '\''));
            }
            else if (char.IsLetterOrDigit(c) || c is '_' or '$')
            {
                var start = i;
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] is '_' or '$'))
                {
                    i++;
                }

                tokens.Add(new SqlToken(sql[start..i], false, false));
            }
            else
            {
                tokens.Add(new SqlToken(c.ToString(), false, false));
                i++;
            }
        }

        return tokens;
    }
}
