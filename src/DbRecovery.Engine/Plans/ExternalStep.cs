namespace DbRecovery.Engine.Plans;

/// <summary>A step that runs a program (alembic, pg_restore), outside any DbRecovery transaction.</summary>
public sealed record ExternalStep : PlanStep
{
    /// <summary>A program step; its phase is always <see cref="StepPhase.External"/>.</summary>
    public ExternalStep() => Phase = StepPhase.External;

    /// <summary>The program it runs. Secrets reach it through its environment, never its arguments.</summary>
    public required ExternalCommand Command { get; init; }

    /// <inheritdoc />
    public override string Display => Command.ToString();

    /// <inheritdoc />
    public override string Scripted => "-- $ " + Display;
}
