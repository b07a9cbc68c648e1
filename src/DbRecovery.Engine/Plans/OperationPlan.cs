namespace DbRecovery.Engine.Plans;

/// <summary>A plan that is only its steps, e.g. the inverse of a conversion.</summary>
/// <param name="Operation">What it does.</param>
/// <param name="Steps">The steps, in order.</param>
public sealed record OperationPlan(string Operation, IReadOnlyList<PlanStep> Steps) : IOperationPlan;
