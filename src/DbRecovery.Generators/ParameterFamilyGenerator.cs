using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DbRecovery.Generators;

/// <summary>
/// Declares a parameter family once: a cmdlet marked <c>[ParametersFrom(typeof(Family))]</c> (and partial) gets the
/// family's properties, with their attributes, defaults and documentation, copied into it at compile time. PowerShell
/// only binds parameters a cmdlet's own class or its base classes declare, and a cmdlet has one base class, so the
/// families that cut across the cmdlet hierarchy cannot be inherited.
/// </summary>
[Generator]
public sealed class ParameterFamilyGenerator : IIncrementalGenerator
{
    private const string Attribute = "DbRecovery.Commands.Parameters.ParametersFromAttribute";

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var cmdlets = context.SyntaxProvider.ForAttributeWithMetadataName(
            Attribute,
            static (node, _) => node is ClassDeclarationSyntax,
            static (target, cancel) => Render((INamedTypeSymbol)target.TargetSymbol, target.Attributes, cancel)
        );
        context.RegisterSourceOutput(cmdlets, static (output, source) => output.AddSource(source.Name, source.Text));
    }

    private static GeneratedSource Render(
        INamedTypeSymbol cmdlet,
        IEnumerable<AttributeData> attributes,
        CancellationToken cancel
    )
    {
        var families = attributes
            .SelectMany(a => a.ConstructorArguments)
            .SelectMany(a => a.Kind == TypedConstantKind.Array ? a.Values.ToArray() : new[] { a })
            .Select(a => a.Value)
            .OfType<INamedTypeSymbol>()
            .SelectMany(f => f.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancel)))
            .OfType<ClassDeclarationSyntax>()
            .ToList();
        var usings = families
            .SelectMany(f => f.SyntaxTree.GetCompilationUnitRoot(cancel).Usings.Select(u => u.ToString()))
            .Distinct()
            .OrderBy(u => u, System.StringComparer.Ordinal);
        var text = new StringBuilder("#nullable enable\n");
        foreach (var line in usings)
        {
            text.Append(line).Append('\n');
        }

        text.Append("\nnamespace ")
            .Append(cmdlet.ContainingNamespace.ToDisplayString())
            .Append(";\n\npartial class ")
            .Append(cmdlet.Name)
            .Append("\n{\n");
        foreach (var property in families.SelectMany(f => f.Members.OfType<PropertyDeclarationSyntax>()))
        {
            text.Append(property.ToFullString().TrimEnd()).Append("\n\n");
        }

        return new GeneratedSource(cmdlet.Name + ".Parameters.g.cs", text.ToString().TrimEnd() + "\n}\n");
    }

    private sealed record GeneratedSource(string Name, string Text);
}
