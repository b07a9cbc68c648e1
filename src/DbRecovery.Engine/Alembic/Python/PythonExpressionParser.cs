namespace DbRecovery.Engine.Alembic.Python;

/// <summary>
/// Parses expressions from a token list. Constructs it does not model (lambda, comprehensions,
/// conditional expressions, keyword operators) become <see cref="PythonOpaque"/> spanning to the
/// next comma or closing bracket at their level, so one odd argument never derails a file.
/// </summary>
internal sealed class PythonExpressionParser(IReadOnlyList<PythonToken> tokens)
{
    private static readonly HashSet<string> BinaryOperators =
    [
        "|",
        "+",
        "-",
        "*",
        "/",
        "%",
        "&",
        "^",
        "//",
        "**",
        "@",
        "<<",
        ">>",
        "==",
        "!=",
        "<",
        ">",
        "<=",
        ">=",
    ];

    private static readonly HashSet<string> KeywordOperators =
    [
        "if",
        "else",
        "and",
        "or",
        "not",
        "in",
        "is",
        "for",
        "lambda",
        "async",
        "await",
    ];

    public int Position { get; set; }

    public PythonToken Current => tokens[Position];

    public PythonToken Next() => tokens[Position++];

    /// <summary>
    /// The token <paramref name="ahead"/> places after the current one (the end-of-file token past the end).
    /// </summary>
    public PythonToken Peek(int ahead) => tokens[Math.Min(Position + ahead, tokens.Count - 1)];

    public bool Accept(string text)
    {
        if (Current.Is(text))
        {
            Position++;
            return true;
        }

        return false;
    }

    public void Expect(string text)
    {
        if (!Accept(text))
        {
            throw new PythonSyntaxException($"expected '{text}' but found '{Current.Text}'", Current.Line);
        }
    }

    /// <summary>Moves past the rest of the logical line and its end.</summary>
    public void SkipLogicalLine()
    {
        while (Current.Kind is not (PythonTokenKind.Newline or PythonTokenKind.EndOfFile))
        {
            Next();
        }

        if (Current.Kind == PythonTokenKind.Newline)
        {
            Next();
        }
    }

    /// <summary>Parses an expression; bare tuples (<c>a, b</c>) only when <paramref name="allowTuple"/>.</summary>
    public PythonExpression Parse(bool allowTuple = false)
    {
        var line = Current.Line;
        var first = ParseSimple();
        if (!allowTuple || !Current.Is(","))
        {
            return first;
        }

        var items = new List<PythonExpression> { first };
        while (Accept(",") && !AtEndOfExpression())
        {
            items.Add(ParseSimple());
        }

        return new PythonSequence(items, line);
    }

    private PythonExpression ParseSimple()
    {
        var start = Position;
        var left = ParseOr();
        if (Current.Kind == PythonTokenKind.Name && KeywordOperators.Contains(Current.Text))
        {
            return SkipToEnd(start);
        }

        return left;
    }

    // Boolean and membership operators, for the conditions a migration tests (if dialect.name not in ("mysql", ...)).
    private PythonExpression ParseOr()
    {
        var left = ParseAnd();
        while (Accept("or"))
        {
            left = new PythonBinary(left, "or", ParseAnd(), left.Line);
        }

        return left;
    }

    private PythonExpression ParseAnd()
    {
        var left = ParseNot();
        while (Accept("and"))
        {
            left = new PythonBinary(left, "and", ParseNot(), left.Line);
        }

        return left;
    }

    private PythonExpression ParseNot()
    {
        var line = Current.Line;
        return Accept("not") ? new PythonNot(ParseNot(), line) : ParseComparison();
    }

    private PythonExpression ParseComparison()
    {
        var left = ParseArithmetic();
        while (true)
        {
            var op =
                Current.Is("in") ? "in"
                : Current.Is("not") && tokens[Position + 1].Is("in") ? "not in"
                : Current.Is("is") ? (tokens[Position + 1].Is("not") ? "is not" : "is")
                : null;
            if (op is null)
            {
                return left;
            }

            Position += op.Count(c => c == ' ') + 1;
            left = new PythonBinary(left, op, ParseArithmetic(), left.Line);
        }
    }

    private PythonExpression ParseArithmetic()
    {
        var left = ParseUnary();
        while (Current.Kind == PythonTokenKind.Operator && BinaryOperators.Contains(Current.Text))
        {
            var op = Next().Text;
            left = new PythonBinary(left, op, ParseUnary(), left.Line);
        }

        return left;
    }

    private PythonExpression ParseUnary()
    {
        if (Current.Is("-") || Current.Is("+") || Current.Is("~") || Current.Is("*") || Current.Is("**"))
        {
            var op = Next();
            var operand = ParseUnary();
            return operand is PythonNumber n && op.Text == "-" ? n with { Text = "-" + n.Text } : operand;
        }

        if (Current.Is("lambda") && tokens[Position + 1].Is(":"))
        {
            var line = Next().Line;
            Next();
            return new PythonFunction([], ParseOr(), line);
        }

        if (Current.Is("lambda") || Current.Is("await"))
        {
            return SkipToEnd(Position);
        }

        return ParsePostfix(ParseAtom());
    }

    private PythonExpression ParsePostfix(PythonExpression target)
    {
        while (true)
        {
            if (Accept("."))
            {
                var name = Next();
                if (name.Kind != PythonTokenKind.Name)
                {
                    throw new PythonSyntaxException($"expected a name after '.', found '{name.Text}'", name.Line);
                }

                target = target is PythonName dotted
                    ? new PythonName(dotted.Dotted + "." + name.Text, dotted.Line)
                    : new PythonAttribute(target, name.Text, target.Line);
            }
            else if (Current.Is("("))
            {
                target = ParseCall(target);
            }
            else if (Accept("["))
            {
                var index = Parse(allowTuple: true);
                Expect("]");
                target = new PythonSubscript(target, index, target.Line);
            }
            else
            {
                return target;
            }
        }
    }

