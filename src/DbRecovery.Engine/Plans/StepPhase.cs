namespace DbRecovery.Engine.Plans;

/// <summary>When a step runs, and therefore what a failure of it leaves behind.</summary>
public enum StepPhase
{
    /// <summary>In the plan's transaction: a failure rolls back every step of the phase.</summary>
    InTransaction,

    /// <summary>
    /// After COMMIT, each step in its own transaction (validations, statistics); the committed work stays.
    /// </summary>
    AfterCommit,

    /// <summary>
    /// On its own, committed before the next step (an index built CONCURRENTLY outside any transaction); a lock it
    /// cannot get within lock_timeout is given up and retried with backoff, so it never holds others back for long.
    /// </summary>
    Online,

    /// <summary>
    /// An external program, outside any DbRecovery transaction; its own transactions decide what a failure leaves.
    /// </summary>
    External,
}
