using System.Text.Json;
using System.Text.Json.Serialization;
using DbRecovery.Engine.Diagnostics;

namespace DbRecovery.Engine.Planning;

/// <summary>A recovery plan as JSON, so it can be reviewed elsewhere and applied unchanged.</summary>
public static class RecoveryPlanJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNameCaseInsensitive = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Serializes a plan.</summary>
    public static string Serialize(RecoveryPlan plan) => JsonSerializer.Serialize(plan, Options);

    /// <summary>Deserializes a plan.</summary>
    /// <exception cref="RecoveryException">The text is not a recovery plan (<c>RecoveryPlanInvalid</c>).</exception>
    public static RecoveryPlan Deserialize(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<RecoveryPlan>(json, Options)
                ?? throw new JsonException("The document is empty.");
        }
        catch (JsonException ex)
        {
            throw new RecoveryException(
                "RecoveryPlanInvalid",
                FailureKind.InvalidArgument,
                $"This is not a recovery plan made by Get-RecoveryPlan: {ex.Message}",
                null,
                ex
            );
        }
    }
}
