using System.Management.Automation;
using System.Reflection;

namespace DbRecovery.ModuleBuilder;

/// <summary>Everything help says about one cmdlet, gathered from its attributes and XML docs.</summary>
internal sealed record CommandHelp(
    string Name,
    string Verb,
    string Noun,
    string Synopsis,
    IReadOnlyList<string> Description,
    IReadOnlyList<ParameterHelp> Parameters,
    IReadOnlyList<string> InputTypes,
    IReadOnlyList<string> OutputTypes,
    IReadOnlyList<ExampleHelp> Examples)
{
    private static readonly ParameterHelp[] ShouldProcessParameters =
    [
        new("WhatIf", "SwitchParameter", "Shows what would happen if the cmdlet runs, including the exact statements; nothing is changed.", false, "named", "False", [], false, []),
        new("Confirm", "SwitchParameter", "Asks for confirmation before each change.", false, "named", "False", [], false, []),
    ];

    public static IReadOnlyList<CommandHelp> Collect(Assembly assembly, XmlDocs docs) =>
        assembly.GetExportedTypes()
            .Select(t => (Type: t, Cmdlet: t.GetCustomAttribute<CmdletAttribute>()))
            .Where(x => x.Cmdlet is not null && !x.Type.IsAbstract)
            .OrderBy(x => x.Cmdlet!.NounName, StringComparer.Ordinal).ThenBy(x => x.Cmdlet!.VerbName, StringComparer.Ordinal)
            .Select(x => FromType(x.Type, x.Cmdlet!, docs))
            .ToList();

    public IEnumerable<string> Problems()
    {
        if (Synopsis.Length == 0)
        {
            yield return $"{Name} has no <summary> (its synopsis).";
        }

        if (Description.Count == 0)
        {
            yield return $"{Name} has no <remarks> (its description).";
        }

        if (Examples.Count == 0 || Examples.Any(e => e.Code.Length == 0 || e.Remarks.Length == 0))
        {
            yield return $"{Name} needs at least one <example> with <code> and an explaining <para>.";
        }

        foreach (var parameter in Parameters.Where(p => p.Description.Length == 0))
        {
            yield return $"{Name} -{parameter.Name} has no <summary>.";
        }
    }

    private static CommandHelp FromType(Type type, CmdletAttribute cmdlet, XmlDocs docs)
    {
        var member = docs.Member("T:" + type.FullName);
        var parameters = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Property: p, Attributes: p.GetCustomAttributes<ParameterAttribute>().ToList()))
            .Where(p => p.Attributes.Count > 0)
            .OrderBy(p => p.Attributes.Min(a => a.Position < 0 ? int.MaxValue : a.Position))
            .ThenByDescending(p => p.Attributes.Any(a => a.Mandatory))
            .Select(p => ParameterHelp.From(p.Property, p.Attributes, docs))
            .Concat(cmdlet.SupportsShouldProcess ? ShouldProcessParameters : [])
            .ToList();
        var paragraphs = member?.Element("remarks")?.Elements("para").Select(XmlDocs.Text).ToList() ?? [];
        if (paragraphs.Count == 0 && XmlDocs.Text(member?.Element("remarks")) is { Length: > 0 } remarks)
        {
            paragraphs.Add(remarks);
        }

        return new CommandHelp(
            $"{cmdlet.VerbName}-{cmdlet.NounName}",
            cmdlet.VerbName,
            cmdlet.NounName,
            XmlDocs.Text(member?.Element("summary")),
            paragraphs,
            parameters,
            parameters.Where(p => p.PipelineInput != "False").Select(p => p.Type).Distinct().ToList(),
            type.GetCustomAttributes<OutputTypeAttribute>().SelectMany(o => o.Type).Select(t => t.Name).ToList(),
            member?.Elements("example").Select(e => new ExampleHelp(
                e.Element("code")?.Value.Trim() ?? string.Empty,
                string.Join(" ", e.Elements("para").Select(XmlDocs.Text)))).ToList() ?? []);
    }
}

/// <summary>Help of one parameter.</summary>
internal sealed record ParameterHelp(
    string Name,
    string Type,
    string Description,
    bool Mandatory,
    string Position,
    string PipelineInput,
    IReadOnlyList<string> Aliases,
    bool Globbing,
    IReadOnlyList<string> ParameterSets)
{
    public static ParameterHelp From(PropertyInfo property, IReadOnlyList<ParameterAttribute> attributes, XmlDocs docs)
    {
        var byValue = attributes.Any(a => a.ValueFromPipeline);
        var byName = attributes.Any(a => a.ValueFromPipelineByPropertyName);
        var pipeline = (byValue, byName) switch
        {
            (true, true) => "True (ByValue, ByPropertyName)",
            (true, false) => "True (ByValue)",
            (false, true) => "True (ByPropertyName)",
            _ => "False",
        };
        var position = attributes.Select(a => a.Position).Where(p => p >= 0).DefaultIfEmpty(-1).Min();
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        return new ParameterHelp(
            property.Name,
            type.Name,
            XmlDocs.Text(docs.Member($"P:{property.DeclaringType!.FullName}.{property.Name}")?.Element("summary")),
            attributes.Any(a => a.Mandatory),
            position < 0 ? "named" : position.ToString(System.Globalization.CultureInfo.InvariantCulture),
            pipeline,
            property.GetCustomAttribute<AliasAttribute>()?.AliasNames.ToList() ?? [],
            property.GetCustomAttribute<SupportsWildcardsAttribute>() is not null,
            attributes.Select(a => a.ParameterSetName).Where(s => s != ParameterAttribute.AllParameterSets).ToList());
    }
}

/// <summary>One example: the code and what it does.</summary>
internal sealed record ExampleHelp(string Code, string Remarks);
