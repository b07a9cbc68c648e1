using System.Globalization;
using DbRecovery.Engine.Alembic.Operations;
using DbRecovery.Engine.Alembic.Python;

namespace DbRecovery.Engine.Alembic;

/// <summary>
/// Reads one Alembic migration file without Python: the module-level assignments that Alembic itself
/// reads (<c>revision</c>, <c>down_revision</c>, <c>branch_labels</c>, <c>depends_on</c>, annotated or
/// not, wherever they stand), the docstring's message and Create Date, and the operations of <c>upgrade()</c>.
/// </summary>
internal static class MigrationFileReader
{
    /// <summary>Reads the file at <paramref name="path"/> whose text is <paramref name="source"/>;
    /// <paramref name="modules"/>, when given, resolve names such as <c>cli.CONTRACT_BRANCH</c> that a module of the
    /// project assigns, and the functions of project modules that <c>upgrade()</c> calls.</summary>
    public static MigrationScript Read(string path, string source, ProjectModules? modules = null)
    {
        var script = new MigrationScript(path);
        if (
            ReadModule(script, source, modules) is { } code
            && code.Names.Substitute(new PythonName("upgrade", 0)) is ModuleProcedure upgrade
        )
        {
            // upgrade() runs once the module is loaded: helpers defined after it are known.
            script.Operations.AddRange(UpgradeBodyReader.Read(upgrade, script, code));
        }

        return script;
    }

    /// <summary>The top level of a project module that a migration calls into (its warnings are not kept).</summary>
    public static ModuleCode? ReadModule(string path, ProjectModules modules) =>
        ReadModule(new MigrationScript(path), File.ReadAllText(path), modules);

    private static ModuleCode? ReadModule(MigrationScript script, string source, ProjectModules? modules)
    {
        var resolve = modules is null ? null : Resolver(modules, source);
        List<PythonToken> tokens;
        try
        {
            tokens = PythonTokenizer.Tokenize(source);
        }
        catch (PythonSyntaxException ex)
        {
            script.Warn(ex.Line, ex.Message);
            return null;
        }

        PythonModuleScope? scope = null;
        var code = new ModuleCode(
            tokens,
            dotted => modules?.Procedure(scope ??= PythonModuleScope.Read(source), dotted),
            modules is null
                ? null
                : name =>
                    modules.Resolve(scope ??= PythonModuleScope.Read(source), name)
                    ?? modules.Imported(scope, name.Dotted) switch
                    {
                        TypeDecoratorClass type => type,
                        PythonFunction helper => helper,
                        _ => null,
                    }
        );
        var parser = new PythonExpressionParser(tokens);
        var first = true;
        while (parser.Current.Kind != PythonTokenKind.EndOfFile)
        {
            var start = parser.Position;
            try
            {
                ReadTopLevelStatement(parser, script, first, resolve, code);
            }
            catch (PythonSyntaxException ex)
            {
                script.Warn(ex.Line, ex.Message);
                parser.Position = start;
                parser.SkipLogicalLine();
            }

            first = false;
        }

        return code;
    }

    /// <summary>
    /// Follows a name to the literal the migration's module, or a project module it imports, assigns to it.
    /// </summary>
    private static Func<PythonExpression, PythonExpression> Resolver(ProjectModules modules, string source)
    {
        PythonModuleScope? scope = null;
        return value =>
            value is PythonName && modules.Resolve(scope ??= PythonModuleScope.Read(source), value) is { } resolved
                ? resolved
                : value;
    }

    private static void ReadTopLevelStatement(
        PythonExpressionParser parser,
        MigrationScript script,
        bool first,
        Func<PythonExpression, PythonExpression>? resolve,
        ModuleCode code
    )
    {
        var module = code.Names;
        var token = parser.Current;
        if (token.Column > 0)
        {
            parser.SkipLogicalLine();
            return;
        }

        if (first && token.Kind == PythonTokenKind.String)
        {
            ReadDocstring(token, script);
            parser.SkipLogicalLine();
            return;
        }

        if (token.Is("def"))
        {
            parser.Next();
            var name = parser.Next().Text;
            var (parameters, defaults) = ReadSignature(parser, module);
            parser.SkipLogicalLine();
            module.Bind(
                name,
                (PythonExpression?)Helper(parser, parameters, defaults)
                    ?? new ModuleProcedure(code, parameters, defaults, parser.Position, token.Column, token.Line)
            );
            return;
        }

        if (token.Is("class"))
        {
            parser.Next();
            var name = parser.Next().Text;
            var bases = parser.Accept("(") && !parser.Current.Is(")") ? parser.Parse(allowTuple: true) : null;
            parser.SkipLogicalLine();
            if (TypeDecorator(parser, module, bases, token.Line) is { } type)
            {
                module.Bind(name, type);
            }

            return;
        }

        if (
            token.Kind == PythonTokenKind.Name
            && (
                parser.Current.Is("revision")
                || parser.Current.Is("down_revision")
                || parser.Current.Is("branch_labels")
                || parser.Current.Is("depends_on")
            )
        )
        {
            var name = parser.Next().Text;
            if (parser.Accept(":"))
            {
                parser.Parse();
            }

            if (parser.Accept("="))
            {
                Assign(script, name, parser.Parse(allowTuple: true), resolve ?? (v => v));
            }
        }
        else if (token.Kind == PythonTokenKind.Name && parser.Peek(1).Is("="))
        {
            // A module-level name (a list of tables, a constant) that upgrade() may use.
            var name = parser.Next().Text;
            parser.Next();
            module.Bind(name, module.Substitute(parser.Parse(allowTuple: true)));
        }

        parser.SkipLogicalLine();
    }

