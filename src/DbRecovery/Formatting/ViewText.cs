using System.Collections;
using System.Text;

namespace DbRecovery.Formatting;

/// <summary>
/// Text for the default views: lines wrapped at word boundaries, so a list view at 120 columns never splits a
/// word (PowerShell's list view wraps values character by character). Called from DbRecovery.format.ps1xml.
/// </summary>
public static class ViewText
{
    /// <summary>The width of a list view's value column at 120 columns, with room for the longest label.</summary>
    public const int ValueWidth = 100;

    /// <summary>Each item (a string, or each element of a list) wrapped at <see cref="ValueWidth"/>, continuation lines indented by two; one line per item.</summary>
    public static string Wrap(object? items)
    {
        var lines = items switch
        {
            null => [],
            string text => [text],
            IEnumerable list => list.Cast<object?>().Select(i => i?.ToString() ?? string.Empty),
            _ => [items.ToString() ?? string.Empty],
        };
        return string.Join(Environment.NewLine, lines.SelectMany(WrapLine));
    }

    private static IEnumerable<string> WrapLine(string line)
    {
        var current = new StringBuilder();
        var empty = true;
        foreach (var word in line.Split(' '))
        {
            if (!empty && current.Length + 1 + word.Length > ValueWidth)
            {
                yield return current.ToString();
                current.Clear().Append("  ");
                empty = true;
            }

            current.Append(empty ? word : " " + word);
            empty = false;
        }

        yield return current.ToString();
    }
}
