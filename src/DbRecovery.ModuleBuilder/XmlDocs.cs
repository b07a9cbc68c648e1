using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace DbRecovery.ModuleBuilder;

/// <summary>The compiler's XML documentation of the cmdlet assembly, read as plain text.</summary>
internal sealed partial class XmlDocs
{
    private readonly Dictionary<string, XElement> _members;

    private XmlDocs(Dictionary<string, XElement> members) => _members = members;

    public static XmlDocs Load(string path) =>
        new(XDocument.Load(path).Descendants("member").ToDictionary(m => (string)m.Attribute("name")!, m => m));

    public XElement? Member(string id) => _members.GetValueOrDefault(id);

    /// <summary>
    /// The text of an element: inline <c>c</c> and <c>see</c> tags become their words, whitespace folds.
    /// </summary>
    public static string Text(XElement? element)
    {
        if (element is null)
        {
            return string.Empty;
        }

        var words = element
            .Nodes()
            .Select(node =>
                node switch
                {
                    XText text => text.Value,
                    XElement { Name.LocalName: "see" or "seealso" } see => (string?)see.Attribute("langword")
                        ?? ((string?)see.Attribute("cref"))?.Split('.', ':').Last()
                        ?? see.Value,
                    XElement other => Text(other),
                    _ => string.Empty,
                }
            );
        return Whitespace().Replace(string.Concat(words), " ").Trim();
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
