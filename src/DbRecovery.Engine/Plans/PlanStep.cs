using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Plans;

/// <summary>One step of a state-changing plan: what it is, what it changes, when it runs, and exactly what it runs.</summary>
public sealed record PlanStep
{
    /// <summary>What the step does.</summary>
    public required StepKind Kind { get; init; }

    /// <summary>When it runs: in the transaction, after COMMIT, or as an external program.</summary>
    public StepPhase Phase { get; init; } = StepPhase.InTransaction;

    /// <summary>The objects it changes (tables, the version table, a role).</summary>
    public required IReadOnlyList<QualifiedName> Targets { get; init; }

    /// <summary>What it does, in words.</summary>
    public required string Action { get; init; }

    /// <summary>The statement(s), with <c>$1</c>, <c>$2</c>… for <see cref="Parameters"/>; null for an external step.</summary>
    public string? Sql { get; init; }

    /// <summary>Values of the positional parameters.</summary>
    public IReadOnlyList<string> Parameters { get; init; } = [];

    /// <summary>The program an external step runs.</summary>
    public ExternalCommand? Command { get; init; }

    /// <summary>How a script prints the step when the engine runs it another way (a backfill it runs in batches is printed as the equivalent DO loop); null: <see cref="Display"/>.</summary>
    public string? Script { get; init; }

    /// <summary>What the database is left as when this step fails after the steps before it succeeded, if not obvious from the phase.</summary>
    public string? StateIfFailed { get; init; }

    /// <summary>The targets as text, e.g. <c>public.users, public.deals</c>.</summary>
    public string Target => string.Join(", ", Targets);

    /// <summary>What runs, shown with its parameter values: for -WhatIf, scripts and the journal. Never holds a secret.</summary>
    public string Display => Command?.ToString() ?? (Parameters.Count == 0
        ? Sql ?? string.Empty
        : Parameters.Select((value, i) => (value, i)).Reverse()
            .Aggregate(Sql ?? string.Empty, (sql, p) => sql.Replace($"${p.i + 1}", "'" + p.value.Replace("'", "''", StringComparison.Ordinal) + "'", StringComparison.Ordinal)));

    /// <summary>
    /// The SQL actually sent when it must carry a secret that <see cref="Sql"/> shows redacted (a password verifier).
    /// Internal, so it is in no output, format view or serialization.
    /// </summary>
    internal string? SecretSql { get; init; }

    /// <summary>A SQL step on <paramref name="targets"/>.</summary>
    public static PlanStep Statement(StepKind kind, string action, string sql, params QualifiedName[] targets) =>
        new() { Kind = kind, Action = action, Sql = sql, Targets = targets };

    /// <inheritdoc />
    public override string ToString() => $"{Action} ({Target}): {Display}";
}
