namespace DbRecovery.Hosting;

/// <summary>Replaces every known secret in text that is about to be shown.</summary>
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

    public string Apply(string text) =>
        _secrets.Aggregate(text, (current, secret) => current.Replace(secret, Mask, StringComparison.Ordinal));
}
