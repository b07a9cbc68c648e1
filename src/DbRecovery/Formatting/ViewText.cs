using System.Collections;
using System.Text;

namespace DbRecovery.Formatting;

/// <summary>
/// Text for the default views: lines wrapped at word boundaries, so a list view at 80 columns (a log, CI) or wider
/// never splits a word (PowerShell's list view wraps values character by character). Called from
/// DbRecovery.format.ps1xml.
/// </summary>
public static class ViewText
{
    /// <summary>The width of a list view's value column at 80 columns, with room for the longest label.</summary>
    public const int ValueWidth = 62;

    /// <summary>
    /// Each item (a string, or each element of a list) wrapped at <see cref="ValueWidth"/>, continuation lines indented
    /// by two; one line per item.
    /// </summary>
    public static string Wrap(object? items)
    {
        var lines = items switch
        {
            null => [],
            string text => [text],
            IEnumerable list => list.Cast<object?>().Select(i => i?.ToString() ?? string.Empty),
            _ => [items.ToString() ?? string.Empty],
        };
        return string.Join(Environment.NewLine, lines.SelectMany(l => WrapLine(l, ValueWidth, "  ")));
    }

    /// <summary>
    /// A table cell wrapped at word boundaries to its column's <paramref name="width"/>, for views with &lt;Wrap/&gt;.
    /// </summary>
    public static string Cell(object? text, int width) =>
        string.Join(Environment.NewLine, WrapLine(text?.ToString() ?? string.Empty, width, string.Empty));

    /// <summary>A size in bytes as people read it: 512 B, 14.2 MB, 3.1 GB (powers of 1024).</summary>
    public static string Size(long bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB"];
        var value = (double)bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? $"{bytes} B"
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }

    /// <summary>An enum value in the words SQL uses for it: SetNull becomes SET NULL.</summary>
    public static string SqlWords(object? value) =>
        string.Concat(
                (value?.ToString() ?? string.Empty).Select((c, i) => i > 0 && char.IsUpper(c) ? " " + c : c.ToString())
            )
            .ToUpperInvariant();

    /// <summary>A duration as seconds with one decimal, the unit operators compare lock windows in.</summary>
    public static string Seconds(TimeSpan duration) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.0} s");

    private static IEnumerable<string> WrapLine(string line, int width, string indent)
    {
        var current = new StringBuilder();
        var empty = true;
        foreach (var word in line.Split(' ').SelectMany(w => Pieces(w, width - indent.Length)))
        {
            if (!empty && current.Length + 1 + word.Length > width)
            {
                yield return current.ToString();
                current.Clear().Append(indent);
                empty = true;
            }

            current.Append(empty ? word : " " + word);
            empty = false;
        }

        yield return current.ToString();
    }

    // A word too long for the line, broken after its separators (public.pipeline_ | template_stages), else in chunks.
    private static IEnumerable<string> Pieces(string word, int width)
    {
        while (word.Length > width)
        {
            var cut = word.AsSpan(0, width).LastIndexOfAny("_.-/,") + 1;
            cut = cut > 0 ? cut : width;
            yield return word[..cut];
            word = word[cut..];
        }

        yield return word;
    }
}
