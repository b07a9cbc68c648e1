using System.Globalization;
using System.Text;

namespace DbRecovery.Engine.Alembic.Python;

/// <summary>
/// Splits Python source into tokens: every string form (single, triple, r/b/u/f prefixes, escapes),
/// comments, implicit line joining inside brackets, backslash continuation, and logical lines.
/// </summary>
internal static class PythonTokenizer
{
    private static readonly string[] Operators =
    [
        "**=",
        "//=",
        ">>=",
        "<<=",
        "...",
        "**",
        "//",
        "->",
        ":=",
        "==",
        "!=",
        "<=",
        ">=",
        "<<",
        ">>",
        "+=",
        "-=",
        "*=",
        "/=",
        "%=",
        "&=",
        "|=",
        "^=",
        "@=",
    ];

    public static List<PythonToken> Tokenize(string source)
    {
        var tokens = new List<PythonToken>();
        var depth = 0;
        var line = 1;
        var lineStart = 0;
        var atLineStart = true;
        var i = 0;
        while (i < source.Length)
        {
            var c = source[i];
            if (c == '\n')
            {
                if (depth == 0 && !atLineStart)
                {
                    tokens.Add(new PythonToken(PythonTokenKind.Newline, "\n", null, line, i - lineStart, false));
                    atLineStart = true;
                }

                i++;
                line++;
                lineStart = i;
                continue;
            }

            if (c is ' ' or '\t' or '\r' or '\f')
            {
                i++;
                continue;
            }

            if (c == '#')
            {
                while (i < source.Length && source[i] != '\n')
                {
                    i++;
                }

                continue;
            }

            if (
                c == '\\'
                && i + 1 < source.Length
                && (source[i + 1] == '\n' || (source[i + 1] == '\r' && i + 2 < source.Length && source[i + 2] == '\n'))
            )
            {
                i += source[i + 1] == '\r' ? 3 : 2;
                line++;
                lineStart = i;
                continue;
            }

            var column = Column(source, lineStart, i);
            var starts = atLineStart;
            atLineStart = false;
            var token = StringLiteral(source, ref i, ref line, ref lineStart, column, starts)
                ?? Identifier(source, ref i, line, column, starts)
                ?? Number(source, ref i, line, column, starts)
                ?? Operator(source, ref i, line, column, starts);
            depth += token.Text switch
            {
                "(" or "[" or "{" => 1,
                ")" or "]" or "}" => depth > 0 ? -1 : 0,
                _ => 0,
            };
            tokens.Add(token);
        }

        if (!atLineStart)
        {
            tokens.Add(new PythonToken(PythonTokenKind.Newline, "\n", null, line, 0, false));
        }

        tokens.Add(new PythonToken(PythonTokenKind.EndOfFile, string.Empty, null, line, 0, true));
        return tokens;
    }

    private static int Column(string source, int lineStart, int position)
    {
        var column = 0;
        for (var k = lineStart; k < position; k++)
        {
            column = source[k] == '\t' ? (column / 8 + 1) * 8 : column + 1;
        }

        return column;
    }

