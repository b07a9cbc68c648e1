namespace DbRecovery.Hosting;

/// <summary>
/// The last net under everything a cmdlet writes: replaces a known secret where it stands as a token of its own.
/// Messages are built from password-free forms in the first place; the net must not garble them, so an
/// occurrence inside a longer word or number (password <c>postgres</c> in <c>postgresql://</c>, <c>5</c> in
/// port <c>5432</c>) is left alone.
/// </summary>
internal sealed class SecretMask
{
    private const string Mask = "********";
    private readonly List<string> _secrets = [];

    public void Add(string? secret)
    {
        if (!string.IsNullOrEmpty(secret))
        {
            _secrets.Add(secret);
            _secrets.Add(Uri.EscapeDataString(secret));
        }
    }

    public string Apply(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var secret in _secrets.Distinct().OrderByDescending(s => s.Length))
        {
            text = Replace(text, secret);
        }

        return text;
    }

    private static string Replace(string text, string secret)
    {
        var result = new System.Text.StringBuilder(text.Length);
        var from = 0;
        for (
            var at = text.IndexOf(secret, StringComparison.Ordinal);
            at >= 0;
            at = text.IndexOf(secret, at + 1, StringComparison.Ordinal)
        )
        {
            var end = at + secret.Length;
            if (
                at < from
                || (at > 0 && IsWord(text[at - 1]) && IsWord(secret[0]))
                || (end < text.Length && IsWord(text[end]) && IsWord(secret[^1]))
            )
            {
                continue;
            }

            result.Append(text, from, at - from).Append(Mask);
            from = end;
        }

        return result.Append(text, from, text.Length - from).ToString();
    }

    private static bool IsWord(char c) => char.IsLetterOrDigit(c) || c == '_';
}
