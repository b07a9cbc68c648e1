using System.Text.Json;
using System.Text.Json.Serialization;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Engine.Catalog;

/// <summary>
/// Reads and writes a <see cref="SchemaState"/> as versioned JSON, so someone with database access can
/// hand a schema to someone without. The document holds no data and no connection details.
/// </summary>
public static class SchemaStateJson
{
    /// <summary>The format version written; readers accept this version only.</summary>
    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Serializes a snapshot.</summary>
    public static string Serialize(SchemaState state) =>
        JsonSerializer.Serialize(new Document(FormatVersion, state), Options);

    /// <summary>Deserializes a snapshot.</summary>
    /// <param name="json">The document text.</param>
    /// <param name="source">Where the text came from, for error messages.</param>
    /// <exception cref="RecoveryException">The text is not a snapshot of a supported format version
    /// (<c>SchemaStateInvalid</c>).</exception>
    public static SchemaState Deserialize(string json, string source)
    {
        Document? document;
        try
        {
            document = JsonSerializer.Deserialize<Document>(json, Options);
        }
        catch (JsonException ex)
        {
            throw Invalid(source, $"it is not valid schema JSON ({ex.Message})", ex);
        }

        if (document is null || document.FormatVersion != FormatVersion || document.Schema is null)
        {
            throw Invalid(
                source,
                document is null || document.Schema is null
                    ? "it has no schema snapshot"
                    : $"its formatVersion is {document.FormatVersion}, this DbRecovery reads formatVersion "
                        + $"{FormatVersion}",
                null
            );
        }

        return document.Schema;
    }

    /// <summary>Writes a snapshot to a file, atomically: a reader never sees half a document.</summary>
    /// <param name="state">The snapshot.</param>
    /// <param name="path">The file to write.</param>
    /// <param name="overwrite">Whether an existing file may be replaced.</param>
    /// <exception cref="RecoveryException">The file exists and <paramref name="overwrite"/> is false
    /// (<c>SchemaFileExists</c>), or its folder does not (<c>SchemaFolderNotFound</c>).</exception>
    public static void Save(SchemaState state, string path, bool overwrite)
    {
        if (!overwrite && File.Exists(path))
        {
            throw new RecoveryException(
                "SchemaFileExists",
                FailureKind.ResourceExists,
                $"'{path}' already exists. Use -Force to replace it.",
                path
            );
        }

        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder && !Directory.Exists(folder))
        {
            throw new RecoveryException(
                "SchemaFolderNotFound",
                FailureKind.ObjectNotFound,
                $"The folder '{folder}' does not exist. Create it (New-Item -ItemType Directory '{folder}') or "
                    + "choose another -Path.",
                path
            );
        }

        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        File.WriteAllText(temporary, Serialize(state));
        File.Move(temporary, path, overwrite);
    }

    /// <summary>Reads a snapshot from a file.</summary>
    /// <exception cref="RecoveryException">The file does not exist (<c>SchemaFileNotFound</c>) or is not a snapshot
    /// (<c>SchemaStateInvalid</c>).</exception>
    public static SchemaState Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new RecoveryException(
                "SchemaFileNotFound",
                FailureKind.ObjectNotFound,
                $"'{path}' does not exist.",
                path
            );
        }

        return Deserialize(File.ReadAllText(path), path);
    }

    private static RecoveryException Invalid(string source, string detail, Exception? inner) =>
        new(
            "SchemaStateInvalid",
            FailureKind.InvalidData,
            $"'{source}' is not a DbRecovery schema snapshot: {detail}. Create one with Export-SchemaState.",
            source,
            inner
        );

    private sealed record Document(int FormatVersion, SchemaState? Schema);
}
