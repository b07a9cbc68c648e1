using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Plans;

/// <summary>
/// One step of a state-changing plan: what it is, what it changes, when it runs. Each kind of step renders itself
/// once (<see cref="Display"/>), and that text is what -WhatIf, -AsScript, the confirmation and the journal show.
/// </summary>
public abstract record PlanStep
{
    /// <summary>What the step does.</summary>
    public required StepKind Kind { get; init; }

    /// <summary>When it runs: in the transaction, after COMMIT, online, or as an external program.</summary>
    public StepPhase Phase { get; init; } = StepPhase.InTransaction;

    /// <summary>The objects it changes (tables, the version table, a role).</summary>
    public required IReadOnlyList<QualifiedName> Targets { get; init; }

    /// <summary>What it does, in words.</summary>
    public required string Action { get; init; }

    /// <summary>
    /// What the database is left as when this step fails after the steps before it succeeded, if not obvious from the
    /// phase.
    /// </summary>
    public string? StateIfFailed { get; init; }

    /// <summary>The targets as text, e.g. <c>public.users, public.deals</c>.</summary>
    public string Target => string.Join(", ", Targets);

    /// <summary>
    /// The SQL the step sends, where it is one SQL statement (or several); null for a program or a procedure.
    /// </summary>
    public virtual string? Sql => null;

    /// <summary>What runs, shown with its values: the one text of the step. Never holds a secret.</summary>
    public abstract string Display { get; }

    /// <summary>The step in an SQL script, in its place in its phase.</summary>
    public virtual string Scripted => Display + ";";

    /// <inheritdoc />
    public override string ToString() => $"{Action} ({Target}): {Display}";
}
