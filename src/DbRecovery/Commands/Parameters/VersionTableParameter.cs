using System.Management.Automation;
using DbRecovery.Completion;

namespace DbRecovery.Commands.Parameters;

/// <summary>
/// Where Alembic records the revision. Declared once here; see <see cref="ParametersFromAttribute"/>.
/// </summary>
internal abstract class VersionTableParameter
{
    /// <summary>The version table, optionally schema-qualified (schema.table).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VersionTableCompleter))]
    public string VersionTable { get; set; } = "alembic_version";
}
