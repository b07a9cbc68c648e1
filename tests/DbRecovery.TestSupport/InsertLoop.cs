using System.Collections.Concurrent;
using Npgsql;

namespace DbRecovery.TestSupport;

/// <summary>
/// An application inserting one row at a time, with a pause between, until stopped: how many rows went in, and the
/// error of every insert that failed.
/// </summary>
public sealed class InsertLoop
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<string> _errors = [];
    private readonly Task _loop;
    private int _inserted;

    private InsertLoop(TestDatabase database, string insert, TimeSpan pause) =>
        _loop = Task.Run(() => RunAsync(database, insert, pause));

    /// <summary>Rows inserted so far.</summary>
    public int Inserted => Volatile.Read(ref _inserted);

    /// <summary>The errors of the inserts that failed.</summary>
    public IReadOnlyCollection<string> Errors => _errors;

    /// <summary>Starts running <paramref name="insert"/> on <paramref name="database"/>.</summary>
    public static InsertLoop Start(TestDatabase database, string insert, TimeSpan pause) =>
        new(database, insert, pause);

    /// <summary>Stops after the insert under way.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync(TestDatabase database, string insert, TimeSpan pause)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await database.ExecuteAsync(insert).ConfigureAwait(false);
                Interlocked.Increment(ref _inserted);
            }
            catch (NpgsqlException ex)
            {
                _errors.Add(ex.Message);
            }

            await Task.Delay(pause).ConfigureAwait(false);
        }
    }
}
