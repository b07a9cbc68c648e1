using DbRecovery.Engine.Sql;

namespace DbRecovery.Engine.Plans;

/// <summary>A step that sends SQL: statements with <c>$1</c>, <c>$2</c>… for its parameters.</summary>
public record SqlStep : PlanStep
{
    /// <summary>The statement(s), with <c>$1</c>, <c>$2</c>… for <see cref="Parameters"/>.</summary>
    public required string Statement { get; init; }

    /// <summary>Values of the positional parameters.</summary>
    public IReadOnlyList<string> Parameters { get; init; } = [];

    /// <summary>
    /// The SQL actually sent when it must carry a secret that <see cref="Statement"/> shows redacted (a password
    /// verifier). Internal, so it is in no output, format view or serialization.
    /// </summary>
    internal string? SecretStatement { get; init; }

    /// <summary>Whether an online step runs in a transaction of its own (an index built CONCURRENTLY cannot).</summary>
    public virtual bool Transactional => true;

    /// <inheritdoc />
    public override string Sql => Statement;

    /// <inheritdoc />
    public override string Display =>
        Parameters.Count == 0
            ? Statement
            : Parameters
                .Select((value, i) => (value, i))
                .Reverse()
                .Aggregate(Statement, (sql, p) =>
                    sql.Replace(
                        $"${p.i + 1}",
                        "'" + p.value.Replace("'", "''", StringComparison.Ordinal) + "'",
                        StringComparison.Ordinal
                    )
                );

    /// <inheritdoc />
    public override string Scripted =>
        Phase == StepPhase.Online && Transactional
            ? "BEGIN;" + Environment.NewLine + Display + ";" + Environment.NewLine + "COMMIT;"
            : base.Scripted;

    /// <summary>A SQL step on <paramref name="targets"/>.</summary>
    public static SqlStep Of(StepKind kind, string action, string sql, params QualifiedName[] targets) =>
        new()
        {
            Kind = kind,
            Action = action,
            Statement = sql,
            Targets = targets,
        };
}
