namespace DbRecovery.Engine.Plans;

/// <summary>A state-changing operation as the one executor runs it: a title and ordered, typed steps.</summary>
public interface IOperationPlan
{
    /// <summary>
    /// What the operation does, in a few words (the caption of a confirmation, the title of its script).
    /// </summary>
    string Operation { get; }

    /// <summary>The steps, in order: consecutive in-transaction steps share one transaction.</summary>
    IReadOnlyList<PlanStep> Steps { get; }
}
