using DbRecovery.TestSupport;

namespace DbRecovery.Tests;

/// <summary>
/// Base of cmdlet tests on a database of their own holding the incident's schema, with a journal file of their own.
/// </summary>
public abstract class IncidentDatabaseCommandTest(PowerShellSession shell) : IAsyncLifetime
{
    private readonly string _journal = Path.Combine(Path.GetTempPath(), $"dbr-journal-{Guid.NewGuid():N}.jsonl");
    private TestDatabase? _database;

    protected PowerShellSession Shell => shell;

    protected string JournalFile => _journal;

    protected TestDatabase Database => _database!;

    /// <summary>$url (the database) and $journal (the journal file) for the scripts.</summary>
    protected Dictionary<string, object?> Vars => new() { ["url"] = Database.Url, ["journal"] = _journal };

    public async Task InitializeAsync()
    {
        _database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
        await _database.ExecuteAsync(IncidentSchema.Sql);
    }

    public async Task DisposeAsync()
    {
        await Database.DisposeAsync();
        File.Delete(_journal);
    }

    protected Task<string> TypeOfAsync(string table, string column) =>
        Database.ScalarAsync<string>(
            $"SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '{table}'::regclass AND "
                + $"attname = '{column}'"
        );
}
