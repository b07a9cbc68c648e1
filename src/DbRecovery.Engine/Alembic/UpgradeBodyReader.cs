using DbRecovery.Engine.Alembic.Operations;
using DbRecovery.Engine.Alembic.Python;
using DbRecovery.Engine.Catalog;

namespace DbRecovery.Engine.Alembic;

/// <summary>
/// Reads the statements of <c>def upgrade():</c> into operations, following its blocks as they run on PostgreSQL:
/// <c>op.*</c> calls, <c>with op.batch_alter_table(...) as batch_op:</c> blocks, <c>op.execute</c> SQL; an <c>if</c> on
/// the dialect takes only the branch PostgreSQL takes; a <c>for</c> over a literal list runs its body once an item,
/// with the names it and the function bind put into the calls. What depends on anything else (the data, a reflected
/// catalog, a loop over a query) is an <see cref="OpaqueOperation"/> with its line: unknown, never applied.
/// </summary>
internal sealed class UpgradeBodyReader
{
    // op's functions that read or name things and change nothing.
    // Statements that change nothing in the database.
    private static readonly HashSet<string> Inert =
    [
        "pass",
        "import",
        "from",
        "global",
        "nonlocal",
        "assert",
        "del",
        "break",
        "continue",
    ];

    // op's (and batch_op's) functions that change the schema, and what they change: one the reader cannot model
    // still changes that.
    private static readonly Dictionary<string, UnknownParts> SchemaChanges = new(StringComparer.Ordinal)
    {
        ["create_table"] = UnknownParts.All,
        ["drop_table"] = UnknownParts.All,
        ["rename_table"] = UnknownParts.All,
        ["add_column"] = UnknownParts.All,
        ["drop_column"] = UnknownParts.All,
        ["alter_column"] = UnknownParts.All,
        ["create_index"] = UnknownParts.Indexes,
        ["drop_index"] = UnknownParts.Indexes,
        ["create_foreign_key"] = UnknownParts.Keys,
        ["create_primary_key"] = UnknownParts.Keys | UnknownParts.Indexes,
        ["create_unique_constraint"] = UnknownParts.Keys | UnknownParts.Indexes,
        ["drop_constraint"] = UnknownParts.Keys | UnknownParts.Indexes,
    };

    // Where op's functions take the table (the first argument, or the second after a name).
    private static readonly HashSet<string> TableFirst =
    [
        "create_table",
        "drop_table",
        "rename_table",
        "add_column",
        "drop_column",
        "alter_column",
    ];

    private static readonly HashSet<string> Helpers =
    [
        "op.get_bind",
        "op.get_context",
        "op.f",
        "op.inline_literal",
        "op.implementation_for",
    ];

    // How deep calls into procedures are followed (a recursive helper stops there, unknown).
    private const int MaxDepth = 8;

    private readonly PythonExpressionParser _parser;
    private readonly MigrationScript _script;
    private readonly ModuleCode _code;
    private readonly int _depth;
    private readonly List<MigrationOperation> _operations;
    private readonly Dictionary<string, (string? Table, string? Schema)> _batches = new(StringComparer.Ordinal);
    private Mode? _afterReturn;

    private UpgradeBodyReader(
        ModuleProcedure procedure,
        MigrationScript script,
        int depth,
        List<MigrationOperation> operations
    )
    {
        _parser = new PythonExpressionParser(procedure.Module.Tokens) { Position = procedure.Body };
        _script = script;
        _code = procedure.Module;
        _depth = depth;
        _operations = operations;
    }

    /// <summary>How a block's statements run: all, none, unknown (with why), or only when an object exists (or
    /// not).</summary>
    private readonly record struct Mode(bool Skip, string? Unknown, ExistenceGuard? Guard = null)
    {
        public static readonly Mode Run = new(false, null);

        public Mode Within(bool? taken, string why) =>
            Skip || taken == false ? new(true, null)
            : Unknown is not null ? this
            : taken is null ? new(false, why)
            : this;

        // A guard inside a guard, or under an unknown, is unknown.
        public Mode Guarded(ExistenceGuard guard, string why) =>
            Skip || Unknown is not null ? this
            : Guard is null ? this with { Guard = guard }
            : new(false, why);
    }

