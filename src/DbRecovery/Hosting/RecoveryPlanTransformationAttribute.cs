using System.Management.Automation;
using DbRecovery.Engine.Planning;

namespace DbRecovery.Hosting;

/// <summary>
/// Lets -Plan take a plan that was reviewed elsewhere: the object Get-RecoveryPlan wrote, the same plan read
/// back with Import-Clixml or ConvertFrom-Json, or its JSON text (Get-Content -Raw plan.json).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class RecoveryPlanTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        ArgumentNullException.ThrowIfNull(engineIntrinsics);
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        try
        {
            return value switch
            {
                RecoveryPlan plan => plan,
                string json => RecoveryPlanJson.Deserialize(json),
                PSObject or PSCustomObject => RecoveryPlanJson.Deserialize(ToJson(engineIntrinsics, inputData)),
                _ => inputData,
            };
        }
        catch (Engine.Diagnostics.RecoveryException ex)
        {
            throw new ArgumentTransformationMetadataException(ex.Message, ex);
        }
    }

    private static string ToJson(EngineIntrinsics engine, object plan) =>
        engine.InvokeCommand.NewScriptBlock("param($plan) ConvertTo-Json -InputObject $plan -Depth 20 -Compress -EnumsAsStrings")
            .Invoke(plan)[0].BaseObject.ToString()!;
}
