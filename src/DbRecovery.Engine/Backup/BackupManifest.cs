using System.Text.Json;
using System.Text.Json.Serialization;
using DbRecovery.Engine.Catalog;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Engine.Backup;

/// <summary>
/// manifest.json beside a dump: what was dumped, the schema and exact row counts taken in the dump's own
/// snapshot, and the SHA-256 of every file, so a backup can be proven before it is trusted.
/// </summary>
public sealed record BackupManifest
{
    /// <summary>The file's name in a backup folder.</summary>
    public const string FileName = "manifest.json";

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The manifest format version.</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>The database dumped.</summary>
    public required string Database { get; init; }

    /// <summary>The server's version.</summary>
    public required string ServerVersion { get; init; }

    /// <summary>pg_dump's format: directory or custom.</summary>
    public required string Format { get; init; }

    /// <summary>The alembic_version rows at the time of the dump.</summary>
    public IReadOnlyList<string> AlembicVersion { get; init; } = [];

    /// <summary>The schema in the dump's snapshot.</summary>
    public required SchemaState Schema { get; init; }

    /// <summary>Exact row counts per table (schema.table), counted in the dump's snapshot.</summary>
    public IReadOnlyDictionary<string, long> RowCounts { get; init; } = new Dictionary<string, long>();

    /// <summary>Every file of the backup with its size and SHA-256.</summary>
    public IReadOnlyList<BackupFile> Files { get; init; } = [];

    /// <summary>When the dump started and finished (UTC).</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>When the dump finished (UTC).</summary>
    public DateTimeOffset FinishedAt { get; init; }

    /// <summary>The DbRecovery version that wrote it.</summary>
    public string DbRecoveryVersion { get; init; } =
        typeof(BackupManifest).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>Writes the manifest into <paramref name="folder"/>.</summary>
    public void Save(string folder) =>
        PrivateFiles.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, Options));

    /// <summary>Reads the manifest of the backup in <paramref name="folder"/>.</summary>
    /// <exception cref="RecoveryException">No manifest, or not a readable one
    /// (<c>BackupManifestInvalid</c>).</exception>
    public static BackupManifest Load(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            throw new RecoveryException(
                "BackupNotFound",
                FailureKind.ObjectNotFound,
                $"'{folder}' is not a DbRecovery backup: it has no {FileName}.",
                folder
            );
        }

        try
        {
            return JsonSerializer.Deserialize<BackupManifest>(File.ReadAllText(path), Options)
                ?? throw new JsonException("empty");
        }
        catch (JsonException ex)
        {
            throw new RecoveryException(
                "BackupManifestInvalid",
                FailureKind.InvalidData,
                $"{path} cannot be read: {ex.Message}",
                path,
                ex
            );
        }
    }
}

/// <summary>One file of a backup.</summary>
/// <param name="Name">Its path relative to the backup folder.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="Sha256">Its SHA-256, lower-case hex.</param>
public sealed record BackupFile(string Name, long Size, string Sha256);
