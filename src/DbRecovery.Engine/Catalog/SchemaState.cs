using System.Text.Json.Serialization;

namespace DbRecovery.Engine.Catalog;

/// <summary>
/// A snapshot of a database's schema as the catalog describes it: tables and everything on them,
/// views, sequences, enum types, and the <c>alembic_version</c> rows. Holds no data and no secrets.
/// </summary>
public sealed record SchemaState
{
    /// <summary>The database name.</summary>
    public required string Database { get; init; }

    /// <summary>Where the snapshot comes from: <c>live</c> for a database, or which replay computed it.</summary>
    public string Origin { get; init; } = "live";

    /// <summary>The server's version as it reports it, e.g. <c>15.18 (Debian 15.18-0+deb12u1)</c>.</summary>
    public required string ServerVersion { get; init; }

    /// <summary>The server's version as a number, e.g. <c>150018</c>.</summary>
    public int ServerVersionNumber { get; init; }

    /// <summary>Whether the snapshot was taken on a hot standby.</summary>
    public bool IsStandby { get; init; }

    /// <summary>When the snapshot was taken (UTC).</summary>
    public DateTimeOffset CapturedAt { get; init; }

    /// <summary>The schemas captured, system schemas excluded.</summary>
    public IReadOnlyList<string> Schemas { get; init; } = [];

    /// <summary>Ordinary and partitioned tables and partitions.</summary>
    public IReadOnlyList<TableState> Tables { get; init; } = [];

    /// <summary>Views and materialized views.</summary>
    public IReadOnlyList<ViewState> Views { get; init; } = [];

    /// <summary>Sequences, with the column that owns each.</summary>
    public IReadOnlyList<SequenceState> Sequences { get; init; } = [];

    /// <summary>Enum types with their labels in order.</summary>
    public IReadOnlyList<EnumTypeState> Enums { get; init; } = [];

    /// <summary>The Alembic version table that was looked for, as given.</summary>
    public string VersionTable { get; init; } = "alembic_version";

    /// <summary>The rows of the version table; empty when it does not exist.</summary>
    public IReadOnlyList<string> AlembicVersion { get; init; } = [];

    /// <summary>For a schema the static replay expects: the tables, and parts of them, whose shape it cannot know.
    /// They are not compared.</summary>
    public IReadOnlyList<UnknownTablePart> Unknown { get; init; } = [];

    /// <summary>Every foreign key of every captured table.</summary>
    [JsonIgnore]
    public IReadOnlyList<ForeignKeyState> ForeignKeys => Tables.SelectMany(t => t.ForeignKeys).ToList();

    /// <summary>Finds a captured table by schema and name (exact, case-sensitive as in PostgreSQL).</summary>
    public TableState? FindTable(string schema, string name) =>
        Tables.FirstOrDefault(t =>
            string.Equals(t.Schema, schema, StringComparison.Ordinal)
            && string.Equals(t.Name, name, StringComparison.Ordinal)
        );

    /// <inheritdoc />
    public override string ToString() => $"{Database} ({Tables.Count} tables)";
}