    /// <summary>Reads the body of <paramref name="upgrade"/>, a procedure of <paramref name="module"/>.</summary>
    public static List<MigrationOperation> Read(ModuleProcedure upgrade, MigrationScript script, ModuleCode module)
    {
        ArgumentNullException.ThrowIfNull(upgrade);
        ArgumentNullException.ThrowIfNull(module);
        var reader = new UpgradeBodyReader(upgrade, script, 0, []);
        reader.ReadBlock(upgrade.Column, Mode.Run, module.Names.Copy());
        return reader._operations;
    }

    /// <summary>Reads the body of a procedure <c>upgrade()</c> calls, in place, its parameters bound to the call's
    /// arguments (what the caller binds, else the defaults).</summary>
    private void Inline(ModuleProcedure procedure, PythonCall call, Mode mode, LocalNames names)
    {
        if (mode.Skip)
        {
            return;
        }

        if (_depth >= MaxDepth)
        {
            var description = Text(call.Function) + " (calls nested too deep)";
            Add(mode, new OpaqueOperation { Description = description, Line = call.Line });
            return;
        }

        var scope = procedure.Module.Names.Copy();
        for (var i = 0; i < procedure.Parameters.Count; i++)
        {
            var parameter = procedure.Parameters[i];
            var argument = call.Keyword(parameter) ?? (i < call.Arguments.Count ? call.Arguments[i] : null);
            scope.Bind(
                parameter,
                argument is null ? procedure.Defaults.GetValueOrDefault(parameter) : names.Substitute(argument)
            );
        }

        var reader = new UpgradeBodyReader(procedure, _script, _depth + 1, _operations);
        reader.ReadBlock(procedure.Column, mode, scope);
    }

    /// <summary>Reads the statements indented deeper than <paramref name="outer"/>.</summary>
    private void ReadBlock(int outer, Mode mode, LocalNames names)
    {
        while (_parser.Current.Kind != PythonTokenKind.EndOfFile && _parser.Current.Column > outer)
        {
            var start = _parser.Position;
            var line = _parser.Current;
            var effective =
                _afterReturn is not { } after || mode.Skip ? mode
                : after.Skip ? after
                : mode.Within(null, after.Unknown!);
            try
            {
                if (ReadCompound(line, effective, names))
                {
                    continue;
                }

                ReadSimple(line, effective, names);
            }
            catch (PythonSyntaxException ex)
            {
                _script.Warn(ex.Line, ex.Message);
                Add(effective, new OpaqueOperation { Description = "unreadable statement", Line = line.Line });
                _parser.Position = start;
            }

            _parser.SkipLogicalLine();
        }
    }

    /// <summary>Reads an <c>if</c>, <c>for</c>, <c>with</c> … with its body; false when the statement is a simple
    /// one.</summary>
    private bool ReadCompound(PythonToken first, Mode mode, LocalNames names)
    {
        var column = first.Column;
        switch (first.Text)
        {
            case "if":
                ReadIf(column, mode, names);
                return true;
            case "for":
                ReadFor(column, mode, names);
                return true;
            case "with":
                ReadWith(column, mode, names);
                return true;
            case "while":
                Body(column, mode.Within(null, "a while loop"), names);
                return true;
            case "try" or "finally" or "else":
                Body(column, mode, names);
                return true;
            case "except":
                Body(column, mode.Within(null, "an except block (it runs only when what it guards fails)"), names);
                return true;
            case "def" or "class" or "async":
                Body(column, new Mode(true, null), names);
                return true;
            default:
                return false;
        }
    }

    private void ReadIf(int column, Mode mode, LocalNames names)
    {
        bool? anyTaken = false;
        ExistenceGuard? guard = null;
        var branches = 0;
        while (true)
        {
            var keyword = _parser.Next().Text;
            bool? taken;
            string why;
            Mode body;
            if (keyword == "else")
            {
                taken = anyTaken is null ? null : !anyTaken;
                why = "the else of a condition DbRecovery cannot evaluate";
                body =
                    guard is not null && branches == 1
                        ? mode.Guarded(guard with { MustExist = !guard.MustExist }, why)
                        : mode.Within(taken, why);
            }
            else
            {
                var condition = names.Substitute(_parser.Parse());
                taken =
                    anyTaken == true ? false
                    : DialectCondition.OnPostgres(condition) is { } value ? (anyTaken is null && value ? null : value)
                    : null;
                why = $"a condition DbRecovery cannot evaluate ({Text(condition)})";
                guard = taken is null && anyTaken == false ? ExistenceGuard.Of(condition) : null;
                body = guard is null ? mode.Within(taken, why) : mode.Guarded(guard, why);
            }

            branches++;
            anyTaken =
                anyTaken == true || taken == true ? true
                : anyTaken is null || taken is null ? null
                : false;
            Body(column, body, names);
            if (_parser.Current.Column != column || !(_parser.Current.Is("elif") || _parser.Current.Is("else")))
            {
                return;
            }
        }
    }

