using System.Management.Automation;
using System.Reflection;

namespace DbRecovery.ModuleBuilder;

/// <summary>
/// Everything help says about one cmdlet, gathered from its attributes, its defaults and its XML docs.
/// </summary>
internal sealed record CommandHelp(
    string Name,
    string Verb,
    string Noun,
    string Synopsis,
    IReadOnlyList<string> Description,
    IReadOnlyList<string> ParameterSets,
    IReadOnlyList<ParameterHelp> Parameters,
    IReadOnlyList<string> InputTypes,
    IReadOnlyList<string> OutputTypes,
    IReadOnlyList<ExampleHelp> Examples,
    IReadOnlyList<string> RelatedCommands
)
{
    private static readonly ParameterHelp[] ShouldProcessParameters =
    [
        ParameterHelp.Switch(
            "WhatIf",
            "Shows what would happen if the cmdlet runs, including the exact statements; nothing is changed."
        ),
        ParameterHelp.Switch("Confirm", "Asks for confirmation before each change."),
    ];

    public static IReadOnlyList<CommandHelp> Collect(Assembly assembly, XmlDocs docs)
    {
        var cmdlets = assembly
            .GetExportedTypes()
            .Select(t => (Type: t, Cmdlet: t.GetCustomAttribute<CmdletAttribute>()))
            .Where(x => x.Cmdlet is not null && !x.Type.IsAbstract)
            .ToDictionary(x => x.Type, x => x.Cmdlet!);
        var names = cmdlets.ToDictionary(c => "T:" + c.Key.FullName, c => $"{c.Value.VerbName}-{c.Value.NounName}");
        return cmdlets
            .OrderBy(x => x.Value.NounName, StringComparer.Ordinal)
            .ThenBy(x => x.Value.VerbName, StringComparer.Ordinal)
            .Select(x => FromType(x.Key, x.Value, docs, names))
            .ToList();
    }

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

        if (RelatedCommands.Count == 0)
        {
            yield return $"{Name} needs a <seealso cref=\"...Command\"/> naming a related cmdlet.";
        }

        foreach (var parameter in Parameters.Where(p => p.Description.Length == 0))
        {
            yield return $"{Name} -{parameter.Name} has no <summary>.";
        }
    }

    private static CommandHelp FromType(
        Type type,
        CmdletAttribute cmdlet,
        XmlDocs docs,
        IReadOnlyDictionary<string, string> cmdletNames
    )
    {
        var member = docs.Member("T:" + type.FullName);
        var defaults = Activator.CreateInstance(type);
        var parameters = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Property: p, Attributes: p.GetCustomAttributes<ParameterAttribute>().ToList()))
            .Where(p => p.Attributes.Count > 0)
            .OrderBy(p => p.Attributes.Min(a => a.Position < 0 ? int.MaxValue : a.Position))
            .ThenByDescending(p => p.Attributes.Any(a => a.Mandatory))
            .Select(p => ParameterHelp.From(p.Property, p.Attributes, docs, p.Property.GetValue(defaults)))
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
            SetsOf(cmdlet, parameters),
            parameters,
            parameters.Where(p => p.PipelineInput != "False").Select(p => p.Type).Distinct().ToList(),
            type.GetCustomAttributes<OutputTypeAttribute>().SelectMany(o => o.Type).Select(t => t.Name).ToList(),
            member
                ?.Elements("example")
                .Select(e => new ExampleHelp(
                    e.Element("code")?.Value.Trim() ?? string.Empty,
                    string.Join(" ", e.Elements("para").Select(XmlDocs.Text))
                ))
                .ToList()
                ?? [],
            member
                ?.Elements("seealso")
                .Select(s => cmdletNames.GetValueOrDefault((string?)s.Attribute("cref") ?? string.Empty))
                .OfType<string>()
                .ToList()
                ?? []
        );
    }

    /// <summary>
    /// The parameter sets as PowerShell binds them: the default set first, then the named sets in declaration order.
    /// </summary>
    private static List<string> SetsOf(CmdletAttribute cmdlet, IEnumerable<ParameterHelp> parameters)
    {
        var named = parameters
            .SelectMany(p => p.Sets)
            .Select(s => s.Name)
            .Where(s => s != ParameterAttribute.AllParameterSets)
            .Distinct();
        var sets = new[] { cmdlet.DefaultParameterSetName }.OfType<string>().Concat(named).Distinct().ToList();
        return sets.Count == 0 ? [ParameterAttribute.AllParameterSets] : sets;
    }
}

