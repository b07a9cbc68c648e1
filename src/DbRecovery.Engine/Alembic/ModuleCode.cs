using DbRecovery.Engine.Alembic.Python;

namespace DbRecovery.Engine.Alembic;

/// <summary>
/// What a Python module of the project defines at its top level, as the migration reader sees it: the names it binds
/// (constants, one-expression helpers, <see cref="ModuleProcedure"/>s) and, through its imports, the functions of the
/// other project modules it calls (<c>agent_init_ops.upgrade()</c> in Neutron's first revision).
/// </summary>
internal sealed class ModuleCode(
    IReadOnlyList<PythonToken> tokens,
    Func<string, ModuleProcedure?> imported,
    Func<PythonName, PythonExpression?>? constants
)
{
    /// <summary>The module's tokens, which its procedures' bodies are read from.</summary>
    public IReadOnlyList<PythonToken> Tokens { get; } = tokens;

    /// <summary>The names the module binds; complete once the module is read.</summary>
    public LocalNames Names { get; } = new() { Imported = constants };

    /// <summary>The procedure a called name stands for in this module (bound here, or imported), or null.</summary>
    public ModuleProcedure? Procedure(string dotted, LocalNames scope) =>
        scope.Substitute(new PythonName(dotted, 0)) as ModuleProcedure ?? imported(dotted);
}