    private void ReadFor(int column, Mode mode, LocalNames names)
    {
        _parser.Next();
        var targets = new List<string>();
        _parser.Accept("(");
        while (_parser.Current.Kind == PythonTokenKind.Name && !_parser.Current.Is("in"))
        {
            targets.Add(_parser.Next().Text);
            _parser.Accept(",");
            _parser.Accept(")");
        }

        _parser.Expect("in");
        var iterable = names.Substitute(_parser.Parse(allowTuple: true));
        _parser.SkipLogicalLine();
        var body = _parser.Position;
        if (mode.Skip || iterable is not PythonSequence { Items: var items } || items.Any(i => !Binds(targets, i)))
        {
            ReadBlock(column, mode.Within(null, $"a loop over {Text(iterable)}"), names);
            return;
        }

        if (items.Count == 0)
        {
            ReadBlock(column, new Mode(true, null), names);
        }

        foreach (var item in items)
        {
            _parser.Position = body;
            var iteration = names.Copy();
            iteration.BindAll(targets, item);
            ReadBlock(column, mode, iteration);
        }
    }

    private void ReadWith(int column, Mode mode, LocalNames names)
    {
        _parser.Next();
        var context = names.Substitute(_parser.Parse());
        if (
            context is PythonCall { FunctionName: "op.batch_alter_table" } batch
            && _parser.Accept("as")
            && _parser.Current.Kind == PythonTokenKind.Name
        )
        {
            var alias = _parser.Next().Text;
            _batches[alias] = (batch.Argument(0, "table_name")?.AsString(), batch.Keyword("schema")?.AsString());
            Body(column, mode, names);
            _batches.Remove(alias);
            return;
        }

        if (context is PythonCall call && ProcedureOf(call, names) is { } procedure)
        {
            // A context manager of the project (a generator): what it does around the block is read before it.
            Inline(procedure, call, mode, names);
        }

        Body(column, mode, names);
    }

    /// <summary>Skips the rest of the header line and reads the block under it.</summary>
    private void Body(int column, Mode mode, LocalNames names)
    {
        _parser.SkipLogicalLine();
        ReadBlock(column, mode, names);
    }

    private void ReadSimple(PythonToken first, Mode mode, LocalNames names)
    {
        if (first.Kind == PythonTokenKind.String || Inert.Contains(first.Text))
        {
            return;
        }

        if (first.Is("raise"))
        {
            // A database the migration upgraded is one where it did not raise: nothing follows from it.
            return;
        }

        if (first.Is("return"))
        {
            // What follows runs only when this did not: after a certain return nothing does, after a possible one it is
            // unknown.
            if (!mode.Skip && _afterReturn is not { Skip: true })
            {
                _afterReturn = mode.Unknown is null
                    ? new Mode(true, null)
                    : new Mode(false, $"code after a return under {mode.Unknown}");
            }

            return;
        }

        var expression = _parser.Parse(allowTuple: true);
        if (_parser.Accept("="))
        {
            PythonExpression? value = names.Substitute(_parser.Parse(allowTuple: true));
            if (value is PythonCall assigned && ProcedureOf(assigned, names) is { } procedure)
            {
                Inline(procedure, assigned, mode, names);
                value = null;
            }

            if (expression is PythonName target && !mode.Skip)
            {
                names.Bind(target.Dotted, mode.Unknown is null ? value : null);
            }

            if (value is PythonCall call && IsOperation(call))
            {
                Add(mode, Operation(call));
            }

            return;
        }

        if (expression is not PythonCall statement)
        {
            Add(mode, new OpaqueOperation { Description = first.Text + " statement", Line = first.Line });
            return;
        }

        if (ProcedureOf(statement, names) is { } called)
        {
            Inline(called, statement, mode, names);
        }
        else if (!Helpers.Contains(statement.FunctionName))
        {
            Add(mode, Operation((PythonCall)names.Substitute(statement)));
        }
    }

