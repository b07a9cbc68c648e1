using System.Text;

namespace DbRecovery.Engine.Alembic;

/// <summary>A SQL token: a word, a "quoted identifier", a 'string', or punctuation.</summary>
internal sealed record SqlToken(string Text, bool Quoted, bool IsString)
{
    public bool IsWord(string word) =>
        !Quoted && !IsString && string.Equals(Text, word, StringComparison.OrdinalIgnoreCase);
}

/// <summary>Walks the tokens of one SQL statement for <see cref="SqlDdlReader"/>.</summary>
internal sealed class SqlCursor(List<SqlToken> tokens)
{
    private int _position;

    public bool Peek(string word) => _position < tokens.Count && tokens[_position].IsWord(word);

    /// <summary>Consumes <paramref name="words"/> when they all come next.</summary>
    public bool Accept(params string[] words)
    {
        for (var k = 0; k < words.Length; k++)
        {
            if (_position + k >= tokens.Count || !tokens[_position + k].IsWord(words[k]))
            {
                return false;
            }
        }

        _position += words.Length;
        return true;
    }

    public void Expect(string word)
    {
        if (!Accept(word))
        {
            throw new FormatException($"expected {word}");
        }
    }

    /// <summary>An identifier: quoted ones as written, unquoted ones folded to lower case as PostgreSQL does.</summary>
    public string Identifier()
    {
        if (_position >= tokens.Count)
        {
            throw new FormatException("expected an identifier");
        }

        var token = tokens[_position++];
        return token.Quoted ? token.Text : token.Text.ToLowerInvariant();
    }

    /// <summary>Whether every token has been read.</summary>
    public bool AtEnd => _position >= tokens.Count;

    /// <summary>Reads a string literal such as <c>'red'</c>.</summary>
    public string String()
    {
        if (_position >= tokens.Count || !tokens[_position].IsString)
        {
            throw new FormatException("expected a string literal");
        }

        return tokens[_position++].Text;
    }

    /// <summary>Skips the next token, or a parenthesised group with its contents.</summary>
    public void Skip()
    {
        if (Peek("(") || (_position < tokens.Count && tokens[_position].Text == "("))
        {
            ParenthesizedElements();
            return;
        }

        _position++;
    }

    public (string? Schema, string Name) QualifiedName()
    {
        var first = Identifier();
        if (Accept("."))
        {
            return (first, Identifier());
        }

        return (null, first);
    }

    /// <summary>The items of a parenthesised, comma-separated list, each as its text.</summary>
    public List<string> ParenthesizedList() =>
        ParenthesizedElements()
            .Select(e =>
                e.Count == 1 && !e[0].IsString ? (e[0].Quoted ? e[0].Text : e[0].Text.ToLowerInvariant()) : Join(e)
            )
            .ToList();

    /// <summary>The comma-separated elements inside the next parentheses.</summary>
    public List<List<SqlToken>> ParenthesizedElements()
    {
        if (!Accept("("))
        {
            throw new FormatException("expected (");
        }

        var start = _position;
        var depth = 1;
        while (_position < tokens.Count && depth > 0)
        {
            depth += tokens[_position].Text switch
            {
                "(" => 1,
                ")" => -1,
                _ => 0,
            };
            _position++;
        }

        return SplitTopLevel(tokens.GetRange(start, _position - start - 1));
    }

    /// <summary>The rest of the statement split at top-level commas.</summary>
    public List<List<SqlToken>> SplitRemainder()
    {
        var rest = tokens.GetRange(_position, tokens.Count - _position);
        _position = tokens.Count;
        return SplitTopLevel(rest);
    }

    /// <summary>A type name: the tokens up to a constraint keyword (or the end), spelled as written.</summary>
    public string TypeName(IReadOnlySet<string> stopWords)
    {
        var start = _position;
        var depth = 0;
        while (_position < tokens.Count)
        {
            var token = tokens[_position];
            depth += token.Text switch
            {
                "(" => 1,
                ")" => -1,
                _ => 0,
            };
            if (depth == 0 && !token.Quoted && !token.IsString && stopWords.Contains(token.Text.ToUpperInvariant()))
            {
                break;
            }

            _position++;
        }

        return Join(tokens.GetRange(start, _position - start));
    }

    public IEnumerable<string> Remaining() => tokens.Skip(_position).Select(t => t.Text);

    private static List<List<SqlToken>> SplitTopLevel(List<SqlToken> list)
    {
        var parts = new List<List<SqlToken>> { new() };
        var depth = 0;
        foreach (var token in list)
        {
            depth += token.Text switch
            {
                "(" => 1,
                ")" => -1,
                _ => 0,
            };
            if (depth == 0 && token.Text == "," && !token.Quoted && !token.IsString)
            {
                parts.Add([]);
            }
            else
            {
                parts[^1].Add(token);
            }
        }

        return parts.Where(p => p.Count > 0).ToList();
    }

    private static string Join(List<SqlToken> list)
    {
        var text = new StringBuilder();
        foreach (var token in list)
        {
            var glue =
                token.Text is "(" or ")" or "," or "[" or "]" or "."
                || (text.Length > 0 && text[^1] is '(' or '[' or '.');
            if (text.Length > 0 && !glue)
            {
                text.Append(' ');
            }

            text.Append(token.IsString ? $"'{token.Text}'" : token.Text);
        }

        return text.ToString();
    }
}
