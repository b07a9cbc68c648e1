using System.Management.Automation;

namespace DbRecovery.Commands.Parameters;

/// <summary>
/// Where PostgreSQL's client programs are. Declared once here; see <see cref="ParametersFromAttribute"/>.
/// </summary>
internal abstract class PgBinPathParameter
{
    /// <summary>
    /// The folder with PostgreSQL's client programs (pg_dump, pg_restore, psql); by default they are found on PATH or
    /// in the usual places.
    /// </summary>
    [Parameter]
    public string? PgBinPath { get; set; }
}