    /// <summary>
    /// The parameters of a <c>def</c> (the parser at its parameter list): names in order, without <c>*args</c>,
    /// <c>**kwargs</c> and annotations, and the defaults given (resolved in <paramref name="module"/>).
    /// </summary>
    private static (List<string> Parameters, Dictionary<string, PythonExpression> Defaults) ReadSignature(
        PythonExpressionParser parser,
        LocalNames module
    )
    {
        var parameters = new List<string>();
        var defaults = new Dictionary<string, PythonExpression>(StringComparer.Ordinal);
        if (!parser.Accept("("))
        {
            return (parameters, defaults);
        }

        while (!parser.Accept(")"))
        {
            var starred = parser.Accept("*") || parser.Accept("**");
            if (parser.Accept("/") || parser.Accept(","))
            {
                continue;
            }

            var name = parser.Next().Text;
            if (parser.Accept(":"))
            {
                parser.Parse();
            }

            if (parser.Accept("="))
            {
                defaults[name] = module.Substitute(parser.Parse());
            }

            if (!starred)
            {
                parameters.Add(name);
            }

            parser.Accept(",");
        }

        return (parameters, defaults);
    }

    /// <summary>
    /// A module-level helper whose body is one <c>return</c> (after an optional docstring) and whose parameters have
    /// no defaults, as a function the reader can evaluate; the parser stands at its body and stays there.
    /// </summary>
    private static PythonFunction? Helper(
        PythonExpressionParser parser,
        List<string> parameters,
        Dictionary<string, PythonExpression> defaults
    )
    {
        var body = parser.Position;
        if (defaults.Count > 0)
        {
            return null;
        }

        if (parser.Current.Kind == PythonTokenKind.String)
        {
            parser.SkipLogicalLine();
        }

        var line = parser.Current.Line;
        try
        {
            return parser.Current.Column > 0 && parser.Accept("return")
                ? new PythonFunction(parameters, parser.Parse(allowTuple: true), line)
                : null;
        }
        finally
        {
            parser.Position = body;
        }
    }

    /// <summary>
    /// The class whose body the parser stands at as a column type, when it (or the first of its bases that is one)
    /// says <c>impl = …</c> and does not choose by dialect (<c>load_dialect_impl</c>); the parser stays where it is.
    /// </summary>
    private static TypeDecoratorClass? TypeDecorator(
        PythonExpressionParser parser,
        LocalNames module,
        PythonExpression? bases,
        int line
    )
    {
        var body = parser.Position;
        var column = parser.Current.Column;
        TypeDecoratorClass? found = null;
        try
        {
            while (column > 0 && parser.Current.Kind != PythonTokenKind.EndOfFile && parser.Current.Column >= column)
            {
                var atClassLevel = parser.Current.Column == column;
                if (atClassLevel && parser.Current.Is("def") && parser.Peek(1).Is("load_dialect_impl"))
                {
                    // The type depends on the dialect: its name decides (sqlalchemy_utils' UUIDType is uuid).
                    return null;
                }

                if (atClassLevel && parser.Current.Is("impl") && parser.Peek(1).Is("="))
                {
                    parser.Next();
                    parser.Next();
                    found = new TypeDecoratorClass(module.Substitute(parser.Parse()), line);
                }

                parser.SkipLogicalLine();
            }
        }
        catch (PythonSyntaxException)
        {
            // An impl the parser cannot read: the class is not a known type.
        }
        finally
        {
            parser.Position = body;
        }

        var inherited =
            bases is PythonSequence sequence ? sequence.Items
            : bases is null ? []
            : [bases];
        return found ?? inherited.Select(module.Substitute).OfType<TypeDecoratorClass>().FirstOrDefault();
    }

    private static void Assign(
        MigrationScript script,
        string name,
        PythonExpression value,
        Func<PythonExpression, PythonExpression> resolve
    )
    {
        value = resolve(value);
        switch (name)
        {
            case "revision":
                script.Revision = value.AsString() ?? Unresolved(script, name, value);
                break;
            case "down_revision":
                script.DownRevisions = Strings(script, name, value, resolve);
                break;
            case "branch_labels":
                script.BranchLabels = Strings(script, name, value, resolve);
                break;
            default:
                script.DependsOn = Strings(script, name, value, resolve);
                break;
        }
    }

    private static List<string> Strings(
        MigrationScript script,
        string name,
        PythonExpression value,
        Func<PythonExpression, PythonExpression> resolve
    )
    {
        if (value.IsNone)
        {
            return [];
        }

        var items = value is PythonSequence sequence ? sequence.Items : [value];
        var strings = new List<string>();
        foreach (var item in items.Select(resolve))
        {
            if (item.AsString() is { } text)
            {
                strings.Add(text);
            }
            else
            {
                Unresolved(script, name, item);
            }
        }

        return strings;
    }

    private static string? Unresolved(MigrationScript script, string name, PythonExpression value)
    {
        var shown = value is PythonName n
            ? n.Dotted
            : value.GetType().Name.Replace("Python", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
        script.Warn(
            value.Line,
            $"{name} uses {shown}, which cannot be resolved without running Python; it is left out"
        );
        return null;
    }

    private static void ReadDocstring(PythonToken token, MigrationScript script)
    {
        var lines = (token.Value ?? string.Empty).Split('\n').Select(l => l.Trim()).ToList();
        script.Message = lines.FirstOrDefault(l => l.Length > 0);
        var created = lines.FirstOrDefault(l => l.StartsWith("Create Date:", StringComparison.Ordinal));
        if (
            created is not null
            && DateTime.TryParse(
                created["Create Date:".Length..].Trim(),
                CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeLocal,
                out var date
            )
        )
        {
            script.CreateDate = date;
        }
    }
}
