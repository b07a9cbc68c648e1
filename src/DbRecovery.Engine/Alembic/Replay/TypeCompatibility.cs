using System.Text.RegularExpressions;
using DbRecovery.Engine.Catalog;

namespace DbRecovery.Engine.Alembic.Replay;

/// <summary>
/// PostgreSQL's rules for two column types, as the static upgrade check needs them. Types are written as
/// <c>format_type</c> writes them (<c>character varying(36)</c>, <c>uuid</c>); type modifiers never matter here.
/// </summary>
public static partial class TypeCompatibility
{
    private static readonly HashSet<string> Strings =
    [
        "text",
        "character varying",
        "character",
        "name",
        "bpchar",
        "varchar",
    ];
    private static readonly HashSet<string> Integers = ["smallint", "integer", "bigint"];
    private static readonly HashSet<string> Numbers =
    [
        "smallint",
        "integer",
        "bigint",
        "numeric",
        "real",
        "double precision",
    ];
    private static readonly HashSet<string> Floats = ["real", "double precision"];
    private static readonly HashSet<string> Instants =
    [
        "date",
        "timestamp without time zone",
        "timestamp with time zone",
    ];

    /// <summary>
    /// Whether a foreign key column of type <paramref name="column"/> can reference a key of type
    /// <paramref name="key"/>:
    /// PostgreSQL needs an equality operator of the key's btree operator family that accepts the column, directly
    /// or through an implicit cast. So <c>varchar</c> against <c>text</c> passes, <c>integer</c> against
    /// <c>bigint</c> or <c>numeric</c> passes, and <c>varchar</c> against <c>uuid</c> fails.
    /// </summary>
    public static bool CanReference(string column, string key)
    {
        var (from, to) = (BaseOf(column), BaseOf(key));
        return from == to
            || Unknowable(column, key)
            || (Strings.Contains(from) && Strings.Contains(to))
            || (Integers.Contains(from) && Numbers.Contains(to))
            || (Numbers.Contains(from) && Floats.Contains(to))
            || (Instants.Contains(from) && Instants.Contains(to));
    }

    /// <summary>
    /// Whether <c>ALTER COLUMN ... TYPE</c> from <paramref name="from"/> to <paramref name="to"/> works without
    /// <c>USING</c>: it needs an assignment cast. Every type has one to the string types; numbers and instants
    /// convert among themselves; a string to <c>uuid</c>, <c>integer</c> or <c>boolean</c> does not.
    /// </summary>
    public static bool CanCastAutomatically(string from, string to)
    {
        var (source, target) = (BaseOf(from), BaseOf(to));
        return source == target
            || Unknowable(from, to)
            || Strings.Contains(target)
            || (Numbers.Contains(source) && Numbers.Contains(target))
            || (Instants.Contains(source) && Instants.Contains(target))
            || (source, target) is ("json", "jsonb") or ("jsonb", "json");
    }

    /// <summary>
    /// A type the replay could not resolve makes the answer unknowable, and the unknown is never a blocker.
    /// </summary>
    private static bool Unknowable(string one, string other) =>
        PostgresTypeName.IsUnresolved(one) || PostgresTypeName.IsUnresolved(other);

    /// <summary>The type without its modifiers: <c>character varying(36)</c> is <c>character varying</c>.</summary>
    public static string BaseOf(string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return Whitespace().Replace(Modifier().Replace(type.Trim().ToLowerInvariant(), string.Empty), " ").Trim();
    }

    [GeneratedRegex(@"\s*\([^)]*\)")]
    private static partial Regex Modifier();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
