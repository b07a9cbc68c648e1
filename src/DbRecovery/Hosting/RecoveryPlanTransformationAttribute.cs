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
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        try
        {
            return value switch
            {
                RecoveryPlan plan => plan,
                string json => RecoveryPlanJson.Deserialize(json),
                PSObject or PSCustomObject => RecoveryPlanJson.Deserialize(PSObjectJson.ToJson(inputData)),
                _ => inputData,
            };
        }
        catch (Engine.Diagnostics.RecoveryException ex)
        {
            throw new ArgumentTransformationMetadataException(ex.Message, ex);
        }
    }
}
