namespace DbRecovery.Engine.Sql;

/// <summary>The one place identifiers become SQL text: always double-quoted, embedded quotes doubled.</summary>
public static class SqlIdentifier
{
    /// <summary>Quotes one identifier, e.g. <c>Order "Items"</c> becomes <c>"Order ""Items"""</c>.</summary>
    public static string Quote(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        if (identifier.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("An identifier cannot contain a NUL character.", nameof(identifier));
        }

        return "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>Quotes a schema-qualified name, e.g. <c>"public"."users"</c>.</summary>
    public static string Quote(string schema, string name) => Quote(schema) + "." + Quote(name);
}
