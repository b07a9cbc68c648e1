using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using DbRecovery.Engine.Catalog;

namespace DbRecovery.Completion;

/// <summary>
/// Completes <c>-Table</c> from the last schema this session read with Get-SchemaState or
/// Import-SchemaState, so completion never waits on a database connection.
/// </summary>
public sealed class TableCompleter : IArgumentCompleter
{
    /// <summary>The most recent snapshot read in this process.</summary>
    internal static SchemaState? LastSnapshot { get; set; }

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        if (LastSnapshot is not { } snapshot)
        {
            return [];
        }

        var pattern = new WildcardPattern((wordToComplete ?? string.Empty).Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        return snapshot.Tables
            .Select(t => t.Schema == "public" ? t.Name : $"{t.Schema}.{t.Name}")
            .Where(pattern.IsMatch)
            .Select(name => new CompletionResult(
                name.All(c => char.IsLetterOrDigit(c) || c is '_' or '.') ? name : "'" + name.Replace("'", "''", StringComparison.Ordinal) + "'",
                name, CompletionResultType.ParameterValue, name));
    }
}
