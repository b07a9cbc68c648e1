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

    /// <summary>
    /// Opens the journal at <paramref name="path"/>, or at $DBRECOVERY_JOURNAL, or at ~/.dbrecovery/journal.jsonl.
    /// </summary>
    public RecoveryJournal(string? path = null)
    {
        var configured = Environment.GetEnvironmentVariable(PathVariable);
        Path = path
            ?? (
                string.IsNullOrEmpty(configured)
                    ? System.IO.Path.Combine(
                        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
                        ".dbrecovery",
                        "journal.jsonl"
                    )
                    : configured
            );
    }

    /// <summary>The journal file.</summary>
    public string Path { get; }

    /// <summary>Appends one line (an operation's start or its completion).</summary>
    public void Append(JournalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        try
        {
            var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
            if (!Directory.Exists(folder))
            {
                _ = OperatingSystem.IsWindows()
                    ? Directory.CreateDirectory(folder)
                    : Directory.CreateDirectory(
                        folder,
                        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    );
            }

            // The journal holds the incident's SQL and who ran it: readable by its owner only (0600) where the OS has
            // modes.
            var options = new FileStreamOptions
            {
                Mode = FileMode.Append,
                Access = FileAccess.Write,
                Share = FileShare.Read,
            };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var stream = new FileStream(Path, options);
            using var writer = new StreamWriter(stream);
            writer.WriteLine(JsonSerializer.Serialize(entry, Options));
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RecoveryException(
                "JournalWriteFailed",
                FailureKind.InvalidOperation,
                $"The journal '{Path}' could not be written ({ex.Message}); the operation was not run. Pass "
                    + $"-JournalPath or set ${PathVariable} to a writable file.",
                Path,
                ex
            );
        }
    }

    /// <summary>What a still-Started entry whose process has ended is shown as.</summary>
    public const string Interrupted = "Interrupted";

    /// <summary>
    /// Every operation, its start and completion merged, oldest first. An operation that never completed and
    /// whose process (same host, same pid) no longer runs is shown as <see cref="Interrupted"/>.
    /// </summary>
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
                entry = JsonSerializer.Deserialize<JournalEntry>(line, Options)
                    ?? throw new JsonException("empty entry");
            }
            catch (JsonException ex)
            {
                throw new RecoveryException(
                    "JournalInvalid",
                    FailureKind.InvalidData,
                    $"Line {lineNumber} of the journal '{Path}' is not a journal entry: {ex.Message}",
                    Path,
                    ex
                );
            }

            if (!entries.ContainsKey(entry.Id))
            {
                order.Add(entry.Id);
            }

            entries[entry.Id] = entry;
        }

        return order.Select(id => entries[id]).Select(MarkInterrupted).ToList();
    }

    private static JournalEntry MarkInterrupted(JournalEntry entry) =>
        entry.Outcome == "Started"
        && entry.CompletedAt is null
        && entry.ProcessId is { } pid
        && string.Equals(entry.Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase)
        && !IsRunning(pid, entry.StartedAt)
            ? entry with
            {
                Outcome = Interrupted,
            }
            : entry;

    private static bool IsRunning(int pid, DateTimeOffset startedAt)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);

            // A pid reused by a process started after the operation is not the operation's process.
            return !process.HasExited && process.StartTime.ToUniversalTime() <= startedAt.UtcDateTime;
        }
        catch (Exception ex)
            when (ex
                    is ArgumentException
                        or InvalidOperationException
                        or System.ComponentModel.Win32Exception
                        or NotSupportedException
            )
        {
            return false;
        }
    }
}
