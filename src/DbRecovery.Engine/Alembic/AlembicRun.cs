namespace DbRecovery.Engine.Alembic;

/// <summary>The outcome of one Alembic run.</summary>
/// <param name="ExitCode">The process's exit code.</param>
/// <param name="Output">Its output lines, scrubbed of the password.</param>
public sealed record AlembicRun(int ExitCode, IReadOnlyList<string> Output);
