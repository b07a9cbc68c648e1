using System.Text.RegularExpressions;
using DbRecovery.Engine.Alembic.Python;

namespace DbRecovery.Engine.Alembic;

/// <summary>
/// Evaluates the condition of an <c>if</c> in a migration as it turns out on PostgreSQL, where it tests the dialect:
/// <c>op.get_bind().dialect.name == "mysql"</c>, <c>context.get_context().dialect.name in (...)</c>,
/// <c>engine.name != "postgresql"</c>, <c>url.startswith("sqlite")</c>, helpers such as <c>is_sqlite(bind)</c>, and
/// <c>not</c>/<c>and</c>/<c>or</c> of those. Anything else (the data, a reflected catalog) is unknown: null.
/// </summary>
internal static partial class DialectCondition
{
    private const string Dialect = "postgresql";

    /// <summary>True or false on PostgreSQL, or null when the condition does not depend on the dialect alone.</summary>
    public static bool? OnPostgres(PythonExpression condition) =>
        condition switch
        {
            PythonName { Dotted: "True" } => true,
            PythonName { Dotted: "False" } => false,
            PythonNot not => !OnPostgres(not.Operand),
            PythonBinary { Operator: "and" } both => !Or(Negate(OnPostgres(both.Left)), Negate(OnPostgres(both.Right))),
            PythonBinary { Operator: "or" } either => Or(OnPostgres(either.Left), OnPostgres(either.Right)),
            PythonBinary { Operator: "==" or "!=" or "is" or "is not" } compare => Equality(compare),
            PythonBinary { Operator: "in" or "not in" } member
                when IsDialectName(member.Left) && Strings(member.Right) is { } names => names.Contains(
                Dialect,
                StringComparer.Ordinal
            ) == (member.Operator == "in"),
            PythonCall { FunctionName: "op.get_bind" or "op.get_context" } => true,
            PythonCall call => Call(call),
            _ => null,
        };

    private static bool? Negate(bool? value) => !value;

    // Three-valued: true wins over unknown.
    private static bool? Or(bool? left, bool? right) =>
        left == true || right == true ? true
        : left == false && right == false ? false
        : null;

    private static bool? Equality(PythonBinary compare)
    {
        var (dialect, literal) = IsDialectName(compare.Left)
            ? (compare.Left, compare.Right)
            : (compare.Right, compare.Left);
        if (!IsDialectName(dialect) || literal.AsString() is not { } name)
        {
            return null;
        }

        var equal = compare.Operator is "==" or "is";
        return (name == Dialect) == equal;
    }

    private static bool? Call(PythonCall call)
    {
        var function = Describe(call.Function);
        if (Helper().Match(function) is { Success: true } helper)
        {
            return helper.Groups[1].Value.StartsWith("postgres", StringComparison.Ordinal);
        }

        if (
            function.EndsWith(".startswith", StringComparison.Ordinal)
            && function.Contains("url", StringComparison.OrdinalIgnoreCase)
            && Strings(call.Argument(0, "prefix") ?? new PythonOpaque(string.Empty, call.Line)) is { } prefixes
        )
        {
            return prefixes.Any(p => Dialect.StartsWith(p, StringComparison.Ordinal));
        }

        return null;
    }

    /// <summary>Whether the expression is the dialect's name: <c>…dialect.name</c>, <c>…engine.name</c>,
    /// <c>dialect_name</c>.</summary>
    private static bool IsDialectName(PythonExpression expression)
    {
        var text = Describe(expression);
        return text.EndsWith("dialect.name", StringComparison.Ordinal)
            || text.EndsWith("engine.name", StringComparison.Ordinal)
            || text.EndsWith("dialect_name", StringComparison.Ordinal);
    }

    private static IReadOnlyList<string>? Strings(PythonExpression expression) =>
        expression switch
        {
            PythonSequence sequence when sequence.Items.All(i => i.AsString() is not null) => sequence
                .Items.Select(i => i.AsString()!)
                .ToList(),
            _ when expression.AsString() is { } single => [single],
            _ => null,
        };

    /// <summary>The expression as dotted text: <c>op.get_bind().dialect.name</c>.</summary>
    private static string Describe(PythonExpression expression) =>
        expression switch
        {
            PythonName name => name.Dotted,
            PythonAttribute attribute => Describe(attribute.Target) + "." + attribute.Name,
            PythonCall call => Describe(call.Function) + "()",
            _ => string.Empty,
        };

    [GeneratedRegex(@"(?:^|\.)is_(sqlite|mysql|mariadb|mssql|oracle|postgres|postgresql)$")]
    private static partial Regex Helper();
}
