using DbRecovery.Engine.Alembic.Operations;
using DbRecovery.Engine.Alembic.Python;

namespace DbRecovery.Engine.Alembic;

/// <summary>
/// Reads the statements of <c>def upgrade():</c> into operations: <c>op.*</c> calls, <c>with
/// op.batch_alter_table(...) as batch_op:</c> blocks, and <c>op.execute</c> SQL. Any other statement
/// becomes an <see cref="OpaqueOperation"/> with its line.
/// </summary>
internal static class UpgradeBodyReader
{
    public static List<MigrationOperation> Read(PythonExpressionParser parser, MigrationScript script, int defColumn)
    {
        var operations = new List<MigrationOperation>();
        var batches = new Stack<(string Alias, string? Table, string? Schema, int Column)>();
        while (parser.Current.Kind != PythonTokenKind.EndOfFile && parser.Current.Column > defColumn)
        {
            var start = parser.Position;
            var line = parser.Current;
            while (batches.Count > 0 && line.Column <= batches.Peek().Column)
            {
                batches.Pop();
            }

            try
            {
                ReadStatement(parser, operations, batches);
            }
            catch (PythonSyntaxException ex)
            {
                script.Warn(ex.Line, ex.Message);
                operations.Add(new OpaqueOperation { Description = "unreadable statement", Line = line.Line });
                parser.Position = start;
            }

            MigrationFileReader.SkipLogicalLine(parser);
        }

        return operations;
    }

    private static void ReadStatement(PythonExpressionParser parser, List<MigrationOperation> operations, Stack<(string Alias, string? Table, string? Schema, int Column)> batches)
    {
        var first = parser.Current;
        if (first.Kind == PythonTokenKind.String || first.Is("pass"))
        {
            return;
        }

        if (first.Is("with"))
        {
            parser.Next();
            var context = parser.Parse();
            if (context is PythonCall { FunctionName: "op.batch_alter_table" } batch && parser.Accept("as") && parser.Current.Kind == PythonTokenKind.Name)
            {
                var alias = parser.Next().Text;
                batches.Push((alias, batch.Argument(0, "table_name")?.AsString(), batch.Keyword("schema")?.AsString(), first.Column));
                return;
            }

            operations.Add(new OpaqueOperation { Description = "with block", Line = first.Line });
            return;
        }

        var expression = parser.Parse(allowTuple: true);
        if (expression is not PythonCall call || parser.Current.Is("="))
        {
            operations.Add(new OpaqueOperation { Description = first.Text + " statement", Line = first.Line });
            return;
        }

        var name = call.FunctionName;
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        var owner = dot < 0 ? string.Empty : name[..dot];
        var method = name[(dot + 1)..];
        var operation = owner == "op"
            ? OperationCalls.FromOp(method, call)
            : batches.FirstOrDefault(b => b.Alias == owner) is { Alias: not null } batchContext
                ? OperationCalls.FromBatch(method, call, batchContext.Table, batchContext.Schema)
                : null;
        operations.Add(operation ?? new OpaqueOperation { Description = name.Length > 0 ? name : "call", Line = call.Line });
    }
}
