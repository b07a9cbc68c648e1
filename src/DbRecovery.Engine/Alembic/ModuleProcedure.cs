using DbRecovery.Engine.Alembic.Python;

namespace DbRecovery.Engine.Alembic;

/// <summary>
/// A function of a module whose body is statements (not one <c>return</c>): called from <c>upgrade()</c>, its body is
/// read in place, with its parameters bound to the call's arguments.
/// </summary>
/// <param name="Module">The module that defines it.</param>
/// <param name="Parameters">Its parameters in order (without <c>*args</c>/<c>**kwargs</c>).</param>
/// <param name="Defaults">The default values of the parameters that have one.</param>
/// <param name="Body">The token position where its body starts.</param>
/// <param name="Column">The column of its <c>def</c>: the body is what is indented deeper.</param>
/// <param name="Line">The line of its <c>def</c>.</param>
internal sealed record ModuleProcedure(
    ModuleCode Module,
    IReadOnlyList<string> Parameters,
    IReadOnlyDictionary<string, PythonExpression> Defaults,
    int Body,
    int Column,
    int Line
) : PythonExpression(Line);
