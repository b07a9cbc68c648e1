using System.Text;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Engine.Catalog;

/// <summary>
/// A schema name or wildcard pattern (<c>*</c>, <c>?</c>, <c>[abc]</c>, matched case-insensitively
/// as PowerShell does), turned into an anchored PostgreSQL regular expression so the server filters.
/// </summary>
public sealed record SchemaPattern
{
    private SchemaPattern(string text, string regex, bool hasWildcards)
    {
        Text = text;
        Regex = regex;
        HasWildcards = hasWildcards;
    }

    /// <summary>The pattern as given.</summary>
    public string Text { get; }

    /// <summary>The anchored regular expression for PostgreSQL's <c>~*</c> operator.</summary>
    public string Regex { get; }

    /// <summary>Whether the pattern has wildcard characters (a plain name that matches nothing is an error).</summary>
    public bool HasWildcards { get; }

    /// <summary>Matches every schema.</summary>
    public static SchemaPattern All { get; } = Parse("*");

    /// <summary>Parses a name or wildcard pattern.</summary>
    /// <exception cref="RecoveryException">The pattern is malformed (<c>SchemaPatternInvalid</c>).</exception>
    public static SchemaPattern Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var regex = new StringBuilder("^");
        var wildcards = false;
        var inClass = false;
        foreach (var ch in text)
        {
            if (inClass)
            {
                regex.Append(ch == '\\' ? "\\\\" : ch.ToString());
                inClass = ch != ']';
                continue;
            }

            switch (ch)
            {
                case '*':
                    regex.Append(".*");
                    wildcards = true;
                    break;
                case '?':
                    regex.Append('.');
                    wildcards = true;
                    break;
                case '[':
                    regex.Append('[');
                    wildcards = inClass = true;
                    break;
                default:
                    // In PostgreSQL's regular expressions a backslash before a non-alphanumeric is that character.
                    regex.Append(char.IsLetterOrDigit(ch) ? ch.ToString() : "\\" + ch);
                    break;
            }
        }

        if (inClass)
        {
            throw new RecoveryException(
                "SchemaPatternInvalid",
                FailureKind.InvalidArgument,
                $"The schema pattern '{text}' has a '[' without a closing ']'.",
                text
            );
        }

        return new SchemaPattern(text, regex.Append('$').ToString(), wildcards);
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
