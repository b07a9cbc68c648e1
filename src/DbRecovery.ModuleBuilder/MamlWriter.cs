using System.Globalization;
using System.Xml.Linq;

namespace DbRecovery.ModuleBuilder;

/// <summary>Writes cmdlet help as MAML, the format Get-Help reads for binary modules.</summary>
internal static class MamlWriter
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    public static void Write(IReadOnlyList<CommandHelp> commands, string path)
    {
        var document = new XDocument(
            new XDeclaration("1.0", "utf-8", null),
            new XElement(
                Msh + "helpItems",
                new XAttribute("schema", "maml"),
                new XAttribute(XNamespace.Xmlns + "maml", Maml),
                new XAttribute(XNamespace.Xmlns + "command", Command),
                new XAttribute(XNamespace.Xmlns + "dev", Dev),
                commands.Select(ToCommand)
            )
        );
        document.Save(path);
    }

    private static XElement ToCommand(CommandHelp help) =>
        new(
            Command + "command",
            new XElement(
                Command + "details",
                new XElement(Command + "name", help.Name),
                new XElement(Command + "verb", help.Verb),
                new XElement(Command + "noun", help.Noun),
                Description(help.Synopsis)
            ),
            Description([.. help.Description]),
            new XElement(Command + "syntax", SyntaxItems(help)),
            new XElement(
                Command + "parameters",
                help.Parameters.Select(p => Parameter(p, p.Mandatory, p.Position, p.PipelineInput))
            ),
            new XElement(Command + "inputTypes", help.InputTypes.Select(t => TypeEntry(Command + "inputType", t))),
            new XElement(Command + "returnValues", help.OutputTypes.Select(t => TypeEntry(Command + "returnValue", t))),
            new XElement(
                Command + "examples",
                help.Examples.Select(
                    (e, i) =>
                        new XElement(
                            Command + "example",
                            new XElement(
                                Maml + "title",
                                "-------------------------- Example "
                                    + $"{(i + 1).ToString(CultureInfo.InvariantCulture)} --------------------------"
                            ),
                            new XElement(Dev + "code", e.Code),
                            new XElement(Dev + "remarks", new XElement(Maml + "para", e.Remarks))
                        )
                )
            ),
            new XElement(
                Maml + "relatedLinks",
                help.RelatedCommands.Append("about_DbRecovery")
                    .Select(link => new XElement(
                        Maml + "navigationLink",
                        new XElement(Maml + "linkText", link),
                        new XElement(Maml + "uri")
                    ))
            )
        );

    private static IEnumerable<XElement> SyntaxItems(CommandHelp help) =>
        help.ParameterSets.Select(set => new XElement(
            Command + "syntaxItem",
            new XElement(Maml + "name", help.Name),
            help.Parameters.Select(p => (Parameter: p, Binding: p.In(set)))
                .Where(p => p.Binding is not null)
                .Select(p => Parameter(p.Parameter, p.Binding!.Mandatory, p.Binding.Position, p.Binding.PipelineInput))
        ));

    private static XElement Parameter(ParameterHelp p, bool required, string position, string pipelineInput) =>
        new(
            Command + "parameter",
            new XAttribute("required", required ? "true" : "false"),
            new XAttribute("variableLength", p.Type.EndsWith("[]", StringComparison.Ordinal) ? "true" : "false"),
            new XAttribute("globbing", p.Globbing ? "true" : "false"),
            new XAttribute("pipelineInput", pipelineInput),
            new XAttribute("position", position),
            new XAttribute("aliases", p.Aliases.Count == 0 ? "none" : string.Join(", ", p.Aliases)),
            new XElement(Maml + "name", p.Name),
            Description(p.Description),
            p.Type == "SwitchParameter"
                ? null
                : new XElement(
                    Command + "parameterValue",
                    new XAttribute("required", "true"),
                    new XAttribute("variableLength", "false"),
                    p.Type
                ),
            new XElement(Dev + "type", new XElement(Maml + "name", p.Type), new XElement(Maml + "uri")),
            new XElement(Dev + "defaultValue", p.DefaultValue)
        );

    private static XElement TypeEntry(XName name, string type) =>
        new(
            name,
            new XElement(Dev + "type", new XElement(Maml + "name", type), new XElement(Maml + "uri")),
            Description(string.Empty)
        );

    private static XElement Description(params string[] paragraphs) =>
        new(Maml + "description", paragraphs.Select(p => new XElement(Maml + "para", p)));
}
