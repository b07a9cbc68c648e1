using System.Text.RegularExpressions;

namespace DbRecovery.Engine.Secrets;

/// <summary>One kind of secret: a pattern whose group <c>secret</c> is the secret, and a check that rejects look-alikes.</summary>
/// <param name="Kind">The finding's kind.</param>
/// <param name="Pattern">Matches the secret in a line; the <c>secret</c> group is what is fingerprinted.</param>
/// <param name="Accept">Rejects placeholders and look-alikes (null accepts every match).</param>
internal sealed record SecretDetector(string Kind, Regex Pattern, Func<string, bool>? Accept = null);
