namespace DbRecovery.Engine.Execution;

/// <summary>The journal's words for how a plan ended, true to what each phase did.</summary>
public static class ExecutionOutcome
{
    /// <summary>Every step ran and every transaction committed.</summary>
    public const string Committed = "Committed";

    /// <summary>A step that reads the database and writes elsewhere (a backup, its proof) finished.</summary>
    public const string Completed = "Completed";

    /// <summary>A transaction rolled back before anything was committed: nothing changed.</summary>
    public const string RolledBack = "RolledBack";

    /// <summary>The transaction committed; steps after COMMIT were interrupted and a rerun finishes them.</summary>
    public const string ValidationPending = "Committed; validation pending";

    /// <summary>The transaction committed; a validation after COMMIT failed.</summary>
    public static string ValidationFailed(string target) => $"Committed; validation failed on {target}";

    /// <summary>An external program failed.</summary>
    public static string ExternalFailed(int exitCode, string state) =>
        $"External step failed (exit {exitCode}); database state: {state}";

    /// <summary>An external program was stopped or could not run.</summary>
    public static string ExternalInterrupted(string why, string state) =>
        $"External step interrupted ({why}); database state: {state}";

    /// <summary>Something after a COMMIT failed: the committed part stays.</summary>
    public static string PartlyCommitted(string committed, string failed) =>
        $"Partly committed ({committed}); then failed: {failed}";
}
