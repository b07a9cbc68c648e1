using System.Globalization;
using System.Text;

namespace DbRecovery.TestSupport;

/// <summary>
/// A gitleaks-format rule file of a team's size (220 rules), made the way real ones are: vendor tokens with a prefix
/// (some sharing a prefix with another, two with equal regexes), labelled values with secret groups and entropy, a
/// few <c>generic-*</c> rules that overlap everything, multi-line blocks, and the built-in rules added by
/// <c>[extend]</c>.
/// </summary>
public static class GeneratedRuleFile
{
    /// <summary>How many rules the file declares itself.</summary>
    public const int Count = 220;

    public static string Text()
    {
        var text = new StringBuilder("title = \"generated\"\n\n[extend]\nuseDefault = true\n");
        for (var i = 0; i < Count; i++)
        {
            var (id, regex, extra) = (i % 11) switch
            {
                0 => (
                    $"generic-vendor-{i}",
                    $@"(?i)vendor{i}[_-]?(?:key|token)[ \t]*[:=][ \t]*['""]?([A-Za-z0-9]{{24,40}})",
                    "secretGroup = 1\nentropy = 3.5\n"
                ),
                1 => (
                    $"vendor-{i}-block",
                    $@"-----BEGIN VENDOR{i} KEY-----\n[A-Za-z0-9+/=\n]{{40,80}}\n-----END VENDOR{i} KEY-----",
                    string.Empty
                ),
                2 => ($"twin-{i}-a", $@"\b(tw{i}_[a-z0-9]{{20}})\b", string.Empty),
                3 => ($"twin-{i - 1}-b", $@"\b(tw{i - 1}_[a-z0-9]{{20}})\b", string.Empty),
                _ => (
                    $"vendor-{i}-token",
                    $@"\b(v{i}(?:live|test)_[A-Za-z0-9]{{{16 + (i % 7)},{30 + (i % 5)}}})\b",
                    string.Empty
                ),
            };
            var keyword = (i % 11) switch
            {
                0 => $"vendor{i}",
                1 => $"begin vendor{i}",
                3 => $"tw{i - 1}_",
                2 => $"tw{i}_",
                _ => $"v{i}",
            };
            text.Append(
                CultureInfo.InvariantCulture,
                $"\n[[rules]]\nid = \"{id}\"\nregex = '''{regex}'''\nkeywords = [\"{keyword}\"]\n{extra}"
            );
        }

        return text.ToString();
    }
}
