using System.Management.Automation;
using DbRecovery.Completion;

namespace DbRecovery.Commands.Parameters;

/// <summary>Where an upgrade goes. Declared once here; see <see cref="ParametersFromAttribute"/>.</summary>
internal abstract class ToRevisionParameter
{
    /// <summary>The revision to upgrade to: heads (the default) or a revision.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(RevisionCompleter))]
    [ValidateNotNullOrEmpty]
    public string To { get; set; } = "heads";
}
