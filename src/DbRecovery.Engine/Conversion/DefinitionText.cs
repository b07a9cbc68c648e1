using System.Text.RegularExpressions;

namespace DbRecovery.Engine.Conversion;

/// <summary>
/// Compares definitions "apart from the type": after a key's type changes, PostgreSQL prints the same view
/// with casts such as <c>(o.id)::text</c> where it compares the converted columns.
/// </summary>
internal static partial class DefinitionText
{
    public static string WithoutCasts(string definition) =>
        Noise().Replace(Casts().Replace(definition, string.Empty), string.Empty);

    [GeneratedRegex(@"::(text|uuid|character varying(\(\d+\))?)")]
    private static partial Regex Casts();

    [GeneratedRegex(@"[\s()]")]
    private static partial Regex Noise();
}
