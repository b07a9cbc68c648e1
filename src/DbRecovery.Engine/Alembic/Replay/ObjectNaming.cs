using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace DbRecovery.Engine.Alembic.Replay;

/// <summary>
/// Names constraints and indexes the way they end up in the database: SQLAlchemy's naming convention
/// (from the project's <c>target_metadata</c>, else SQLAlchemy's default <c>ix_%(column_0_label)s</c>)
/// for what the migration leaves unnamed, with SQLAlchemy's truncation of long names; then, where no
/// convention applies, PostgreSQL's own choice (<c>table_col_key</c>, <c>table_col_fkey</c>, <c>table_pkey</c>).
/// </summary>
internal sealed partial class ObjectNaming
{
    private const int MaxIdentifierLength = 63;

    private readonly IReadOnlyDictionary<string, string> _templates;

    public ObjectNaming(IReadOnlyDictionary<string, string>? convention)
    {
        var templates = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (
            var (key, template) in convention ?? new Dictionary<string, string> { ["ix"] = "ix_%(column_0_label)s" }
        )
        {
            templates[
                key switch
                {
                    "Index" => "ix",
                    "UniqueConstraint" => "uq",
                    "ForeignKeyConstraint" => "fk",
                    "PrimaryKeyConstraint" => "pk",
                    "CheckConstraint" => "ck",
                    _ => key,
                }
            ] = template;
        }

        _templates = templates;
    }

    /// <summary>
    /// The name SQLAlchemy sends for a constraint or index of <paramref name="kind"/> (<c>ix</c>, <c>uq</c>,
    /// <c>fk</c>, <c>pk</c>), or null when it sends none and PostgreSQL chooses.
    /// </summary>
    public string? Convention(
        string kind,
        string? given,
        string table,
        IReadOnlyList<string?> columns,
        string? referredTable = null,
        IReadOnlyList<string>? referredColumns = null
    )
    {
        if (
            !_templates.TryGetValue(kind, out var template)
            || (given is not null && !template.Contains("%(constraint_name)s", StringComparison.Ordinal))
        )
        {
            return given;
        }

        var name = Token()
            .Replace(template, m =>
                Value(m.Groups[1].Value, given, table, columns, referredTable, referredColumns ?? [])
            );
        return name.Length <= MaxIdentifierLength
            ? name
            : string.Concat(
                name.AsSpan(0, MaxIdentifierLength - 8),
                "_",
                Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(name)))[^4..].ToLowerInvariant()
            );
    }

    /// <summary>
    /// PostgreSQL's name for an unnamed constraint: <c>table_col1_col2_label</c>, shortened the way
    /// <c>makeObjectName</c> does.
    /// </summary>
    public static string PostgresName(string table, IReadOnlyList<string?> columns, string label)
    {
        var first = table;
        var second = columns.Count == 0 ? null : string.Join("_", columns.Select(c => c ?? "expr"));
        var overhead = label.Length + 1 + (second is null ? 0 : 1);
        while (first.Length + (second?.Length ?? 0) + overhead > MaxIdentifierLength)
        {
            if (second is not null && second.Length > first.Length)
            {
                second = second[..^1];
            }
            else
            {
                first = first[..^1];
            }
        }

        return second is null ? $"{first}_{label}" : $"{first}_{second}_{label}";
    }

    private static string Value(
        string token,
        string? given,
        string table,
        IReadOnlyList<string?> columns,
        string? referredTable,
        IReadOnlyList<string> referredColumns
    )
    {
        string Label(string? column) => $"{table}_{column}";
        var match = ColumnToken().Match(token);
        if (!match.Success)
        {
            return token switch
            {
                "table_name" => table,
                "constraint_name" => given ?? string.Empty,
                "referred_table_name" => referredTable ?? string.Empty,
                _ => string.Empty,
            };
        }

        IReadOnlyList<string?> source = match.Groups["referred"].Success ? referredColumns : columns;
        var label = match.Groups["what"].Value == "label" && !match.Groups["referred"].Success;
        IEnumerable<string?> picked = match.Groups["all"].Success
            ? source
            :
            [
                int.Parse(match.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture) < source.Count
                    ? source[int.Parse(match.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture)]
                    : null,
            ];
        var names = picked.Select(c => label ? Label(c) : c ?? string.Empty);
        return string.Join(match.Groups["all"].Value == "0_N" ? "_" : string.Empty, names);
    }

    [GeneratedRegex(@"%\((\w+)\)s")]
    private static partial Regex Token();

    [GeneratedRegex(@"^(?<referred>referred_)?column_(?:(?<all>0_?N)|(?<index>\d+))_(?<what>name|label|key)$")]
    private static partial Regex ColumnToken();
}
