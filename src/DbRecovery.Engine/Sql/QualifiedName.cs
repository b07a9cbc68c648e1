using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Engine.Sql;

/// <summary>
/// A database object's name, optionally schema-qualified: the one parser of user-given names in the engine.
/// <c>users</c>, <c>public.users</c>, <c>"my.schema"."Users"</c>: a double-quoted part keeps its dots and case,
/// and <c>""</c> inside it is one quote. Unquoted parts are taken as written (no case folding), as the cmdlets
/// have always matched catalog names.
/// </summary>
/// <param name="Schema">The schema, or null for an unqualified name.</param>
/// <param name="Name">The object's name.</param>
public sealed record QualifiedName(string? Schema, string Name)
{
    /// <summary>The name as SQL, every part quoted.</summary>
    public string Quoted => Schema is null ? SqlIdentifier.Quote(Name) : SqlIdentifier.Quote(Schema, Name);

    /// <summary>
    /// Parses <c>name</c> or <c>schema.name</c>, with double-quoted parts where a part contains a dot.
    /// </summary>
    /// <exception cref="RecoveryException">Empty, more than two parts, or an unterminated quote
    /// (<c>NameMalformed</c>).</exception>
    public static QualifiedName Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = Split(text.Trim(), text);
        return parts.Count switch
        {
            1 => new QualifiedName(null, parts[0]),
            2 => new QualifiedName(parts[0], parts[1]),
            _ => throw Malformed(
                text,
                "it has more than two dot-separated parts (write \"a.b\" in double quotes when a name contains a dot)"
            ),
        };
    }

    /// <summary>Parses <c>table.column</c> or <c>schema.table.column</c> into the table and the column.</summary>
    /// <exception cref="RecoveryException">Not two or three parts (<c>NameMalformed</c>).</exception>
    public static (QualifiedName Table, string Column) ParseColumn(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = Split(text.Trim(), text);
        return parts.Count switch
        {
            2 => (new QualifiedName(null, parts[0]), parts[1]),
            3 => (new QualifiedName(parts[0], parts[1]), parts[2]),
            _ => throw Malformed(text, "a column is written table.column or schema.table.column"),
        };
    }

    /// <summary>
    /// Whether this (possibly unqualified) name designates <paramref name="schema"/>.<paramref name="name"/>.
    /// </summary>
    public bool Matches(string schema, string name) => Name == name && (Schema is null || Schema == schema);

    /// <summary>The name as it is written back: parts with a dot or a quote are double-quoted.</summary>
    public override string ToString() => Schema is null ? Display(Name) : $"{Display(Schema)}.{Display(Name)}";

    private static string Display(string part) =>
        part.Contains('.', StringComparison.Ordinal) || part.Contains('"', StringComparison.Ordinal)
            ? SqlIdentifier.Quote(part)
            : part;

    private static List<string> Split(string text, string original)
    {
        var parts = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        var wasQuoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c != '"')
                {
                    current.Append(c);
                }
                else if (i + 1 < text.Length && text[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else
                {
                    quoted = false;
                }
            }
            else if (c == '"')
            {
                quoted = wasQuoted = true;
            }
            else if (c == '.')
            {
                parts.Add(Part(current, wasQuoted, original));
                current.Clear();
                wasQuoted = false;
            }
            else
            {
                current.Append(c);
            }
        }

        if (quoted)
        {
            throw Malformed(original, "a double quote is not closed");
        }

        parts.Add(Part(current, wasQuoted, original));
        return parts;
    }

    private static string Part(System.Text.StringBuilder current, bool wasQuoted, string original)
    {
        var part = wasQuoted ? current.ToString() : current.ToString().Trim();
        return part.Length > 0 ? part : throw Malformed(original, "a part of the name is empty");
    }

    private static RecoveryException Malformed(string text, string why) =>
        new("NameMalformed", FailureKind.InvalidArgument, $"'{text}' is not a valid object name: {why}.", text);
}
