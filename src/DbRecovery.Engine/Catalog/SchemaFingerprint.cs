using System.Security.Cryptography;
using System.Text;

namespace DbRecovery.Engine.Catalog;

/// <summary>
/// A SHA-256 of what a snapshot says about the schema and alembic_version, leaving out what changes on its
/// own (when it was captured, row estimates, sizes): equal fingerprints mean nobody changed the schema.
/// </summary>
public static class SchemaFingerprint
{
    /// <summary>The fingerprint of <paramref name="state"/>, as lowercase hex.</summary>
    public static string Of(SchemaState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var stable = state with
        {
            CapturedAt = default,
            Origin = string.Empty,
            Tables = state.Tables.Select(t => t with { EstimatedRows = null, EstimatedSizeBytes = 0 }).ToList(),
        };
        return Convert
            .ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(SchemaStateJson.Serialize(stable))))
            .ToLowerInvariant();
    }
}
