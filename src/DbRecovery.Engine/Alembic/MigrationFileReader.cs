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
    /// <summary>Reads the file at <paramref name="path"/> whose text is <paramref name="source"/>; <paramref name="modules"/>, when given, resolve names such as <c>cli.CONTRACT_BRANCH</c> that a module of the project assigns.</summary>
    public static MigrationScript Read(string path, string source, ProjectModules? modules = null)
    {
        var script = new MigrationScript(path);
        var resolve = modules is null ? null : Resolver(modules, source);
        List<PythonToken> tokens;
        try
        {
            tokens = PythonTokenizer.Tokenize(source);
        }
        catch (PythonSyntaxException ex)
        {
            script.Warn(ex.Line, ex.Message);
            return script;
        }

        var parser = new PythonExpressionParser(tokens);
        var first = true;
        var module = new LocalNames();
        while (parser.Current.Kind != PythonTokenKind.EndOfFile)
        {
            var start = parser.Position;
            try
            {
                ReadTopLevelStatement(parser, script, first, resolve, module);
            }
            catch (PythonSyntaxException ex)
            {
                script.Warn(ex.Line, ex.Message);
                parser.Position = start;
                SkipLogicalLine(parser);
            }

            first = false;
        }

        return script;
    }

    /// <summary>Follows a name to the literal the migration's module, or a project module it imports, assigns to it.</summary>
    private static Func<PythonExpression, PythonExpression> Resolver(ProjectModules modules, string source)
    {
        PythonModuleScope? scope = null;
        return value => value is PythonName && modules.Resolve(scope ??= PythonModuleScope.Read(source), value) is { } resolved ? resolved : value;
    }

    private static void ReadTopLevelStatement(
        PythonExpressionParser parser, MigrationScript script, bool first, Func<PythonExpression, PythonExpression>? resolve, LocalNames module)
    {
        var token = parser.Current;
        if (token.Column > 0)
        {
            SkipLogicalLine(parser);
            return;
        }

        if (first && token.Kind == PythonTokenKind.String)
        {
            ReadDocstring(token, script);
            SkipLogicalLine(parser);
            return;
        }

        if (token.Is("def"))
        {
            parser.Next();
            var name = parser.Next().Text;
            var start = parser.Position;
            SkipLogicalLine(parser);
            if (name == "upgrade")
            {
                script.Operations.AddRange(UpgradeBodyReader.Read(parser, script, token.Column, module));
            }
            else if (Helper(parser, start) is { } helper)
            {
                module.Bind(name, helper);
            }

            return;
        }

        if (token.Kind == PythonTokenKind.Name && (parser.Current.Is("revision") || parser.Current.Is("down_revision") || parser.Current.Is("branch_labels") || parser.Current.Is("depends_on")))
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

        SkipLogicalLine(parser);
    }

    /// <summary>
    /// A module-level helper whose body is one <c>return</c> (after an optional docstring), as a function the reader can call;
    /// the parser stands at its parameter list (<paramref name="parameters"/>) and, after the header, at its body.
    /// </summary>
    private static PythonFunction? Helper(PythonExpressionParser parser, int parameters)
    {
        var body = parser.Position;
        parser.Position = parameters;
        var names = new List<string>();
        if (!parser.Accept("("))
        {
            parser.Position = body;
            return null;
        }

        while (parser.Current.Kind == PythonTokenKind.Name)
        {
            names.Add(parser.Next().Text);
            if (!parser.Accept(","))
            {
                break;
            }
        }

        var simple = parser.Accept(")");
        parser.Position = body;
        if (!simple)
        {
            return null;
        }

        if (parser.Current.Kind == PythonTokenKind.String)
        {
            SkipLogicalLine(parser);
        }

        var line = parser.Current.Line;
        return parser.Current.Column > 0 && parser.Accept("return") ? new PythonFunction(names, parser.Parse(allowTuple: true), line) : null;
    }

    private static void Assign(MigrationScript script, string name, PythonExpression value, Func<PythonExpression, PythonExpression> resolve)
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

    private static List<string> Strings(MigrationScript script, string name, PythonExpression value, Func<PythonExpression, PythonExpression> resolve)
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
        var shown = value is PythonName n ? n.Dotted : value.GetType().Name.Replace("Python", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
        script.Warn(value.Line, $"{name} uses {shown}, which cannot be resolved without running Python; it is left out");
        return null;
    }

    private static void ReadDocstring(PythonToken token, MigrationScript script)
    {
        var lines = (token.Value ?? string.Empty).Split('\n').Select(l => l.Trim()).ToList();
        script.Message = lines.FirstOrDefault(l => l.Length > 0);
        var created = lines.FirstOrDefault(l => l.StartsWith("Create Date:", StringComparison.Ordinal));
        if (created is not null && DateTime.TryParse(created["Create Date:".Length..].Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var date))
        {
            script.CreateDate = date;
        }
    }

    internal static void SkipLogicalLine(PythonExpressionParser parser)
    {
        while (parser.Current.Kind is not (PythonTokenKind.Newline or PythonTokenKind.EndOfFile))
        {
            parser.Next();
        }

        if (parser.Current.Kind == PythonTokenKind.Newline)
        {
            parser.Next();
        }
    }
}
