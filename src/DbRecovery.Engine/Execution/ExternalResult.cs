namespace DbRecovery.Engine.Execution;

/// <summary>How an external step's program ended.</summary>
/// <param name="ExitCode">Its exit code (0: success).</param>
/// <param name="Error">Its error text when it failed, with secrets removed.</param>
public sealed record ExternalResult(int ExitCode, string Error = "");
