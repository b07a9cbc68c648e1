using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using DbRecovery.Engine.Alembic;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Completion;

/// <summary>
/// Completes <c>-Revision</c> from the migration files of the project given in <c>-Path</c> (read
/// statically; no database connection), with head, heads and base.
/// </summary>
public sealed class RevisionCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName,
        string parameterName,
        string wordToComplete,
        CommandAst commandAst,
        IDictionary fakeBoundParameters
    )
    {
        ArgumentNullException.ThrowIfNull(fakeBoundParameters);
        IReadOnlyList<AlembicRevision> revisions;
        try
        {
            // Relative to the prompt's location ($PWD), which is not the process directory.
            using var location = PowerShell.Create(RunspaceMode.CurrentRunspace).AddCommand("Get-Location");
            var here = location.Invoke<PathInfo>().Single().ProviderPath;
            var path = System.IO.Path.Combine(here, fakeBoundParameters["Path"] as string ?? ".");
            revisions = AlembicHistory.Load(path, NullRecoveryLog.Instance).Revisions;
        }
        catch (Exception ex)
            when (ex is RecoveryException or IOException or UnauthorizedAccessException or RuntimeException)
        {
            return [];
        }

        return CompletionMatches.Of(
            wordToComplete,
            revisions
                .Reverse()
                .Select(r =>
                    (Text: r.Revision, Tip: $"{r.Revision} {(r.IsHead ? "(head) " : string.Empty)}{r.Message}")
                )
                .Concat([
                    (Text: "head", Tip: "the single head"),
                    (Text: "heads", Tip: "all heads"),
                    (Text: "base", Tip: "before the first revision"),
                ])
        );
    }
}
