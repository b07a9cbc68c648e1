using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Text.Json.Nodes;

namespace DbRecovery.Hosting;

/// <summary>
/// An object PowerShell rebuilt from text (Import-Clixml's property bags, ConvertFrom-Json's PSCustomObjects)
/// written back as JSON, so the engine's own deserializer can make the typed object again.
/// </summary>
internal static class PSObjectJson
{
    private const int MaxDepth = 32;

    public static string ToJson(object? value) =>
        (Node(value, 0) ?? JsonValue.Create((string?)null))?.ToJsonString() ?? "null";

    private static JsonNode? Node(object? value, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException("The object is nested too deeply to be a recovery plan.", nameof(value));
        }

        var wrapped = value as PSObject;
        var inner = wrapped?.BaseObject ?? value;
        switch (inner)
        {
            case null:
                return null;
            case string text:
                return JsonValue.Create(text);
            case bool flag:
                return JsonValue.Create(flag);
            case DateTime time:
                return JsonValue.Create(time);
            case DateTimeOffset time:
                return JsonValue.Create(time);
            case Enum e:
                return JsonValue.Create(e.ToString());
            case IConvertible number when inner.GetType().IsPrimitive || inner is decimal:
                return JsonValue.Create(number.ToDecimal(CultureInfo.InvariantCulture));
            case IDictionary dictionary:
                var map = new JsonObject();
                foreach (DictionaryEntry entry in dictionary)
                {
                    map[Convert.ToString(entry.Key, CultureInfo.InvariantCulture)!] = Node(entry.Value, depth + 1);
                }

                return map;
            case IEnumerable items:
                return new JsonArray(items.Cast<object?>().Select(i => Node(i, depth + 1)).ToArray());
        }

        var properties = new JsonObject();
        foreach (var property in (wrapped ?? PSObject.AsPSObject(inner)).Properties)
        {
            properties[property.Name] = Node(property.Value, depth + 1);
        }

        return properties;
    }
}