    private static PythonToken? StringLiteral(
        string source,
        ref int i,
        ref int line,
        ref int lineStart,
        int column,
        bool starts
    )
    {
        var prefixLength = 0;
        while (
            prefixLength < 2
            && i + prefixLength < source.Length
            && "rRbBuUfF".Contains(source[i + prefixLength], StringComparison.Ordinal)
        )
        {
            prefixLength++;
        }

        var quoteAt = i + prefixLength;
        if (quoteAt >= source.Length || source[quoteAt] is not ('\'' or '"'))
        {
            return null;
        }

        var prefix = source.Substring(i, prefixLength).ToLowerInvariant();
        var raw = prefix.Contains('r', StringComparison.Ordinal);
        var quote = source[quoteAt];
        var triple = quoteAt + 2 < source.Length && source[quoteAt + 1] == quote && source[quoteAt + 2] == quote;
        var delimiter = triple ? new string(quote, 3) : quote.ToString();
        var startLine = line;
        var start = i;
        var k = quoteAt + delimiter.Length;
        var value = new StringBuilder();
        while (true)
        {
            if (k >= source.Length || (!triple && source[k] == '\n'))
            {
                throw new PythonSyntaxException("unterminated string literal", startLine);
            }

            if (string.CompareOrdinal(source, k, delimiter, 0, delimiter.Length) == 0)
            {
                k += delimiter.Length;
                break;
            }

            var ch = source[k];
            if (ch == '\n')
            {
                line++;
                lineStart = k + 1;
            }

            if (ch == '\\' && k + 1 < source.Length)
            {
                if (raw)
                {
                    value.Append(ch).Append(source[k + 1]);
                }
                else
                {
                    k = Escape(source, k, value, ref line, ref lineStart);
                    continue;
                }

                k += 2;
                continue;
            }

            value.Append(ch);
            k++;
        }

        i = k;
        return new PythonToken(
            PythonTokenKind.String,
            source[start..k],
            value.ToString(),
            startLine,
            column,
            starts,
            prefix.Contains('f', StringComparison.Ordinal)
        );
    }

    private static int Escape(string source, int k, StringBuilder value, ref int line, ref int lineStart)
    {
        var next = source[k + 1];
        switch (next)
        {
            case '\n':
                line++;
                lineStart = k + 2;
                return k + 2;
            case 'n':
                value.Append('\n');
                return k + 2;
            case 't':
                value.Append('\t');
                return k + 2;
            case 'r':
                value.Append('\r');
                return k + 2;
            case '0':
                value.Append('\0');
                return k + 2;
            case '\\' or '\'' or '"':
                value.Append(next);
                return k + 2;
            case 'x' when k + 3 < source.Length:
                value.Append(
                    (char)
                        int.Parse(source.AsSpan(k + 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
                );
                return k + 4;
            case 'u' when k + 5 < source.Length:
                value.Append(
                    (char)
                        int.Parse(source.AsSpan(k + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
                );
                return k + 6;
            default:
                value.Append('\\').Append(next);
                return k + 2;
        }
    }

    private static PythonToken? Identifier(string source, ref int i, int line, int column, bool starts)
    {
        if (!(char.IsLetter(source[i]) || source[i] == '_'))
        {
            return null;
        }

        var start = i;
        while (i < source.Length && (char.IsLetterOrDigit(source[i]) || source[i] == '_'))
        {
            i++;
        }

        return new PythonToken(PythonTokenKind.Name, source[start..i], null, line, column, starts);
    }

    private static PythonToken? Number(string source, ref int i, int line, int column, bool starts)
    {
        if (
            !char.IsAsciiDigit(source[i])
            && !(source[i] == '.' && i + 1 < source.Length && char.IsAsciiDigit(source[i + 1]))
        )
        {
            return null;
        }

        var start = i;
        while (
            i < source.Length
            && (
                char.IsAsciiLetterOrDigit(source[i])
                || source[i] is '_' or '.'
                || (
                    source[i] is '+' or '-'
                    && source[i - 1] is 'e' or 'E'
                    && !source[start..i].StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                )
            )
        )
        {
            i++;
        }

        return new PythonToken(PythonTokenKind.Number, source[start..i], null, line, column, starts);
    }

    private static PythonToken Operator(string source, ref int i, int line, int column, bool starts)
    {
        foreach (var op in Operators)
        {
            if (string.CompareOrdinal(source, i, op, 0, op.Length) == 0)
            {
                i += op.Length;
                return new PythonToken(PythonTokenKind.Operator, op, null, line, column, starts);
            }
        }

        return new PythonToken(PythonTokenKind.Operator, source[i++].ToString(), null, line, column, starts);
    }
}
