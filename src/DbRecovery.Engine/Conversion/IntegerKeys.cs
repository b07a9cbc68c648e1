namespace DbRecovery.Engine.Conversion;

/// <summary>The integer key types, narrowest first: a key is only ever widened.</summary>
internal static class IntegerKeys
{
    private static readonly string[] Widths = ["smallint", "integer", "bigint"];

    /// <summary>Whether <paramref name="type"/> (normalized) is smallint, integer or bigint.</summary>
    public static bool Is(string type) => Widths.Contains(type, StringComparer.Ordinal);

    /// <summary>Whether <paramref name="to"/> holds every value of <paramref name="from"/> and more.</summary>
    public static bool Widens(string from, string to) =>
        Is(from) && Is(to) && Array.IndexOf(Widths, from) < Array.IndexOf(Widths, to);
}