    private PythonCall ParseCall(PythonExpression function)
    {
        var line = Current.Line;
        Expect("(");
        var arguments = new List<PythonExpression>();
        var keywords = new Dictionary<string, PythonExpression>(StringComparer.Ordinal);
        if (Comprehension(line, ")") is { } generator)
        {
            // f(x for x in items): a generator as the only argument, its parentheses the call's.
            return new PythonCall(function, [generator], keywords, line);
        }

        while (!Accept(")"))
        {
            if (Current.Kind == PythonTokenKind.Name && tokens[Position + 1].Is("="))
            {
                var name = Next().Text;
                Position++;
                keywords[name] = ParseSimple();
            }
            else if (Accept("**"))
            {
                ParseSimple();
            }
            else
            {
                arguments.Add(ParseSimple());
            }

            if (!Accept(","))
            {
                Expect(")");
                break;
            }
        }

        return new PythonCall(function, arguments, keywords, line);
    }

    private PythonExpression ParseAtom()
    {
        var token = Current;
        switch (token.Kind)
        {
            case PythonTokenKind.String:
                return ParseStrings();
            case PythonTokenKind.Number:
                Position++;
                return new PythonNumber(token.Text, token.Line);
            case PythonTokenKind.Name:
                Position++;
                return new PythonName(token.Text, token.Line);
        }

        if (token.Is("(") || token.Is("[") || token.Is("{"))
        {
            return ParseDisplay();
        }

        if (token.Is("..."))
        {
            Position++;
            return new PythonName("Ellipsis", token.Line);
        }

        throw new PythonSyntaxException($"unexpected '{token.Text}'", token.Line);
    }

    /// <summary>Adjacent string literals concatenate, as in Python.</summary>
    private PythonString ParseStrings()
    {
        var line = Current.Line;
        var value = new System.Text.StringBuilder();
        var formatted = false;
        while (Current.Kind == PythonTokenKind.String)
        {
            var part = Next();
            value.Append(part.Value);
            formatted |= part.IsFormatted;
        }

        return new PythonString(value.ToString(), formatted, line);
    }

    private PythonExpression ParseDisplay()
    {
        var open = Next();
        var close = open.Text switch
        {
            "(" => ")",
            "[" => "]",
            _ => "}",
        };
        var items = new List<PythonExpression>();
        var values = new List<PythonExpression>();
        var isDictionary = false;
        var hasComma = false;
        if (close != "}" && Comprehension(open.Line, close) is { } comprehension)
        {
            return comprehension;
        }

        while (!Accept(close))
        {
            items.Add(ParseSimple());
            if (Accept(":"))
            {
                isDictionary = true;
                values.Add(ParseSimple());
            }

            if (Current.Is("for"))
            {
                SkipToEnd(Position);
            }

            if (!Accept(","))
            {
                Expect(close);
                break;
            }

            hasComma = true;
        }

        if (isDictionary)
        {
            return new PythonDictionary(items.Zip(values).ToList(), open.Line);
        }

        // A parenthesised single expression is that expression; "(x,)" is a one-element tuple.
        return open.Text == "(" && items.Count == 1 && !hasComma ? items[0] : new PythonSequence(items, open.Line);
    }

    /// <summary>
    /// A comprehension of one <c>for</c> (and <c>if</c> filters) up to <paramref name="close"/>, or null with nothing
    /// consumed.
    /// </summary>
    private PythonComprehension? Comprehension(int line, string close)
    {
        var start = Position;
        try
        {
            var element = ParseOr();
            if (!Accept("for"))
            {
                Position = start;
                return null;
            }

            var targets = new List<string>();
            Accept("(");
            while (Current.Kind == PythonTokenKind.Name && !Current.Is("in"))
            {
                targets.Add(Next().Text);
                Accept(",");
                Accept(")");
            }

            Expect("in");
            var iterable = ParseOr();
            var conditions = new List<PythonExpression>();
            while (Accept("if"))
            {
                conditions.Add(ParseOr());
            }

            Expect(close);
            return new PythonComprehension(element, targets, iterable, conditions, line);
        }
        catch (PythonSyntaxException)
        {
            Position = start;
            return null;
        }
    }

    private bool AtEndOfExpression() =>
        Current.Kind is PythonTokenKind.Newline or PythonTokenKind.EndOfFile
        || Current.Is("=")
        || Current.Is(")")
        || Current.Is("]")
        || Current.Is("}")
        || Current.Is(":");

    /// <summary>Skips to the next comma or closing bracket at this level (or the end of the line).</summary>
    private PythonOpaque SkipToEnd(int start)
    {
        var depth = 0;
        while (Current.Kind is not (PythonTokenKind.Newline or PythonTokenKind.EndOfFile))
        {
            if (Current.Is("(") || Current.Is("[") || Current.Is("{"))
            {
                depth++;
            }
            else if (Current.Is(")") || Current.Is("]") || Current.Is("}") || (Current.Is(",") && depth == 0))
            {
                if (depth == 0)
                {
                    break;
                }

                depth--;
            }

            Position++;
        }

        return new PythonOpaque(
            string.Join(" ", tokens.Skip(start).Take(Position - start).Select(t => t.Text)),
            tokens[start].Line
        );
    }
}
