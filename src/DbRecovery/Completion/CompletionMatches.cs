using System.Management.Automation;

namespace DbRecovery.Completion;

/// <summary>
/// The completions of the candidates that start with the typed word, quoted where PowerShell needs it.
/// </summary>
internal static class CompletionMatches
{
    public static IEnumerable<CompletionResult> Of(
        string? wordToComplete,
        IEnumerable<(string Text, string Tip)> candidates
    )
    {
        var pattern = new WildcardPattern(
            (wordToComplete ?? string.Empty).Trim('\'', '"') + "*",
            WildcardOptions.IgnoreCase
        );
        return candidates
            .Where(c => pattern.IsMatch(c.Text))
            .Select(c => new CompletionResult(
                c.Text.All(ch => char.IsLetterOrDigit(ch) || ch is '_' or '.' or '-')
                    ? c.Text
                    : "'" + c.Text.Replace("'", "''", StringComparison.Ordinal) + "'",
                c.Text,
                CompletionResultType.ParameterValue,
                c.Tip
            ));
    }
}
