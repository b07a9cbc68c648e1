namespace DbRecovery.Engine.Plans;

/// <summary>When a step runs, and therefore what a failure of it leaves behind.</summary>
public enum StepPhase
{
    /// <summary>In the plan's transaction: a failure rolls back every step of the phase.</summary>
    InTransaction,

    /// <summary>After COMMIT, each step in its own transaction (validations, statistics); the committed work stays.</summary>
    AfterCommit,

    /// <summary>An external program, outside any DbRecovery transaction; its own transactions decide what a failure leaves.</summary>
    External,
}
