namespace DbRecovery.Engine.Alembic.Python;

/// <summary>
/// What a Python module binds at its top level, read without running it: <c>NAME = expression</c>
/// assignments (annotated or not) and <c>import</c>/<c>from … import</c> aliases. Statements it cannot
/// read are skipped.
/// </summary>
internal sealed class PythonModuleScope
{
    private readonly List<PythonToken> _tokens;

    private PythonModuleScope(List<PythonToken> tokens)
    {
        _tokens = tokens;
    }

    /// <summary>Top-level assignments, the last one winning as in Python.</summary>
    public Dictionary<string, PythonExpression> Assignments { get; } = new(StringComparer.Ordinal);

    /// <summary>Imported names: alias to (module, attribute), the attribute null for <c>import module</c>.</summary>
    public Dictionary<string, (string Module, string? Attribute)> Imports { get; } = new(StringComparer.Ordinal);

    public static PythonModuleScope Read(string source)
    {
        List<PythonToken> tokens;
        try
        {
            tokens = PythonTokenizer.Tokenize(source);
        }
        catch (PythonSyntaxException)
        {
            return new PythonModuleScope([new PythonToken(PythonTokenKind.EndOfFile, string.Empty, null, 1, 0, true)]);
        }

        var scope = new PythonModuleScope(tokens);
        var parser = new PythonExpressionParser(tokens);
        while (parser.Current.Kind != PythonTokenKind.EndOfFile)
        {
            var start = parser.Position;
            try
            {
                if (parser.Current.Column == 0)
                {
                    scope.ReadStatement(parser);
                }
            }
            catch (PythonSyntaxException)
            {
                parser.Position = start;
            }

            parser.SkipLogicalLine();
        }

        return scope;
    }

    /// <summary>
    /// Every value given to the keyword argument <paramref name="keyword"/> anywhere in the module, e.g.
    /// <c>naming_convention=</c>.
    /// </summary>
    public IEnumerable<PythonExpression> KeywordValues(string keyword)
    {
        for (var i = 0; i + 1 < _tokens.Count; i++)
        {
            if (_tokens[i].Kind == PythonTokenKind.Name && _tokens[i].Text == keyword && _tokens[i + 1].Is("="))
            {
                var parser = new PythonExpressionParser(_tokens) { Position = i + 2 };
                PythonExpression? value;
                try
                {
                    value = parser.Parse();
                }
                catch (PythonSyntaxException)
                {
                    value = null;
                }

                if (value is not null)
                {
                    yield return value;
                }
            }
        }
    }

    private void ReadStatement(PythonExpressionParser parser)
    {
        if (parser.Accept("import"))
        {
            do
            {
                var module = DottedName(parser);
                Imports[parser.Accept("as") ? parser.Next().Text : module] = (module, null);
            } while (parser.Accept(","));
            return;
        }

        if (parser.Accept("from"))
        {
            if (parser.Current.Is("."))
            {
                return;
            }

            var module = DottedName(parser);
            parser.Expect("import");
            var parenthesized = parser.Accept("(");
            do
            {
                if (parenthesized && parser.Current.Is(")"))
                {
                    break;
                }

                var name = parser.Next().Text;
                Imports[parser.Accept("as") ? parser.Next().Text : name] = (module, name);
            } while (parser.Accept(","));
            return;
        }

        if (parser.Current.Kind == PythonTokenKind.Name)
        {
            var name = parser.Next().Text;
            if (parser.Accept(":"))
            {
                parser.Parse();
            }

            // "A = B = 'x'" binds both names to the last value.
            var names = new List<string> { name };
            PythonExpression? value = null;
            while (parser.Accept("="))
            {
                if (value is PythonName chained)
                {
                    names.Add(chained.Dotted);
                }

                value = parser.Parse(allowTuple: true);
            }

            foreach (var bound in value is null ? [] : names)
            {
                Assignments[bound] = value!;
            }
        }
    }

    private static string DottedName(PythonExpressionParser parser) =>
        parser.Parse() is PythonName name
            ? name.Dotted
            : throw new PythonSyntaxException("expected a module name", parser.Current.Line);
}