    private ModuleProcedure? ProcedureOf(PythonCall call, LocalNames names) =>
        call.Function is PythonName { Dotted: var dotted } && !dotted.StartsWith("op.", StringComparison.Ordinal)
            ? _code.Procedure(dotted, names)
            : null;

    private bool IsOperation(PythonCall call) =>
        (call.FunctionName.StartsWith("op.", StringComparison.Ordinal) && !Helpers.Contains(call.FunctionName))
        || _batches.ContainsKey(call.FunctionName.Split('.')[0])
        || call.Function is PythonAttribute { Target: var target } && OperationCalls.TableOf(target) is not null;

    private static PythonExpression? TableArgument(PythonCall call, string method)
    {
        var position = TableFirst.Contains(method) ? 0 : 1;
        return position < call.Arguments.Count ? call.Arguments[position] : null;
    }

    private MigrationOperation Operation(PythonCall call)
    {
        if (
            call.Function is PythonAttribute { Target: var target, Name: var called }
            && OperationCalls.TableOf(target) is { } table
        )
        {
            return OperationCalls.FromTable(called, table)
                ?? new OpaqueOperation { Description = $"Table(…).{called}", Line = call.Line };
        }

        var name = call.FunctionName;
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        var owner = dot < 0 ? string.Empty : name[..dot];
        var method = name[(dot + 1)..];
        var operation =
            owner == "op" ? OperationCalls.FromOp(method, call)
            : _batches.TryGetValue(owner, out var batch)
                ? OperationCalls.FromBatch(method, call, batch.Table, batch.Schema)
            : null;
        return operation
            ?? new OpaqueOperation
            {
                Description = name.Length > 0 ? name : "call",
                Line = call.Line,
                Changes = owner.Length > 0 ? SchemaChanges.GetValueOrDefault(method) : UnknownParts.None,
                Table = _batches.TryGetValue(owner, out var batched)
                    ? batched.Table
                    : (
                        call.Keyword("table_name") ?? call.Keyword("source_table") ?? TableArgument(call, method)
                    )?.AsString(),
            };
    }

    private void Add(Mode mode, MigrationOperation operation)
    {
        if (mode.Skip)
        {
            return;
        }

        if (mode.Guard is { } guard && mode.Unknown is null)
        {
            _operations.Add((MigrationOperation?)guard.Guard(operation) ?? Unknown(operation, $"a test of {guard}"));
            return;
        }

        _operations.Add(mode.Unknown is null ? operation : Unknown(operation, mode.Unknown));
    }

    private static OpaqueOperation Unknown(MigrationOperation operation, string why) =>
        new()
        {
            Description = $"{Describe(operation)} under {why}",
            Line = operation.Line,
            Changes = operation switch
            {
                OpaqueOperation opaque => opaque.Changes,
                ExecuteOperation { Recognized.Count: 0 } => UnknownParts.None,
                CreateIndexOperation or DropIndexOperation => UnknownParts.Indexes,
                CreateForeignKeyOperation => UnknownParts.Keys,
                CreateUniqueConstraintOperation or CreatePrimaryKeyOperation or DropConstraintOperation =>
                    UnknownParts.Keys | UnknownParts.Indexes,
                _ => UnknownParts.All,
            },
            Table = operation.Table,
            Schema = operation.Schema,
            Possible = operation is OpaqueOperation inner ? inner.Possible : operation,
        };

    private static string Describe(MigrationOperation operation) =>
        operation is OpaqueOperation opaque
            ? opaque.Description
            : operation.GetType().Name.Replace("Operation", string.Empty, StringComparison.Ordinal);

    private static bool Binds(List<string> targets, PythonExpression item) =>
        targets.Count == 1 || (item is PythonSequence { Items.Count: var count } && count == targets.Count);

    private static string Text(PythonExpression expression) =>
        expression switch
        {
            PythonName name => name.Dotted,
            PythonOpaque opaque => opaque.Text,
            PythonAttribute attribute => Text(attribute.Target) + "." + attribute.Name,
            PythonCall call => Text(call.Function) + "(…)",
            PythonBinary binary => $"{Text(binary.Left)} {binary.Operator} {Text(binary.Right)}",
            PythonNot not => "not " + Text(not.Operand),
            _ => expression.AsString() is { } text ? $"'{text}'" : "…",
        };
}
