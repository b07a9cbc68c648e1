using DbRecovery.Engine.Alembic.Operations;
using DbRecovery.Engine.Alembic.Python;

namespace DbRecovery.Engine.Alembic;

/// <summary>
/// A condition that asks whether an object exists, the way migrations make themselves safe to rerun:
/// <c>"x_key" in unique_constraints</c>, <c>not index_exists(engine, "nodes", "ix")</c>,
/// <c>inspector.has_table("t")</c>. An operation on that very object under it is a <see cref="GuardedOperation"/>; the
/// replay's model answers the question.
/// </summary>
/// <param name="Name">The object asked about.</param>
/// <param name="MustExist">Whether the condition holds when it exists.</param>
/// <param name="Among">What it looks among (see <see cref="GuardedOperation.Among"/>).</param>
internal sealed record ExistenceGuard(string Name, bool MustExist, string Among)
{
    /// <summary>The guard a condition is, or null.</summary>
    public static ExistenceGuard? Of(PythonExpression condition) =>
        condition switch
        {
            PythonNot not => Of(not.Operand) is { } inner ? inner with { MustExist = !inner.MustExist } : null,
            PythonBinary { Operator: "in" or "not in" } member when member.Left.AsString() is { } name => new(
                name,
                member.Operator == "in",
                AmongOf(Words(member.Right))
            ),
            PythonCall call when Asks(call) && (LastString(call) ?? TableAsked(call)) is { } name => new(
                name,
                true,
                AmongOf(Words(call.Function))
            ),
            _ => null,
        };

    private static string AmongOf(string words) =>
        words.Contains("unique", StringComparison.OrdinalIgnoreCase) ? "unique"
        : words.Contains("foreign", StringComparison.OrdinalIgnoreCase)
        || words.Contains("fk", StringComparison.OrdinalIgnoreCase)
            ? "foreignkey"
        : words.Contains("index", StringComparison.OrdinalIgnoreCase) ? "index"
        : words.Contains("column", StringComparison.OrdinalIgnoreCase) ? "column"
        : words.Contains("table", StringComparison.OrdinalIgnoreCase) ? "table"
        : "any";

    private static string Words(PythonExpression expression) =>
        expression switch
        {
            PythonName name => name.Dotted,
            PythonAttribute attribute => Words(attribute.Target) + "." + attribute.Name,
            PythonCall call => Words(call.Function) + "(" + string.Join(",", call.Arguments.Select(Words)) + ")",
            PythonSequence sequence => string.Join(",", sequence.Items.Select(Words)),
            PythonComprehension comprehension => Words(comprehension.Element) + " for " + Words(comprehension.Iterable),
            PythonOpaque opaque => opaque.Text,
            _ => expression.AsString() ?? string.Empty,
        };

    /// <summary>The operation as it runs under this guard, or null when it works on another object (then it is
    /// unknown).</summary>
    public GuardedOperation? Guard(MigrationOperation operation) =>
        NameOf(operation) == Name
            ? new GuardedOperation
            {
                Inner = operation,
                Name = Name,
                MustExist = MustExist,
                Among = Among,
                Schema = operation.Schema,
                Table = operation.Table,
                Line = operation.Line,
            }
            : null;

    /// <inheritdoc />
    public override string ToString() => $"whether {Name} exists";

    // sa.Table("t", meta, ...).exists()
    private static string? TableAsked(PythonCall call) =>
        call.Function is PythonAttribute { Target: var target } && OperationCalls.TableOf(target) is { } table
            ? table.Argument(0, "name")?.AsString()
            : null;

    private static string? LastString(PythonCall call) =>
        call.Arguments.LastOrDefault(a => a.AsString() is not null)?.AsString();

    private static bool Asks(PythonCall call)
    {
        var function = call.Function switch
        {
            PythonName name => name.Last,
            PythonAttribute attribute => attribute.Name,
            _ => string.Empty,
        };
        return function.EndsWith("exists", StringComparison.Ordinal)
            || function.StartsWith("has_", StringComparison.Ordinal);
    }

    private static string? NameOf(MigrationOperation operation) =>
        operation switch
        {
            CreateTableOperation or DropTableOperation => operation.Table,
            DropConstraintOperation drop => drop.Name,
            DropIndexOperation drop => drop.Name,
            CreateIndexOperation create => create.Index.Name,
            AddColumnOperation add => add.Column.Name,
            DropColumnOperation drop => drop.Column,
            AlterColumnOperation alter => alter.Column,
            CreateUniqueConstraintOperation unique => unique.Unique.Name,
            CreateForeignKeyOperation foreignKey => foreignKey.ForeignKey.Name,
            CreateEnumOperation create => create.Enum.Name,
            DropEnumOperation drop => drop.Name,
            _ => null,
        };
}
