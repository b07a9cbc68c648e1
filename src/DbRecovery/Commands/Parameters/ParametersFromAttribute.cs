namespace DbRecovery.Commands.Parameters;

/// <summary>
/// Gives a (partial) cmdlet the parameters each family declares, copied into it at compile time by
/// DbRecovery.Generators, so a parameter several cmdlets share is declared, validated and documented once.
/// </summary>
/// <param name="families">The classes that declare the parameters.</param>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class ParametersFromAttribute(params Type[] families) : Attribute
{
    /// <summary>The classes that declare the parameters.</summary>
    public IReadOnlyList<Type> Families { get; } = families;
}
