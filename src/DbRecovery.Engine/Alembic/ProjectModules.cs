using DbRecovery.Engine.Alembic.Python;

namespace DbRecovery.Engine.Alembic;

/// <summary>
/// The project's own Python modules, read statically: a dotted module name is found by walking up from the versions
/// folders (<c>neutron.db.migration.cli</c> is <c>…/neutron/db/migration/cli.py</c> under some ancestor, or under a
/// folder alembic.ini's <c>prepend_sys_path</c> names), and a name in a migration or in env.py is followed through
/// imports and module-level assignments to the literal it stands for. Only modules under those folders are read (a
/// packaged project's neighbours among them, such as neutron_lib beside neutron).
/// </summary>
internal sealed class ProjectModules
{
    private const int MaxDepth = 8;

    private readonly IReadOnlyList<string> _roots;
    private readonly Dictionary<string, PythonModuleScope?> _scopes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ModuleCode?> _code = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _files = new(StringComparer.Ordinal);

    private ProjectModules(IReadOnlyList<string> roots)
    {
        _roots = roots;
    }

    /// <summary>The env.py of the project, when there is one.</summary>
    public string? EnvFile { get; private init; }

    public static ProjectModules For(AlembicProject project)
    {
        ArgumentNullException.ThrowIfNull(project);
        var roots = new List<string>(project.SysPath);
        foreach (var location in project.VersionLocations)
        {
            for (var folder = new DirectoryInfo(location); folder is not null; folder = folder.Parent)
            {
                if (!roots.Contains(folder.FullName, StringComparer.Ordinal))
                {
                    roots.Add(folder.FullName);
                }
            }
        }

        var env =
            project.ScriptLocation is { } script && File.Exists(Path.Combine(script, "env.py"))
                ? Path.Combine(script, "env.py")
                : project
                    .VersionLocations.Select(l => Path.GetFullPath(l).TrimEnd(Path.DirectorySeparatorChar))
                    .Select(l => Path.Combine(Path.GetDirectoryName(l) ?? l, "env.py"))
                    .FirstOrDefault(File.Exists);
        return new ProjectModules(roots) { EnvFile = env };
    }

    /// <summary>The scope of the Python file at <paramref name="path"/> (cached).</summary>
    public PythonModuleScope? ScopeOf(string path)
    {
        if (!_scopes.TryGetValue(path, out var scope))
        {
            _scopes[path] = scope = File.Exists(path) ? PythonModuleScope.Read(File.ReadAllText(path)) : null;
        }

        return scope;
    }

    /// <summary>
    /// What <paramref name="value"/> stands for in <paramref name="scope"/>: itself unless it is a name, else the
    /// literal a module-level assignment gives that name, here or in the project module it is imported from.
    /// </summary>
    public PythonExpression? Resolve(PythonModuleScope scope, PythonExpression value, int depth = 0)
    {
        if (value is PythonSequence sequence && depth <= MaxDepth)
        {
            // (ANY, *VALID_DIRECTIONS): names inside a constant tuple are constants of the same module; a name that is
            // a tuple itself is unpacked (starred, as such tuples are).
            return sequence with
            {
                Items = sequence
                    .Items.SelectMany(i =>
                        i is PythonName && Resolve(scope, i, depth + 1) is { } item
                            ? item is PythonSequence inner
                                ? inner.Items
                                : [item]
                            : [i]
                    )
                    .ToList(),
            };
        }

        if (value is not PythonName name || depth > MaxDepth)
        {
            return value is PythonName ? null : value;
        }

        if (scope.Assignments.TryGetValue(name.Dotted, out var assigned))
        {
            return Resolve(scope, assigned, depth + 1);
        }

        // The longest imported prefix: "cli.CONTRACT_BRANCH" with "from neutron.db.migration import cli".
        var parts = name.Dotted.Split('.');
        for (var length = parts.Length; length > 0; length--)
        {
            var alias = string.Join('.', parts[..length]);
            if (!scope.Imports.TryGetValue(alias, out var import))
            {
                continue;
            }

            var rest = parts[length..];
            var module = import.Attribute is null ? import.Module : $"{import.Module}.{import.Attribute}";
            if (FileOf(module) is { } file && ScopeOf(file) is { } moduleScope)
            {
                return rest.Length == 0
                    ? null
                    : Resolve(moduleScope, new PythonName(string.Join('.', rest), name.Line), depth + 1);
            }

            if (
                import.Attribute is not null
                && FileOf(import.Module) is { } parent
                && ScopeOf(parent) is { } parentScope
            )
            {
                return Resolve(
                    parentScope,
                    new PythonName(string.Join('.', new[] { import.Attribute }.Concat(rest)), name.Line),
                    depth + 1
                );
            }

            return null;
        }

        return null;
    }