/// <summary>How a parameter binds in one parameter set.</summary>
internal sealed record ParameterSetHelp(string Name, bool Mandatory, string Position, string PipelineInput);

/// <summary>Help of one parameter.</summary>
internal sealed record ParameterHelp(
    string Name,
    string Type,
    string Description,
    IReadOnlyList<string> Aliases,
    bool Globbing,
    string DefaultValue,
    IReadOnlyList<ParameterSetHelp> Sets
)
{
    /// <summary>Required in the parameters section: in every set the parameter belongs to.</summary>
    public bool Mandatory => Sets.All(s => s.Mandatory);

    public string Position => Sets.Select(s => s.Position).FirstOrDefault(p => p != "named") ?? "named";

    public string PipelineInput => Sets.Select(s => s.PipelineInput).FirstOrDefault(p => p != "False") ?? "False";

    /// <summary>How the parameter binds in a set, or null when it is not part of it.</summary>
    public ParameterSetHelp? In(string set) =>
        Sets.FirstOrDefault(s => s.Name == set)
        ?? Sets.FirstOrDefault(s => s.Name == ParameterAttribute.AllParameterSets);

    public static ParameterHelp Switch(string name, string description) =>
        new(
            name,
            nameof(SwitchParameter),
            description,
            [],
            false,
            "False",
            [new(ParameterAttribute.AllParameterSets, false, "named", "False")]
        );

    public static ParameterHelp From(
        PropertyInfo property,
        IReadOnlyList<ParameterAttribute> attributes,
        XmlDocs docs,
        object? defaultValue
    )
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        return new ParameterHelp(
            property.Name,
            type.Name,
            XmlDocs.Text(docs.Member($"P:{property.DeclaringType!.FullName}.{property.Name}")?.Element("summary")),
            property.GetCustomAttribute<AliasAttribute>()?.AliasNames.ToList() ?? [],
            property.GetCustomAttribute<SupportsWildcardsAttribute>() is not null,
            // A default that depends on the machine (<value> in the docs) is described, not printed as this machine's.
            XmlDocs.Text(docs.Member($"P:{property.DeclaringType!.FullName}.{property.Name}")?.Element("value"))
                is { Length: > 0 } described
                ? described
                : DefaultText(defaultValue),
            attributes
                .Select(a => new ParameterSetHelp(
                    a.ParameterSetName,
                    a.Mandatory,
                    a.Position < 0 ? "named" : a.Position.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    (a.ValueFromPipeline, a.ValueFromPipelineByPropertyName) switch
                    {
                        (true, true) => "True (ByValue, ByPropertyName)",
                        (true, false) => "True (ByValue)",
                        (false, true) => "True (ByPropertyName)",
                        _ => "False",
                    }
                ))
                .ToList()
        );
    }

    /// <summary>
    /// A default as the user would type it: None when the cmdlet decides (or there is none), seconds for timeouts.
    /// </summary>
    private static string DefaultText(object? value) =>
        value switch
        {
            null => "None",
            SwitchParameter s => s.IsPresent ? "True" : "False",
            bool b => b ? "True" : "False",
            string { Length: 0 } => "None",
            string s => s,
            TimeSpan t => t.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + " (seconds)",
            Enum e => e.ToString(),
            System.Collections.IEnumerable items => items
                .Cast<object>()
                .Select(DefaultText)
                .DefaultIfEmpty("None")
                .Aggregate((a, b) => a + ", " + b),
            IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "None",
        };
}

/// <summary>One example: the code and what it does.</summary>
internal sealed record ExampleHelp(string Code, string Remarks);
