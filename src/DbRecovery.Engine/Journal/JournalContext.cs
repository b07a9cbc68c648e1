namespace DbRecovery.Engine.Journal;

/// <summary>What the caller tells the journal about an operation: its name, parameters (no secrets) and whether -Force was used.</summary>
/// <param name="Journal">The journal to write.</param>
/// <param name="Operation">The cmdlet or operation name.</param>
/// <param name="Parameters">Parameters as text, secrets left out.</param>
/// <param name="Forced">Whether a safety check was overridden.</param>
public sealed record JournalContext(RecoveryJournal Journal, string Operation, IReadOnlyDictionary<string, string> Parameters, bool Forced = false);
