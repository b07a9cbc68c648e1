using System.Text.Json;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Engine.Journal;

/// <summary>
/// The append-only JSON-lines record of what DbRecovery changed: a line when an operation starts
/// (written before its COMMIT is reported) and a line when it completes. Reading merges the two.
/// </summary>
public sealed class RecoveryJournal
{
    /// <summary>The environment variable that names the journal file.</summary>
    public const string PathVariable = "DBRECOVERY_JOURNAL";

    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Opens the journal at <paramref name="path"/>, or at $DBRECOVERY_JOURNAL, or at ~/.dbrecovery/journal.jsonl.</summary>
    public RecoveryJournal(string? path = null)
    {
        var configured = Environment.GetEnvironmentVariable(PathVariable);
        Path = path ?? (string.IsNullOrEmpty(configured)
            ? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dbrecovery", "journal.jsonl")
            : configured);
    }

    /// <summary>The journal file.</summary>
    public string Path { get; }

    /// <summary>Appends one line (an operation's start or its completion).</summary>
    public void Append(JournalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
            using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
            using var writer = new StreamWriter(stream);
            writer.WriteLine(JsonSerializer.Serialize(entry, Options));
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RecoveryException(
                "JournalWriteFailed", FailureKind.InvalidOperation,
                $"The journal '{Path}' could not be written ({ex.Message}); the operation was not run. Pass -JournalPath or set ${PathVariable} to a writable file.", Path, ex);
        }
    }

    /// <summary>Every operation, its start and completion merged, oldest first.</summary>
    public IReadOnlyList<JournalEntry> Read()
    {
        if (!File.Exists(Path))
        {
            return [];
        }

        var entries = new Dictionary<Guid, JournalEntry>();
        var order = new List<Guid>();
        using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            JournalEntry entry;
            try
            {
                entry = JsonSerializer.Deserialize<JournalEntry>(line, Options) ?? throw new JsonException("empty entry");
            }
            catch (JsonException ex)
            {
                throw new RecoveryException("JournalInvalid", FailureKind.InvalidData, $"Line {lineNumber} of the journal '{Path}' is not a journal entry: {ex.Message}", Path, ex);
            }

            if (!entries.ContainsKey(entry.Id))
            {
                order.Add(entry.Id);
            }

            entries[entry.Id] = entry;
        }

        return order.Select(id => entries[id]).ToList();
    }
}
