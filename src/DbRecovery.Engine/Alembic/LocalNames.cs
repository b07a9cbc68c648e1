using System.Text.RegularExpressions;
using DbRecovery.Engine.Alembic.Python;

namespace DbRecovery.Engine.Alembic;

/// <summary>
/// The names <c>upgrade()</c> binds as it runs (<c>tbl_name = "nodes"</c>, a loop's variables) and their values, put
/// back into the calls that use them, with the string formatting migrations do on them (<c>"ix_%s_id" % table</c>,
/// <c>"a" + name</c>), so an operation whose names are computed reads like one whose names are literals.
/// </summary>
internal sealed partial class LocalNames
{
    private readonly Dictionary<string, PythonExpression> _values = new(StringComparer.Ordinal);

    /// <summary>What a name the code does not bind stands for elsewhere (a constant of an imported module), or
    /// null.</summary>
    public Func<PythonName, PythonExpression?>? Imported { get; init; }

    /// <summary>Binds <paramref name="name"/> to <paramref name="value"/> (already substituted), or forgets it when
    /// null.</summary>
    public void Bind(string name, PythonExpression? value)
    {
        if (value is null)
        {
            _values.Remove(name);
        }
        else
        {
            _values[name] = value;
        }
    }

    /// <summary>A copy, for a loop iteration's bindings.</summary>
    public LocalNames Copy()
    {
        var copy = new LocalNames { Imported = Imported };
        foreach (var (name, value) in _values)
        {
            copy._values[name] = value;
        }

        return copy;
    }

    /// <summary><paramref name="expression"/> with every bound name replaced by its value and string formatting
    /// done.</summary>
    public PythonExpression Substitute(PythonExpression expression) =>
        expression switch
        {
            PythonName name => Lookup(name) ?? name,
            PythonCall { Function: PythonName function, Keywords.Count: 0 } call
                when Lookup(function) is PythonFunction helper && helper.Parameters.Count == call.Arguments.Count =>
                Call(helper, call),
            PythonCall { Function: PythonName function } call when Lookup(function) is TypeDecoratorClass type =>
                type.Impl with
                {
                    Line = call.Line,
                },
            PythonComprehension comprehension => (PythonExpression?)Evaluate(comprehension) ?? comprehension,
            PythonCall
            {
                Function: PythonAttribute { Target: PythonString separator, Name: "join" },
                Arguments: [var items]
            } when Substitute(items) is PythonSequence { Items: var parts } && parts.All(p => p is PythonString) =>
                new PythonString(string.Join(separator.Value, parts.Select(p => p.AsString())), false, items.Line),
            PythonCall call => call with
            {
                Function = call.Function switch
                {
                    PythonAttribute attribute => attribute with { Target = Substitute(attribute.Target) },
                    // table.create() where table = sa.Table("t", meta, ...): the method of that table.
                    PythonName function
                        when Lookup(function) is PythonAttribute { Target: var target } method
                            && OperationCalls.TableOf(target) is not null => method,
                    _ => call.Function,
                },
                Arguments = call.Arguments.Select(Substitute).ToList(),
                Keywords = call.Keywords.ToDictionary(k => k.Key, k => Substitute(k.Value), StringComparer.Ordinal),
            },
            PythonSequence sequence => sequence with { Items = sequence.Items.Select(Substitute).ToList() },
            PythonDictionary dictionary => dictionary with
            {
                Entries = dictionary.Entries.Select(e => (Substitute(e.Key), Substitute(e.Value))).ToList(),
            },
            PythonAttribute attribute => attribute with { Target = Substitute(attribute.Target) },
            PythonSubscript subscript => subscript with
            {
                Target = Substitute(subscript.Target),
                Index = Substitute(subscript.Index),
            },
            PythonNot not => not with { Operand = Substitute(not.Operand) },
            PythonBinary binary => Format(
                binary with
                {
                    Left = Substitute(binary.Left),
                    Right = Substitute(binary.Right),
                }
            ),
            _ => expression,
        };

    /// <summary>A bound name, or a bound name's attribute (<c>dialect.name</c> where <c>dialect =
    /// op.get_bind().dialect</c>).</summary>
    private PythonExpression? Lookup(PythonName name)
    {
        if (_values.TryGetValue(name.Dotted, out var value))
        {
            return value;
        }

        var parts = name.Dotted.Split('.');
        return parts.Length > 1 && _values.TryGetValue(parts[0], out var root)
                ? parts.Skip(1).Aggregate(root, (target, part) => AttributeOf(target, part, name.Line))
            : Imported?.Invoke(name) is { } imported
            && (IsLiteral(imported) || imported is TypeDecoratorClass or PythonFunction)
                ? imported with
                {
                    Line = name.Line,
                }
            : null;
    }

