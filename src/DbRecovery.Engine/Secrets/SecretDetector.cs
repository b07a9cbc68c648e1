using System.Text.RegularExpressions;

namespace DbRecovery.Engine.Secrets;

/// <summary>One kind of secret: a cheap test of a line, a pattern whose group <c>secret</c> is the secret, and a check that rejects look-alikes.</summary>
/// <param name="Kind">The finding's kind.</param>
/// <param name="Applies">A cheap test a line must pass before the pattern runs (characters every match contains).</param>
/// <param name="Pattern">Matches the secret in a line; the <c>secret</c> group is what is fingerprinted.</param>
/// <param name="Accept">Rejects placeholders and look-alikes (null accepts every match).</param>
internal sealed record SecretDetector(string Kind, Func<string, bool> Applies, Regex Pattern, Func<string, bool>? Accept = null);
