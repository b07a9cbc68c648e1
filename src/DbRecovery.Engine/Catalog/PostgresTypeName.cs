using System.Text.RegularExpressions;

namespace DbRecovery.Engine.Catalog;

/// <summary>
/// Spells a PostgreSQL type the way <c>format_type</c> does, so that <c>varchar(36)</c>,
/// <c>VARCHAR (36)</c> and <c>character varying(36)</c> compare equal.
/// </summary>
public static partial class PostgresTypeName
{
    private const string UnresolvedPrefix = "unresolved ";

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["varchar"] = "character varying",
        ["char"] = "character",
        ["bpchar"] = "character",
        ["int"] = "integer",
        ["int4"] = "integer",
        ["serial"] = "integer",
        ["serial4"] = "integer",
        ["int8"] = "bigint",
        ["bigserial"] = "bigint",
        ["serial8"] = "bigint",
        ["int2"] = "smallint",
        ["smallserial"] = "smallint",
        ["serial2"] = "smallint",
        ["bool"] = "boolean",
        ["float8"] = "double precision",
        ["float"] = "double precision",
        ["float4"] = "real",
        ["decimal"] = "numeric",
        ["timestamptz"] = "timestamp with time zone",
        ["timestamp"] = "timestamp without time zone",
        ["timetz"] = "time with time zone",
        ["time"] = "time without time zone",
        ["varbit"] = "bit varying",
    };

    /// <summary>The canonical spelling of <paramref name="type"/>.</summary>
    public static string Normalize(string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var text = Whitespace().Replace(type.Trim(), " ").ToLowerInvariant();
        var arrays = string.Empty;
        while (text.EndsWith("[]", StringComparison.Ordinal))
        {
            arrays += "[]";
            text = text[..^2].TrimEnd();
        }

        var match = Modifiers().Match(text);
        var name = match.Success ? text[..match.Index].TrimEnd() : text;
        var modifiers = match.Success
            ? "(" + string.Join(",", match.Groups[1].Value.Split(',').Select(m => m.Trim())) + ")"
            : string.Empty;
        var suffix = match.Success ? text[(match.Index + match.Length)..].Trim() : string.Empty;
        name = name switch
        {
            "timestamp" or "time" when suffix is "with time zone" or "without time zone" => $"{name} {suffix}",
            "character varying" or "character" or "timestamp with time zone" or "timestamp without time zone" => name,
            _ => Aliases.GetValueOrDefault(name, name),
        };

        // format_type puts modifiers of timestamp and time before the zone: timestamp(3) with time zone.
        if (
            modifiers.Length > 0
            && (
                name.StartsWith("timestamp ", StringComparison.Ordinal)
                || name.StartsWith("time ", StringComparison.Ordinal)
            )
        )
        {
            var space = name.IndexOf(' ', StringComparison.Ordinal);
            return name[..space] + modifiers + name[space..] + arrays;
        }

        return name + modifiers + arrays;
    }

    /// <summary>
    /// The spelling of a type the static replay cannot resolve (a project's own TypeDecorator, a library type it does
    /// not know): <c>unresolved Name</c>. It is compared with nothing: it is Unknown, never a difference or a blocker.
    /// </summary>
    public static string Unresolved(string name) => UnresolvedPrefix + name;

    /// <summary>
    /// Whether <paramref name="type"/> is one the static replay could not resolve (see <see cref="Unresolved"/>).
    /// </summary>
    public static bool IsUnresolved(string type) =>
        Normalize(type).StartsWith(UnresolvedPrefix, StringComparison.Ordinal);

    /// <summary>Whether two spellings name the same type.</summary>
    public static bool AreEqual(string left, string right) =>
        string.Equals(Normalize(left), Normalize(right), StringComparison.Ordinal);

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"\(([^)]*)\)")]
    private static partial Regex Modifiers();
}
