using System.Globalization;
using System.Management.Automation;

namespace DbRecovery.Hosting;

/// <summary>
/// Lets a TimeSpan parameter take a plain number as seconds (<c>-LockTimeout 5</c>), where PowerShell
/// would otherwise read it as ticks; a TimeSpan or a string such as <c>00:00:05</c> passes through.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class SecondsTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        return value switch
        {
            int or long or double or decimal => TimeSpan.FromSeconds(
                Convert.ToDouble(value, CultureInfo.InvariantCulture)
            ),
            string text when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) =>
                TimeSpan.FromSeconds(seconds),
            _ => value,
        };
    }
}