    /// <summary>
    /// The procedure a called name stands for when <paramref name="scope"/> imports it from a project module:
    /// <c>agent_init_ops.upgrade</c> with <c>from neutron.db.migration.alembic_migrations import agent_init_ops</c>, or
    /// <c>create_table</c> with <c>from app.migration_helpers import create_table</c>.
    /// </summary>
    public ModuleProcedure? Procedure(PythonModuleScope scope, string dotted) =>
        Imported(scope, dotted) as ModuleProcedure;

    /// <summary>What a name <paramref name="scope"/> imports from a project module stands for there: a procedure, a
    /// column type, a constant (as that module binds it), or null.</summary>
    public PythonExpression? Imported(PythonModuleScope scope, string dotted)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(dotted);
        var parts = dotted.Split('.');
        for (var length = parts.Length; length > 0; length--)
        {
            if (!scope.Imports.TryGetValue(string.Join('.', parts[..length]), out var import))
            {
                continue;
            }

            var module = import.Attribute is null ? import.Module : $"{import.Module}.{import.Attribute}";
            var (file, name, rest) =
                length < parts.Length ? (FileOf(module), parts[length], parts[(length + 1)..])
                : import.Attribute is not null ? (FileOf(import.Module), import.Attribute, [])
                : ((string?)null, string.Empty, Array.Empty<string>());
            var bound =
                file is null || CodeOf(file) is not { } code
                    ? null
                    : code.Names.Substitute(new PythonName(name, 0)) switch
                    {
                        PythonName => null,
                        // A helper's body is read where it is defined: its names are that module's.
                        PythonFunction helper => helper with { Body = code.Names.Substitute(helper.Body) },
                        var value => value,
                    };

            // JsonEncodedDict.impl: what a column type is stored as.
            return rest switch
            {
                [] => bound,
                ["impl"] when bound is TypeDecoratorClass type => type.Impl,
                _ => null,
            };
        }

        return null;
    }

    private ModuleCode? CodeOf(string file)
    {
        if (!_code.TryGetValue(file, out var code))
        {
            _code[file] = null; // a module that imports itself back is read once
            _code[file] = code = MigrationFileReader.ReadModule(file, this);
        }

        return code;
    }

    /// <summary>
    /// The project modules <paramref name="scope"/> imports from (for following a setting into them).
    /// </summary>
    public IEnumerable<PythonModuleScope> ImportedScopes(PythonModuleScope scope) =>
        scope
            .Imports.Values.Select(i =>
                FileOf(i.Attribute is null ? i.Module : $"{i.Module}.{i.Attribute}") ?? FileOf(i.Module)
            )
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Select(ScopeOf)
            .OfType<PythonModuleScope>();

    /// <summary>
    /// The naming convention of the MetaData env.py gives Alembic, which Alembic's operations use too:
    /// the first <c>naming_convention=</c> literal dict in env.py or in the project modules it imports.
    /// </summary>
    public IReadOnlyDictionary<string, string>? NamingConvention()
    {
        if (EnvFile is null || ScopeOf(EnvFile) is not { } env)
        {
            return null;
        }

        var seen = new HashSet<PythonModuleScope>(ReferenceEqualityComparer.Instance);
        var pending = new Queue<PythonModuleScope>([env]);
        while (pending.Count > 0 && seen.Count <= MaxDepth)
        {
            var scope = pending.Dequeue();
            if (!seen.Add(scope))
            {
                continue;
            }

            foreach (var value in scope.KeywordValues("naming_convention"))
            {
                if (Resolve(scope, value) is PythonDictionary dictionary)
                {
                    return dictionary
                        .Entries.Select(e =>
                            (
                                Key: e.Key.AsString() ?? (e.Key is PythonName n ? n.Last : null),
                                Value: e.Value.AsString()
                            )
                        )
                        .Where(e => e.Key is not null && e.Value is not null)
                        .ToDictionary(e => e.Key!, e => e.Value!, StringComparer.Ordinal);
                }
            }

            foreach (var imported in ImportedScopes(scope))
            {
                pending.Enqueue(imported);
            }
        }

        return null;
    }

    // Every name a migration uses may ask (sa.Column asks for sqlalchemy): each module is looked for once.
    private string? FileOf(string module)
    {
        if (!_files.TryGetValue(module, out var file))
        {
            var relative = Path.Combine(module.Split('.'));
            _files[module] = file = _roots
                .Select(root => Path.Combine(root, relative + ".py"))
                .FirstOrDefault(File.Exists)
                ?? _roots.Select(root => Path.Combine(root, relative, "__init__.py")).FirstOrDefault(File.Exists);
        }

        return file;
    }
}
