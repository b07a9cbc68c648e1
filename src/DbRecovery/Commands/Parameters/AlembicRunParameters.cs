using System.Management.Automation;

namespace DbRecovery.Commands.Parameters;

/// <summary>
/// How a cmdlet runs real Alembic on the project. Declared once here; see <see cref="ParametersFromAttribute"/>.
/// </summary>
internal abstract class AlembicRunParameters
{
    /// <summary>
    /// How to run real Alembic (its Python runs the project's env.py), e.g. alembic or /usr/bin/python3,-m,alembic.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] AlembicCommand { get; set; } = ["alembic"];

    /// <summary>The environment variable the project's env.py reads the database URL from.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string UrlVariable { get; set; } = "DATABASE_URL";
}