    // Only literals (a constant's length or label), column types and one-expression helpers are taken from other
    // modules.
    private static bool IsLiteral(PythonExpression value) =>
        value switch
        {
            PythonString or PythonNumber => true,
            PythonSequence sequence => sequence.Items.All(i => i is PythonString or PythonNumber),
            _ => false,
        };

    /// <summary>An attribute of a value: what a call was given under that keyword (<c>enum.name</c> of
    /// <c>sa.Enum("a", "b", name="x")</c>), an Enum's labels (<c>enum.enums</c>), else the attribute itself.</summary>
    private static PythonExpression AttributeOf(PythonExpression target, string name, int line) =>
        target switch
        {
            PythonCall call when call.Keyword(name) is { } given && IsLiteral(given) => given,
            PythonCall { Function: PythonName { Last: "Enum" or "ENUM" } } call
                when name == "enums" && call.Arguments.All(a => a is PythonString) => new PythonSequence(
                call.Arguments,
                line
            ),
            _ => new PythonAttribute(target, name, line),
        };

    /// <summary>What a one-expression function returns for the call's arguments.</summary>
    private PythonExpression Call(PythonFunction helper, PythonCall call)
    {
        var scope = Copy();
        foreach (var (parameter, argument) in helper.Parameters.Zip(call.Arguments))
        {
            scope.Bind(parameter, Substitute(argument));
        }

        return scope.Substitute(helper.Body) with
        {
            Line = call.Line,
        };
    }

    /// <summary>A comprehension over a literal sequence, as the sequence it makes; null when its items are not
    /// known.</summary>
    private PythonSequence? Evaluate(PythonComprehension comprehension)
    {
        if (Substitute(comprehension.Iterable) is not PythonSequence source)
        {
            return null;
        }

        var items = new List<PythonExpression>();
        foreach (var item in source.Items)
        {
            var scope = Copy();
            if (!scope.BindAll(comprehension.Targets, item))
            {
                return null;
            }

            var conditions = comprehension.Conditions.Select(c => Truth(scope.Substitute(c))).ToList();
            if (conditions.Any(c => c is null))
            {
                return null;
            }

            if (conditions.All(c => c == true))
            {
                items.Add(scope.Substitute(comprehension.Element));
            }
        }

        return new PythonSequence(items, comprehension.Line);
    }

    /// <summary>Binds <paramref name="targets"/> to <paramref name="item"/> (unpacking a tuple for several); false when
    /// it does not fit.</summary>
    public bool BindAll(IReadOnlyList<string> targets, PythonExpression item)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Count == 1)
        {
            Bind(targets[0], item);
            return true;
        }

        if (item is not PythonSequence { Items: var values } || values.Count != targets.Count)
        {
            return false;
        }

        foreach (var (target, value) in targets.Zip(values))
        {
            Bind(target, value);
        }

        return true;
    }

    private static bool? Truth(PythonExpression value) =>
        value switch
        {
            PythonName { Dotted: "True" } => true,
            PythonName { Dotted: "False" or "None" } => false,
            PythonString text => text.Value.Length > 0,
            PythonSequence sequence => sequence.Items.Count > 0,
            _ => null,
        };

    private static PythonExpression Format(PythonBinary binary)
    {
        if (binary is { Operator: "+", Left: PythonSequence first, Right: PythonSequence second })
        {
            return first with { Items = [.. first.Items, .. second.Items] };
        }

        if (binary.Left.AsString() is not { } left)
        {
            return binary;
        }

        if (binary.Operator == "+" && binary.Right.AsString() is { } right)
        {
            return new PythonString(left + right, false, binary.Line);
        }

        if (binary.Operator != "%")
        {
            return binary;
        }

        if (binary.Right is PythonDictionary named)
        {
            // "ALTER TYPE %(name)s ..." % {"name": ...}
            var entries = named
                .Entries.Where(e => e.Key.AsString() is not null && e.Value.AsString() is not null)
                .ToDictionary(e => e.Key.AsString()!, e => e.Value.AsString()!, StringComparer.Ordinal);
            var wanted = NamedPlaceholder().Matches(left).Select(m => m.Groups[1].Value);
            return wanted.All(entries.ContainsKey)
                ? new PythonString(
                    NamedPlaceholder().Replace(left, m => entries[m.Groups[1].Value]),
                    false,
                    binary.Line
                )
                : binary;
        }

        var values = binary.Right is PythonSequence sequence ? sequence.Items : [binary.Right];
        var texts = values.Select(v => v.AsString() ?? (v as PythonNumber)?.Text).ToList();
        var placeholders = Placeholder().Matches(left);
        if (texts.Any(t => t is null) || placeholders.Count != texts.Count)
        {
            return binary;
        }

        var index = 0;
        return new PythonString(Placeholder().Replace(left, _ => texts[index++]!), false, binary.Line);
    }

    [GeneratedRegex("%[sdr]")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"%\((\w+)\)[sdr]")]
    private static partial Regex NamedPlaceholder();
}
