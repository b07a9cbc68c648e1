using System.Globalization;
using DbRecovery.Engine.Alembic.Operations;
using DbRecovery.Engine.Alembic.Python;
using DbRecovery.Engine.Catalog;

namespace DbRecovery.Engine.Alembic;

/// <summary>
/// Maps SQLAlchemy column types (<c>sa.String(36)</c>, <c>postgresql.UUID(as_uuid=True)</c>, …) to PostgreSQL's
/// spelling.
/// </summary>
internal static class SqlAlchemyTypes
{
    public static string Map(PythonExpression expression)
    {
        switch (expression)
        {
            case TypeDecoratorClass type:
                return Map(type.Impl);
            case PythonCall { Function: PythonAttribute { Name: "with_variant", Target: var stored } }:
                return Map(stored); // sa.Text().with_variant(mysql.LONGTEXT(), "mysql") is text on PostgreSQL
            case PythonAttribute { Name: "impl", Target: var decorated }:
                return Map(decorated); // JsonEncodedDict(mysql_as_long=True).impl, once the class became its impl
            case PythonCall { Function: PythonName { Last: "as_mutable" }, Arguments: [var wrapped, ..] }:
                return Map(wrapped); // MutableDict.as_mutable(JsonEncoded) stores what it wraps
        }

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
            "STRING" or "VARCHAR" or "UNICODE" or "NVARCHAR" => length is null
                ? "character varying"
                : $"character varying({length})",
            "CHAR" or "NCHAR" => $"character({length ?? "1"})",
            "CITEXT" => "citext",
            "TEXT" or "UNICODETEXT" => "text",
            "INTEGER" or "INT" => "integer",
            "BIGINTEGER" or "BIGINT" => "bigint",
            "SMALLINTEGER" or "SMALLINT" => "smallint",
            "BOOLEAN" => "boolean",
            "FLOAT" or "DOUBLE" or "DOUBLE_PRECISION" => Arg(0, "precision") is { } p
            && int.Parse(p, CultureInfo.InvariantCulture) <= 24
                ? "real"
                : "double precision",
            "REAL" => "real",
            "NUMERIC" or "DECIMAL" => Arg(0, "precision") is { } precision
                ? $"numeric({precision},{Arg(1, "scale") ?? "0"})"
                : "numeric",
            "DATE" => "date",
            "DATETIME" or "TIMESTAMP" => IsTrue(call?.Argument(0, "timezone"))
                ? "timestamp with time zone"
                : "timestamp without time zone",
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
            "ENUM" => call?.Keyword("name")?.AsString() is { } enumName
                ? enumName
                : PostgresTypeName.Unresolved("Enum"),
            "CLOB" or "JSONENCODEDDICT" or "JSONENCODEDLIST" or "SCALARLISTTYPE" or "URLTYPE" => "text",
            "BLOB" or "PICKLETYPE" or "PASSWORDTYPE" => "bytea",
            "AUTOSTRING" => "character varying",
            "SOFTDELETEINTEGER" => "integer",
            "JSONTYPE" => "json",
            "ARROWTYPE" => "timestamp without time zone",
            "EMAILTYPE" or "CHOICETYPE" => "character varying(255)",
            "IPADDRESSTYPE" or "TIMEZONETYPE" => "character varying(50)",
            "TSVECTORTYPE" => "tsvector",
            "LTREETYPE" => "ltree",
            "HSTORE"
            or "MONEY"
            or "XML"
            or "OID"
            or "TSQUERY"
            or "MACADDR8"
            or "DATERANGE"
            or "INT4RANGE"
            or "INT8RANGE"
            or "NUMRANGE"
            or "TSRANGE"
            or "TSTZRANGE"
            or "BIT" => name.ToLowerInvariant(),
            _ => PostgresTypeName.Unresolved(name.Length == 0 ? "expression" : name),
        };
    }

    /// <summary>
    /// The enum type a <c>sa.Enum("a", "b", name="x")</c> or <c>postgresql.ENUM(...)</c> column makes, when its labels
    /// are literals.
    /// </summary>
    public static EnumDefinition? Enum(PythonExpression expression) =>
        expression is PythonCall call
        && LastName(call.Function).Equals("ENUM", StringComparison.OrdinalIgnoreCase)
        && call.Keyword("name")?.AsString() is { } name
        && Labels(call) is { Count: > 0 } labels
            ? new EnumDefinition
            {
                Name = name,
                Schema = call.Keyword("schema")?.AsString(),
                Labels = labels,
                CreatedWithTable = call.Keyword("create_type") is not PythonName { Dotted: "False" },
            }
            : null;

    // The labels as given, or unpacked from a tuple (sa.Enum(*states, ...), once the reader put the tuple in).
    private static List<string>? Labels(PythonCall call)
    {
        var labels = call
            .Arguments.SelectMany(a => a is PythonSequence sequence ? sequence.Items : [a])
            .Select(a => a.AsString())
            .ToList();
        return labels.All(l => l is not null) ? labels.Select(l => l!).ToList() : null;
    }

    private static string LastName(PythonExpression function) => function is PythonName n ? n.Last : string.Empty;

    private static bool IsTrue(PythonExpression? value) => value is PythonName { Dotted: "True" };
}
