using System.Globalization;
using DbRecovery.Engine.Diagnostics;
using DbRecovery.Engine.Journal;
using DbRecovery.Engine.Plans;
using Npgsql;

namespace DbRecovery.Engine.Connections;

/// <summary>
/// How every state-changing operation runs: DbRecovery's advisory lock, one transaction with
/// <c>SET LOCAL lock_timeout</c>, a journal line before anything changes and one when it is over.
/// A failure anywhere rolls everything back.
/// </summary>
public static class GuardedTransaction
{
    /// <summary>Runs <paramref name="body"/> in a guarded transaction and commits it.</summary>
    public static async Task<T> RunAsync<T>(
        ConnectionTarget target,
        IRecoveryLog log,
        TimeSpan lockTimeout,
        JournalContext journal,
        IReadOnlyList<PlanStep> steps,
        Func<DatabaseSession, CancellationToken, Task<T>> body,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(body);
        await using var session = await DatabaseSession.OpenAsync(target, log, cancellationToken).ConfigureAwait(false);
        JournalEntry? started = null;
        try
        {
            await RecoveryLock.AcquireAsync(session, cancellationToken).ConfigureAwait(false);
            started = new JournalEntry
            {
                Id = Guid.NewGuid(),
                StartedAt = DateTimeOffset.UtcNow,
                OsUser = Environment.UserName,
                DatabaseRole = target.Username,
                Target = target.DisplayName,
                Operation = journal.Operation,
                Parameters = journal.Parameters,
                Sql = steps.Select(s => s.DisplaySql).ToList(),
                Outcome = "Started",
                Forced = journal.Forced,
            };
            journal.Journal.Append(started);
            await using var transaction = await session.Connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (var timeout = session.CreateCommand(string.Create(CultureInfo.InvariantCulture, $"SET LOCAL lock_timeout = '{(int)lockTimeout.TotalMilliseconds}ms'")))
            {
                await timeout.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var result = await body(session, cancellationToken).ConfigureAwait(false);
            log.Verbose("COMMIT");
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            journal.Journal.Append(started with { CompletedAt = DateTimeOffset.UtcNow, Outcome = "Committed" });
            return result;
        }
        catch (Exception ex) when (ex is RecoveryException || DatabaseSession.IsConnectionFailure(ex))
        {
            var failure = PostgresFailure.Translate(ex, target.DisplayName);
            if (started is not null)
            {
                journal.Journal.Append(started with { CompletedAt = DateTimeOffset.UtcNow, Outcome = "RolledBack", Error = failure.Message });
            }

            throw failure;
        }
    }

    /// <summary>Runs one plan step in the current transaction.</summary>
    public static async Task<int> ExecuteAsync(DatabaseSession session, PlanStep step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(step);
        await using var command = session.CreateCommand(step.Sql);
        foreach (var value in step.Parameters ?? [])
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
