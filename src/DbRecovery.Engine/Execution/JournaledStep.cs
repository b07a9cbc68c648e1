using DbRecovery.Engine.Connections;
using DbRecovery.Engine.Journal;

namespace DbRecovery.Engine.Execution;

/// <summary>
/// Runs work that changes no database but that a recovery relies on (a backup, its proof), journaled like a change.
/// </summary>
public static class JournaledStep
{
    /// <summary>
    /// Journals <paramref name="command"/> on <paramref name="where"/> as Started, runs <paramref name="action"/>, then
    /// journals Completed, or Failed with the error (and rethrows it).
    /// </summary>
    public static async Task<T> RunAsync<T>(
        JournalContext journal,
        ConnectionTarget where,
        string command,
        Func<Task<T>> action
    )
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(where);
        ArgumentNullException.ThrowIfNull(action);
        var started = journal.Start(where.DisplayName, where.Username, [command]);
        try
        {
            var result = await action().ConfigureAwait(false);
            journal.Journal.Append(
                started with
                {
                    CompletedAt = DateTimeOffset.UtcNow,
                    Outcome = ExecutionOutcome.Completed,
                }
            );
            return result;
        }
        catch (Exception ex)
        {
            journal.Journal.Append(
                started with
                {
                    CompletedAt = DateTimeOffset.UtcNow,
                    Outcome = "Failed",
                    Error = ex.Message,
                }
            );
            throw;
        }
    }
}
