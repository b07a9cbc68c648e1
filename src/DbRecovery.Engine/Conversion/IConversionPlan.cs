using DbRecovery.Engine.Plans;

namespace DbRecovery.Engine.Conversion;

/// <summary>A printable plan to convert key columns and all that references them, offline or online.</summary>
public interface IConversionPlan : IOperationPlan
{
    /// <summary>The columns that change.</summary>
    IReadOnlyList<PlannedColumn> Columns { get; }

    /// <summary>Columns reached through foreign keys that already have the target type.</summary>
    IReadOnlyList<PlannedColumn> AlreadyConverted { get; }

    /// <summary>
    /// Columns of the source type that look related (named like keys) but no foreign key links; not converted.
    /// </summary>
    IReadOnlyList<string> NotLinked { get; }

    /// <summary>Things the user should know before running it.</summary>
    IReadOnlyList<string> Warnings { get; }

    /// <summary>Whether there is anything to do.</summary>
    bool IsEmpty { get; }

    /// <summary>The whole conversion as one reviewable SQL script.</summary>
    string ToScript(TimeSpan lockTimeout);

    /// <summary>The script that converts back.</summary>
    string ToInverseScript(TimeSpan lockTimeout);
}
