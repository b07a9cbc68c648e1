using System.Text;
using DbRecovery.Engine.Alembic.Operations;
using DbRecovery.Engine.Catalog;

namespace DbRecovery.Engine.Alembic;

/// <summary>
/// Recognises the common DDL forms in <c>op.execute</c> SQL well enough to replay them: CREATE TABLE,
/// ALTER TABLE … ADD/DROP/RENAME COLUMN, ALTER COLUMN … TYPE, RENAME TO, CREATE [UNIQUE] INDEX,
/// DROP TABLE and DROP INDEX. Anything else is reported as opaque.
/// </summary>
internal static class SqlDdlReader
{
    private static readonly HashSet<string> ColumnConstraintWords =
        ["NOT", "NULL", "DEFAULT", "PRIMARY", "REFERENCES", "UNIQUE", "CHECK", "CONSTRAINT", "GENERATED", "COLLATE", "USING"];

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
            s.Accept("CONCURRENTLY");
            s.Accept("IF", "NOT", "EXISTS");
            var name = s.Identifier();
            s.Expect("ON");
            s.Accept("ONLY");
            var (schema, table) = s.QualifiedName();
            if (s.Accept("USING"))
            {
                s.Identifier();
            }

            return [new CreateIndexOperation { Name = name, Schema = schema, Table = table, Unique = unique, Columns = s.ParenthesizedList() }];
        }

        if (s.Accept("DROP", "TABLE"))
        {
            s.Accept("IF", "EXISTS");
            var tables = new List<MigrationOperation>();
            do
            {
                var (schema, table) = s.QualifiedName();
                tables.Add(new DropTableOperation { Schema = schema, Table = table });
            }
            while (s.Accept(","));
            return tables;
        }

        if (s.Accept("DROP", "INDEX"))
        {
            s.Accept("CONCURRENTLY");
            s.Accept("IF", "EXISTS");
            var (schema, name) = s.QualifiedName();
            return [new DropIndexOperation { Name = name, Schema = schema, Table = null }];
        }

        return null;
    }

    private static CreateTableOperation CreateTable(SqlCursor s)
    {
        var (schema, table) = s.QualifiedName();
        var columns = new List<ColumnDefinition>();
        var primaryKey = new List<string>();
        foreach (var element in s.ParenthesizedElements())
        {
            var e = new SqlCursor(element);
            if (e.Accept("CONSTRAINT"))
            {
                e.Identifier();
            }

            if (e.Accept("PRIMARY", "KEY"))
            {
                primaryKey.AddRange(e.ParenthesizedList());
            }
            else if (!e.Peek("FOREIGN") && !e.Peek("UNIQUE") && !e.Peek("CHECK") && !e.Peek("EXCLUDE"))
            {
                columns.Add(ColumnDefinition(e));
            }
        }

        return new CreateTableOperation
        {
            Schema = schema,
            Table = table,
            Columns = columns.Select(c => primaryKey.Contains(c.Name) ? c with { PrimaryKey = true, Nullable = false } : c).ToList(),
        };
    }

    private static List<MigrationOperation>? AlterTable(SqlCursor s)
    {
        var (schema, table) = s.QualifiedName();
        if (s.Accept("RENAME", "TO"))
        {
            return [new RenameTableOperation { Schema = schema, Table = table, NewName = s.Identifier() }];
        }

        var operations = new List<MigrationOperation>();
        foreach (var action in s.SplitRemainder())
        {
            var a = new SqlCursor(action);
            MigrationOperation? operation = null;
            if (a.Accept("ADD"))
            {
                if (a.Peek("CONSTRAINT") || a.Peek("PRIMARY") || a.Peek("FOREIGN") || a.Peek("UNIQUE") || a.Peek("CHECK"))
                {
                    return null;
                }

                a.Accept("COLUMN");
                a.Accept("IF", "NOT", "EXISTS");
                operation = new AddColumnOperation { Column = ColumnDefinition(a) };
            }
            else if (a.Accept("DROP", "COLUMN") || (a.Accept("DROP") && !a.Peek("CONSTRAINT")))
            {
                a.Accept("IF", "EXISTS");
                operation = new DropColumnOperation { Column = a.Identifier() };
            }
            else if (a.Accept("RENAME", "COLUMN") || a.Accept("RENAME"))
            {
                var column = a.Identifier();
                a.Expect("TO");
                operation = new AlterColumnOperation { Column = column, NewName = a.Identifier() };
            }
            else if (a.Accept("ALTER", "COLUMN") || a.Accept("ALTER"))
            {
                var column = a.Identifier();
                if (a.Accept("SET", "DATA", "TYPE") || a.Accept("TYPE"))
                {
                    operation = new AlterColumnOperation { Column = column, NewType = PostgresTypeName.Normalize(a.TypeName(ColumnConstraintWords)) };
                }
                else if (a.Accept("SET", "NOT", "NULL"))
                {
                    operation = new AlterColumnOperation { Column = column, Nullable = false };
                }
                else if (a.Accept("DROP", "NOT", "NULL"))
                {
                    operation = new AlterColumnOperation { Column = column, Nullable = true };
                }
            }

            if (operation is null)
            {
                return null;
            }

            operations.Add(operation with { Schema = schema, Table = table });
        }

        return operations;
    }

    private static ColumnDefinition ColumnDefinition(SqlCursor c)
    {
        var name = c.Identifier();
        var type = c.TypeName(ColumnConstraintWords);
        var rest = string.Join(' ', c.Remaining()).ToUpperInvariant();
        var primaryKey = rest.Contains("PRIMARY KEY", StringComparison.Ordinal);
        return new ColumnDefinition
        {
            Name = name,
            Type = PostgresTypeName.Normalize(type),
            PrimaryKey = primaryKey,
            Nullable = !primaryKey && !rest.Contains("NOT NULL", StringComparison.Ordinal),
            Unique = rest.Contains("UNIQUE", StringComparison.Ordinal),
        };
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
