using System.Management.Automation;

namespace DbRecovery.Commands.Parameters;

/// <summary>
/// Which Alembic project, as the first positional argument. Declared once here; see
/// <see cref="ParametersFromAttribute"/>.
/// </summary>
internal abstract class AlembicProjectParameter
{
    /// <summary>The Alembic project: the folder with alembic.ini (or alembic.ini itself).</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = ".";
}
