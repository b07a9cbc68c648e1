using System.Text.Json;
using System.Text.Json.Serialization;

namespace DbRecovery.Engine.Planning;

/// <summary>
/// Reads a recovery step as the type its <see cref="RecoveryStep.Kind"/> names, wherever in the object that
/// property is (a plan read back from CliXml lists its properties in another order than one written as JSON).
/// </summary>
internal sealed class RecoveryStepJsonConverter : JsonConverter<RecoveryStep>
{
    public override RecoveryStep Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var kind = document
            .RootElement.EnumerateObject()
            .FirstOrDefault(p => string.Equals(p.Name, nameof(RecoveryStep.Kind), StringComparison.OrdinalIgnoreCase))
            .Value;
        var parsed = kind.ValueKind switch
        {
            JsonValueKind.String when Enum.TryParse<RecoveryStepKind>(kind.GetString(), true, out var named) => named,
            JsonValueKind.Number when kind.TryGetInt32(out var number) && Enum.IsDefined((RecoveryStepKind)number) =>
                (RecoveryStepKind?)number,
            _ => throw new JsonException("A recovery step has no Kind this version knows."),
        };
        var type = parsed switch
        {
            RecoveryStepKind.Backup => typeof(BackupStep),
            RecoveryStepKind.ProveBackup => typeof(ProveBackupStep),
            RecoveryStepKind.Convert => typeof(ConvertStep),
            RecoveryStepKind.Stamp => typeof(StampStep),
            RecoveryStepKind.Upgrade => typeof(UpgradeStep),
            _ => typeof(CheckStep),
        };
        return (RecoveryStep)(
            document.RootElement.Deserialize(type, options) ?? throw new JsonException("A recovery step is empty.")
        );
    }

    public override void Write(Utf8JsonWriter writer, RecoveryStep value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, value?.GetType() ?? typeof(RecoveryStep), options);
}
