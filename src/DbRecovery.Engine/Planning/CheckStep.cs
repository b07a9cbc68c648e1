namespace DbRecovery.Engine.Planning;

/// <summary>Runs the post-recovery checklist: the schema is the target's, alembic_version is at the target.</summary>
public sealed record CheckStep : RecoveryStep
{
    /// <summary>The Alembic project.</summary>
    public required string Project { get; init; }

    /// <summary>The column types the end state must have, as schema.table.column=type.</summary>
    public IReadOnlyList<string> ExpectedColumnTypes { get; init; } = [];

    /// <inheritdoc />
    public override RecoveryStepKind Kind => RecoveryStepKind.Verify;

    /// <inheritdoc />
    public override string Invocation(string? connection) =>
        Cmdlet(
            "Test-RecoveryState",
            connection,
            $"-Path {Quote(Project)}"
                + (ExpectedColumnTypes.Count > 0 ? $" -ExpectColumnType {QuoteAll(ExpectedColumnTypes)}" : string.Empty)
                + " -FailOnError"
        );

    /// <summary>Its checks are the script's output.</summary>
    public override string ScriptLine(string connection, bool rehearse) => Invocation(connection);
}
