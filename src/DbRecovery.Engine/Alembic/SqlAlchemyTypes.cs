using System.Globalization;
using DbRecovery.Engine.Alembic.Python;
using DbRecovery.Engine.Catalog;

namespace DbRecovery.Engine.Alembic;

/// <summary>Maps SQLAlchemy column types (<c>sa.String(36)</c>, <c>postgresql.UUID(as_uuid=True)</c>, …) to PostgreSQL's spelling.</summary>
internal static class SqlAlchemyTypes
{
    public static string Map(PythonExpression expression)
    {
        var (name, call) = expression switch
        {
            PythonCall c => (LastName(c.Function), c),
            PythonName n => (n.Last, null),
            _ => (string.Empty, null),
        };
        string? Arg(int index, string keyword) => call?.Argument(index, keyword) is PythonNumber n ? n.Text : null;
        var length = Arg(0, "length");
        return name.ToUpperInvariant() switch
        {
            "STRING" or "VARCHAR" or "UNICODE" or "NVARCHAR" => length is null ? "character varying" : $"character varying({length})",
            "CHAR" or "NCHAR" => $"character({length ?? "1"})",
            "CITEXT" => "citext",
            "TEXT" or "UNICODETEXT" => "text",
            "INTEGER" or "INT" => "integer",
            "BIGINTEGER" or "BIGINT" => "bigint",
            "SMALLINTEGER" or "SMALLINT" => "smallint",
            "BOOLEAN" => "boolean",
            "FLOAT" or "DOUBLE" or "DOUBLE_PRECISION" =>
                Arg(0, "precision") is { } p && int.Parse(p, CultureInfo.InvariantCulture) <= 24 ? "real" : "double precision",
            "REAL" => "real",
            "NUMERIC" or "DECIMAL" => Arg(0, "precision") is { } precision
                ? $"numeric({precision}{(Arg(1, "scale") is { } scale ? "," + scale : string.Empty)})"
                : "numeric",
            "DATE" => "date",
            "DATETIME" or "TIMESTAMP" => IsTrue(call?.Argument(0, "timezone")) ? "timestamp with time zone" : "timestamp without time zone",
            "TIME" => IsTrue(call?.Argument(0, "timezone")) ? "time with time zone" : "time without time zone",
            "INTERVAL" => "interval",
            "JSON" => "json",
            "JSONB" => "jsonb",
            "UUID" or "UUIDTYPE" or "GUID" => "uuid",
            "LARGEBINARY" or "BYTEA" or "BINARY" or "VARBINARY" => "bytea",
            "INET" => "inet",
            "CIDR" => "cidr",
            "MACADDR" => "macaddr",
            "TSVECTOR" => "tsvector",
            "ARRAY" when call?.Argument(0, "item_type") is { } item => Map(item) + "[]",
            "ENUM" => (call?.Keyword("name")?.AsString() ?? "enum").ToLowerInvariant(),
            _ => PostgresTypeName.Normalize(name.Length == 0 ? "unknown" : name),
        };
    }

    private static string LastName(PythonExpression function) => function is PythonName n ? n.Last : string.Empty;

    private static bool IsTrue(PythonExpression? value) => value is PythonName { Dotted: "True" };
}
